/** Byte helpers shared by the store backends. */

/** UTF-8 bytes of a string; a Uint8Array as it is; any other view (Buffer, DataView...) as bytes, not copied. */
export function toBytes(body: ArrayBufferView | string): Uint8Array {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

/** One array holding `chunks` back to back. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
