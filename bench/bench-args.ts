/** What the micro-benchmarks share: reading a flag and summarising repeated timings. */

/** `--name VALUE` from the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The middle value (the upper one of an even count: the benchmarks run an odd number of times by default). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
