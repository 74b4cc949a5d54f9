/**
 * The contract between what assembles a COG (builder.ts) and what stores its bytes (cog-file.ts, or an object-store
 * upload in the activity layer). It lives apart from both so that neither imports the other.
 */

/** Receives a COG's bytes in file order; the next chunk is produced only once the promise resolves (backpressure). */
export type CogChunkSink = (chunk: Uint8Array) => Promise<void>;

/** What writing a whole COG reports. */
export interface CogWriteResult {
  sizeBytes: number;
}

/** A COG ready to be written out once, chunk by chunk, in file order (a finished `CogBuilder`). */
export interface CogStream {
  finish(sink: CogChunkSink): Promise<CogWriteResult>;
}
