/**
 * Globs over object URIs (`s3://b/scenes/*.tif`, `file:///d/**\/*.tif`): split into the literal prefix a store
 * can list and a pattern matched against the rest of each listed URI.
 *
 * Syntax: `*` any run within one path segment, `**` any number of whole segments (`a/**\/b` matches `a/b`),
 * `?` one character other than `/`, `[abc]` / `[a-z]` / `[!abc]` one character of (not of) a set, `{x,y}` one
 * of the alternatives. Everything else matches itself.
 */
import { InvalidUriError } from '../storage/errors';
import { normalizeUri } from '../storage/uri';

const GLOB_CHAR_RE = /[*?[{]/;

export interface SplitGlob {
  /** Canonical prefix URI ending in `/`, listed with `store.list`. */
  prefixUri: string;
  /** The glob, matched against the listed URIs after the prefix (file:// ones percent-decoded). */
  pattern: string;
}

/** Whether a source is a glob (a glob character after the scheme and authority). */
export function isGlob(source: string): boolean {
  return GLOB_CHAR_RE.test(source.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, ''));
}

/**
 * Splits a glob source at the first path segment that holds a glob character.
 * @throws InvalidUriError when the glob is in the bucket or store name, or the prefix is not a store URI.
 */
export function splitGlob(source: string): SplitGlob {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(source)?.[0] ?? '';
  if (GLOB_CHAR_RE.test(authority)) throw new InvalidUriError(source, 'a glob may not be in the bucket or host name');
  const path = source.slice(authority.length);
  const first = path.search(GLOB_CHAR_RE);
  const cut = first < 0 ? path.length : path.lastIndexOf('/', first) + 1;
  const literal = authority + path.slice(0, cut);
  return { prefixUri: normalizeUri(literal === '' ? './' : literal), pattern: path.slice(cut) };
}

/** Compiles a glob (see the module comment) to an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  let inAlternatives = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else if (ch === '{' && !inAlternatives && pattern.indexOf('}', i) > 0) {
      inAlternatives = true;
      re += '(?:';
    } else if (ch === ',' && inAlternatives) {
      re += '|';
    } else if (ch === '}' && inAlternatives) {
      inAlternatives = false;
      re += ')';
    } else {
      re += ch.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}
