/** A command line that cannot be run as given (unknown flag, bad product name, bad number). Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
