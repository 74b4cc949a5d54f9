import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidUriError } from './errors';
import { formatUri, joinUri, normalizeUri, parseUri } from './uri';

describe('parseUri / formatUri', () => {
  it('parses file URIs, including percent-encoding', () => {
    assert.deepEqual(parseUri('file:///data/in/scene.tif'), { scheme: 'file', path: '/data/in/scene.tif' });
    assert.deepEqual(parseUri('file:///data/my%20scene.tif'), { scheme: 'file', path: '/data/my scene.tif' });
    assert.equal(formatUri({ scheme: 'file', path: '/data/my scene.tif' }), 'file:///data/my%20scene.tif');
    assert.deepEqual(parseUri('file:///out/run/'), { scheme: 'file', path: '/out/run/' });
  });

  it('turns plain paths into absolute file paths', () => {
    assert.deepEqual(parseUri('/tmp/a.tif'), { scheme: 'file', path: '/tmp/a.tif' });
    assert.deepEqual(parseUri('in/a.tif', '/work'), { scheme: 'file', path: '/work/in/a.tif' });
    assert.deepEqual(parseUri('./out/', '/work'), { scheme: 'file', path: '/work/out/' });
    assert.equal(normalizeUri('x/../y.tif', '/w'), 'file:///w/y.tif');
  });

  it('parses s3 and memory URIs, keys verbatim', () => {
    assert.deepEqual(parseUri('s3://tessera-out/runs/a b%20c.tif'), { scheme: 's3', bucket: 'tessera-out', key: 'runs/a b%20c.tif' });
    assert.deepEqual(parseUri('s3://bucket'), { scheme: 's3', bucket: 'bucket', key: '' });
    assert.deepEqual(parseUri('S3://bucket/k'), { scheme: 's3', bucket: 'bucket', key: 'k' });
    assert.equal(formatUri(parseUri('s3://bucket/runs/x.tif')), 's3://bucket/runs/x.tif');
    assert.deepEqual(parseUri('memory://unit/a/b'), { scheme: 'memory', name: 'unit', key: 'a/b' });
    assert.equal(normalizeUri('memory://unit'), 'memory://unit/');
  });

  it('rejects malformed URIs with InvalidUriError naming them', () => {
    const cases: [string, RegExp][] = [
      ['s3://', /^s3:\/\/: missing bucket/],
      ['s3:bucket/key', /^s3:bucket\/key: expected <scheme>:\/\/<bucket>\/<key>$/],
      ['s3://Bad_Bucket/k', /invalid bucket name "Bad_Bucket"/],
      ['s3://a..b/k', /invalid bucket name/],
      ['ftp://x', /^ftp:\/\/x: unsupported scheme "ftp:"/],
      ['gs://host/x.tif', /unsupported scheme "gs:"/],
      ['memory://', /missing bucket/],
      ['file://remote-host/x', /^file:\/\/remote-host\/x: not a local file URI/],
      ['', /empty URI/],
      ['/a/b\0c', /NUL byte/],
    ];
    for (const [uri, re] of cases) {
      assert.throws(
        () => parseUri(uri),
        (err: unknown) => err instanceof InvalidUriError && re.test(err.message),
        uri,
      );
    }
  });
});

describe('joinUri', () => {
  it('appends segments to every scheme, with or without a trailing slash on the base', () => {
    assert.equal(joinUri('s3://out/runs', 'scene-1', 'ndwi.tif'), 's3://out/runs/scene-1/ndwi.tif');
    assert.equal(joinUri('s3://out/runs/', 'scene-1/ndwi.tif'), 's3://out/runs/scene-1/ndwi.tif');
    assert.equal(joinUri('s3://out', 'a.tif'), 's3://out/a.tif');
    assert.equal(joinUri('file:///data/out', 'a b.tif'), 'file:///data/out/a%20b.tif');
    assert.equal(joinUri('memory://m/', 'k'), 'memory://m/k');
    assert.equal(joinUri('/data/out/', 'x', 'y.parquet'), 'file:///data/out/x/y.parquet');
    assert.equal(joinUri('s3://out/runs', '..foo', 'a..b'), 's3://out/runs/..foo/a..b');
  });

  it('rejects every segment that could leave the base', () => {
    const attempts = ['..', '../x', 'a/../../etc/passwd', 'a/..', '/etc/passwd', 'a\\..\\b', '..\\x', 'a\0b', '', 'a//b', 'a/', '.', './a', 's3://other/k', 'file:///etc/passwd'];
    for (const seg of attempts) {
      for (const base of ['s3://out/runs', 'file:///data/out', 'memory://m/p/']) {
        assert.throws(
          () => joinUri(base, 'ok', seg),
          (err: unknown) => err instanceof InvalidUriError && err.uri === normalizeUri(base) && err.message.includes('path segment'),
          `${base} + ${JSON.stringify(seg)}`,
        );
      }
    }
  });

  it('names the base and the segment in the message', () => {
    assert.throws(() => joinUri('s3://out/runs', '../secrets'), {
      name: 'InvalidUriError',
      message: 's3://out/runs: path segment "../secrets" contains ".."',
    });
  });

  it('rejects a malformed base', () => {
    assert.throws(() => joinUri('ftp://x', 'a'), InvalidUriError);
  });
});

describe('http(s) URIs', () => {
  it('keeps the URL verbatim, query string included, and formats it back unchanged', () => {
    const signed = 'https://data.example.com/scenes/a%20b.tif?X-Amz-Signature=abc&X-Amz-Expires=60';
    assert.deepEqual(parseUri(signed), { scheme: 'https', url: signed });
    assert.deepEqual(parseUri('http://127.0.0.1:8080/x.tif'), { scheme: 'http', url: 'http://127.0.0.1:8080/x.tif' });
    assert.deepEqual(parseUri('HTTPS://Host/X.tif'), { scheme: 'https', url: 'HTTPS://Host/X.tif' });
    for (const u of [signed, 'http://h/dir/', 'https://h']) assert.equal(formatUri(parseUri(u)), u);
    assert.equal(normalizeUri('https://h/a.json'), 'https://h/a.json');
  });

  it('rejects URLs without a host or with credentials', () => {
    const cases: [string, RegExp][] = [
      ['https:x.tif', /^https:x\.tif: expected http\(s\):\/\/host\/path$/],
      ['http://', /^http:\/\/: not a valid URL$/],
      ['https://user:secret@h/x.tif', /credentials in http\(s\) URLs are not supported/],
    ];
    for (const [uri, re] of cases) {
      assert.throws(() => parseUri(uri), (err: unknown) => err instanceof InvalidUriError && re.test(err.message), uri);
    }
  });

  it('joinUri appends path segments with "/", encoding what a path cannot hold', () => {
    assert.equal(joinUri('https://h/stac/items', 'scene-1', 'cog.tif'), 'https://h/stac/items/scene-1/cog.tif');
    assert.equal(joinUri('https://h/stac/items/', 'scene-1/cog.tif'), 'https://h/stac/items/scene-1/cog.tif');
    assert.equal(joinUri('http://h:8080', 'a.tif'), 'http://h:8080/a.tif');
    assert.equal(joinUri('https://h/d', 'a b#1?.tif'), 'https://h/d/a%20b%231%3F.tif');
    assert.equal(joinUri('https://h/d', 'already%20encoded.tif', '100%.tif'), 'https://h/d/already%20encoded.tif/100%25.tif');
  });

  it('joinUri on an http base rejects dot segments (encoded too) and bases with a query', () => {
    for (const seg of ['..', 'a/../b', '%2e%2e', 'a/%2E%2e/b', '.%2e', '%2e', '/etc/passwd', 'https://other/x']) {
      assert.throws(
        () => joinUri('https://h/base', seg),
        (err: unknown) => err instanceof InvalidUriError && err.uri === 'https://h/base' && err.message.includes('path segment'),
        seg,
      );
    }
    assert.throws(() => joinUri('https://h/a?sig=1', 'b'), { name: 'InvalidUriError', message: 'https://h/a?sig=1: cannot append path segments to a URL with a query or fragment' });
  });
});
