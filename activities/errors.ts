/**
 * Input that cannot be processed as asked (no wavelengths, band count mismatch, missing STAC asset...).
 * Retrying cannot help, so it is non-retryable; the message names the file and the problem.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }

  /** Never: the same input fails the same way (see failures.ts). */
  get retryable(): boolean {
    return false;
  }
}
