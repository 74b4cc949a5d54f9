/**
 * Hive-style partition path segments (`name=value`). Engines (DuckDB, Spark, pyarrow's "hive" flavour)
 * percent-decode the value when they read it back, so any value survives a round trip once escaped here.
 */
import { StatsTableError } from './errors';

// RFC 3986 "unreserved" characters pass through. Everything else is escaped, which is a superset of what Hive
// itself escapes ('/', '=', '%', ':', '#', '?', '*', '\\', quotes, control characters...): '/' would start a new
// directory, '=' would be parsed as the name/value separator, and spaces or '+' read differently across readers.
const UNRESERVED = /^[A-Za-z0-9._~-]$/;

/**
 * Percent-encodes a partition value: each UTF-8 byte outside `A-Z a-z 0-9 . _ ~ -` becomes `%XX` (upper-case hex).
 * @throws StatsTableError for an empty value, which Hive readers would turn into a null partition.
 */
export function escapePartitionValue(value: string): string {
  if (value.length === 0) throw new StatsTableError('partition value is empty');
  let out = '';
  for (const ch of value) {
    if (UNRESERVED.test(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

/** One `name=value` path segment with the value escaped. */
export function partitionSegment(name: string, value: string): string {
  return `${name}=${escapePartitionValue(value)}`;
}

/**
 * Joins a table root and path segments with '/'. Not `path.join`: the root may be a URL (`s3://bucket/x`),
 * whose double slash `path.join` would collapse.
 */
export function joinKey(root: string, ...segments: string[]): string {
  const trimmed = root.replace(/\/+$/, '');
  return [trimmed, ...segments].join('/');
}
