import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStaticServer, type StaticServer } from '../../test/support/static-server';
import { generateScene } from '../../raster/synthetic/scene';
import { FileSource } from '../../raster/source';
import { Tiff } from '../../raster/tiff/tiff';
import { loadConfig } from '../config';
import {
  HttpStatusError,
  ObjectChangedError,
  ObjectNotFoundError,
  RangeNotSupportedError,
  ReadOnlyStoreError,
  StorageAccessError,
  StorageError,
} from './errors';
import { HttpObjectStore } from './http';
import { httpFetch } from './http-fetch';
import { createStoreRouter } from './open-store';

/** Short waits keep the retry tests fast; the logic is the same as with the defaults. */
const RETRY = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 50 };

let dir: string;
let server: StaticServer;
let store: HttpObjectStore;
let data: Uint8Array;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-http-'));
  data = new Uint8Array(randomBytes(300_000));
  await writeFile(join(dir, 'data.bin'), data);
  await generateScene({ outPath: join(dir, 'scene.tif'), sizePx: 256, bands: 23, seed: 1 });
  server = await startStaticServer({ root: dir });
  store = new HttpObjectStore({ retry: RETRY });
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** The requests the server answered while `fn` ran. */
async function requestsDuring(fn: () => Promise<unknown>): Promise<StaticServer['requests']> {
  const from = server.requests.length;
  await fn();
  return server.requests.slice(from);
}

describe('HttpObjectStore source()', () => {
  it('ranged reads return the file bytes, one GET each, short only past the end', async () => {
    const uri = `${server.url}/data.bin`;
    const source = store.source(uri);
    assert.equal(source.url, uri);
    const seen = await requestsDuring(async () => {
      assert.deepEqual(await source.fetch(0, 16), data.subarray(0, 16));
      assert.deepEqual(await source.fetch(123_456, 70_000), data.subarray(123_456, 193_456));
      assert.deepEqual(await source.fetch(data.length - 10, 100), data.subarray(data.length - 10));
      assert.equal((await source.fetch(data.length + 5, 10)).byteLength, 0);
      assert.equal((await source.fetch(5, 0)).byteLength, 0);
    });
    assert.deepEqual(
      seen.map((r) => [r.method, r.range, r.status]),
      [
        ['GET', 'bytes=0-15', 206],
        ['GET', 'bytes=123456-193455', 206],
        ['GET', `bytes=${data.length - 10}-${data.length + 89}`, 206],
        ['GET', `bytes=${data.length + 5}-${data.length + 14}`, 416],
      ],
    );
    assert.deepEqual(source.stats, { requests: 3, bytes: 16 + 70_000 + 10 });
    assert.equal(await source.size!(), data.length);
  });

  it('Tiff.open over http reads the same info() as from the file', async () => {
    const fromFile = await Tiff.open(new FileSource(join(dir, 'scene.tif')));
    const source = store.source(`${server.url}/scene.tif`);
    const overHttp = await Tiff.open(source);
    assert.deepEqual(overHttp.info(), fromFile.info());
    assert.equal(overHttp.info().bandCount, 23);
    assert.ok(source.stats.requests >= 1);
  });

  it('retries 500s: two failures, then the read succeeds on the third request', async () => {
    const source = store.source(`${server.url}/data.bin`);
    server.setFailures({ status: 500, count: 2, pathPattern: /^\/data\.bin$/ });
    const seen = await requestsDuring(async () => assert.deepEqual(await source.fetch(10, 20), data.subarray(10, 30)));
    assert.deepEqual(seen.map((r) => r.status), [500, 500, 206]);
    assert.deepEqual(source.stats, { requests: 1, bytes: 20 });
  });

  it('gives up after maxAttempts with a retryable HttpStatusError naming the URL', async () => {
    const uri = `${server.url}/data.bin`;
    server.setFailures({ status: 503, count: 10 });
    try {
      const seen = await requestsDuring(() =>
        assert.rejects(store.source(uri).fetch(0, 10), (err: unknown) => {
          assert.ok(err instanceof HttpStatusError);
          assert.equal(err.status, 503);
          assert.equal(err.retryable, true);
          assert.equal(err.message, `${uri}: HTTP 503 Service Unavailable after 3 attempts`);
          return true;
        }),
      );
      assert.equal(seen.length, 3);
    } finally {
      server.setFailures(undefined);
    }
  });

  it('a server that ignores Range: RangeNotSupportedError naming the URL, body not read', async () => {
    const plain = await startStaticServer({ root: dir, ignoreRange: true });
    try {
      const uri = `${plain.url}/data.bin`;
      const source = store.source(uri);
      await assert.rejects(source.fetch(1000, 100), (err: unknown) => {
        assert.ok(err instanceof RangeNotSupportedError);
        assert.equal(err.uri, uri);
        assert.match(err.message, /^http:\/\/127\.0\.0\.1:\d+\/data\.bin: the server ignored the Range header/);
        return true;
      });
      assert.deepEqual(source.stats, { requests: 0, bytes: 0 });
      assert.deepEqual(plain.requests.map((r) => r.status), [200]);
      // A "range" covering the whole object is answered correctly by a 200, so that one is accepted.
      assert.deepEqual(await store.source(uri).fetch(0, data.length + 100), data);
    } finally {
      await plain.close();
    }
  });

  it('a missing object: ObjectNotFoundError from fetch, size and get, head undefined, no retries', async () => {
    const uri = `${server.url}/missing.tif`;
    const seen = await requestsDuring(async () => {
      await assert.rejects(store.source(uri).fetch(0, 10), (err: unknown) => {
        assert.ok(err instanceof ObjectNotFoundError);
        assert.equal(err.message, `${uri}: object not found`);
        return true;
      });
      await assert.rejects(store.source(uri).size!(), ObjectNotFoundError);
      await assert.rejects(store.get(uri), ObjectNotFoundError);
      assert.equal(await store.head(uri), undefined);
    });
    assert.deepEqual(seen.map((r) => [r.method, r.status]), [['GET', 404], ['HEAD', 404], ['GET', 404], ['HEAD', 404]]);
  });

  it('a file rewritten between two reads: ObjectChangedError with both ETags', async () => {
    const path = join(dir, 'changing.bin');
    const uri = `${server.url}/changing.bin`;
    await writeFile(path, data.subarray(0, 1000));
    const first = await store.head(uri);
    const source = store.source(uri);
    assert.deepEqual(await source.fetch(0, 100), data.subarray(0, 100));
    await writeFile(path, data.subarray(1000, 3000));
    const now = await store.head(uri);
    assert.notEqual(now?.etag, first?.etag);
    const seen = await requestsDuring(() =>
      assert.rejects(source.fetch(100, 100), (err: unknown) => {
        assert.ok(err instanceof ObjectChangedError);
        assert.equal(err.message, `${uri}: object changed while it was being read (ETag ${first?.etag} → ${now?.etag})`);
        return true;
      }),
    );
    // The pinned ETag went out as If-Match, so the server refused at once instead of sending new bytes.
    assert.deepEqual(seen.map((r) => r.status), [412]);
  });

  it('an expected version is checked on the first read (ETag, Last-Modified, size)', async () => {
    const uri = `${server.url}/data.bin`;
    const info = await store.head(uri);
    assert.ok(info);
    const current = { sizeBytes: info.sizeBytes, etag: info.etag, lastModified: info.lastModified };
    assert.deepEqual(await store.source(uri, { expected: current }).fetch(0, 4), data.subarray(0, 4));

    await assert.rejects(store.source(uri, { expected: { ...current, etag: '"stale"' } }).fetch(0, 4), {
      name: 'ObjectChangedError',
      message: `${uri}: object changed while it was being read (ETag "stale" → ${info.etag})`,
    });
    // No ETag to compare with: the pinned Last-Modified goes out as If-Unmodified-Since, which the server refuses.
    const old = '2001-01-01T00:00:00.000Z';
    await assert.rejects(store.source(uri, { expected: { sizeBytes: info.sizeBytes, lastModified: old } }).fetch(0, 4), {
      name: 'ObjectChangedError',
      message: `${uri}: object changed while it was being read (Last-Modified "${old}" → "${info.lastModified}")`,
    });
    await assert.rejects(store.source(uri, { expected: { sizeBytes: 12 } }).fetch(0, 4), {
      name: 'ObjectChangedError',
      message: `${uri}: object changed while it was being read (size 12 → ${data.length})`,
    });
  });

  it('an aborted signal stops the read before any request', async () => {
    const ac = new AbortController();
    ac.abort();
    const source = store.source(`${server.url}/data.bin`);
    const seen = await requestsDuring(() => assert.rejects(source.fetch(0, 10, { signal: ac.signal }), { name: 'AbortError' }));
    assert.equal(seen.length, 0);
  });
});

describe('HttpObjectStore head / get / writes', () => {
  it('head gives the size, ETag and Last-Modified (ISO), get the whole object', async () => {
    const uri = `${server.url}/data.bin`;
    const st = await stat(join(dir, 'data.bin'));
    const info = await store.head(uri);
    assert.ok(info);
    assert.equal(info.uri, uri);
    assert.equal(info.sizeBytes, data.length);
    assert.match(info.etag ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(info.lastModified, new Date(Math.floor(st.mtimeMs / 1000) * 1000).toISOString());
    assert.deepEqual(await store.get(uri), data);
    assert.deepEqual(await store.get(`${server.url}/scene.json`), new Uint8Array(await readFile(join(dir, 'scene.json'))));
  });

  it('head falls back to a one-byte GET when the server refuses HEAD (405)', async () => {
    const uri = `${server.url}/data.bin`;
    const expected = await store.head(uri);
    server.setFailures({ status: 405, count: 1 });
    const seen = await requestsDuring(async () => assert.deepEqual(await store.head(uri), expected));
    assert.deepEqual(seen.map((r) => [r.method, r.range, r.status]), [['HEAD', undefined, 405], ['GET', 'bytes=0-0', 206]]);
  });

  it('writes, deletes and listings throw ReadOnlyStoreError naming the URI, without a request', async () => {
    const uri = `${server.url}/out/new.tif`;
    const seen = await requestsDuring(async () => {
      await assert.rejects(store.put(uri, 'x'), (err: unknown) => {
        assert.ok(err instanceof ReadOnlyStoreError);
        assert.equal(err.message, `${uri}: cannot put: http(s) sources are read-only`);
        return true;
      });
      await assert.rejects(store.createWriter(uri), ReadOnlyStoreError);
      await assert.rejects(store.delete(uri), ReadOnlyStoreError);
      await assert.rejects(store.deletePrefix(`${server.url}/out/`), ReadOnlyStoreError);
      assert.throws(() => store.list(`${server.url}/out/`), ReadOnlyStoreError);
    });
    assert.equal(seen.length, 0);
  });

  it('the store router sends http and https URIs to one HttpObjectStore, passing source options', async () => {
    const router = createStoreRouter(loadConfig({}), { http: { retry: RETRY } });
    const https = router.storeFor('https://example.com/scene.tif');
    assert.ok(https instanceof HttpObjectStore);
    assert.equal(router.storeFor('http://example.com/scene.tif'), https);
    const uri = `${server.url}/data.bin`;
    assert.deepEqual(await router.source(uri).fetch(7, 3), data.subarray(7, 10));
    await assert.rejects(router.source(uri, { expected: { sizeBytes: 1 } }).fetch(0, 1), ObjectChangedError);
    await router.close();
  });
});

describe('httpFetch', () => {
  it('does not retry 404, 403 or 400, and types them', async () => {
    const seen = await requestsDuring(async () => {
      await assert.rejects(httpFetch(`${server.url}/nope`, undefined, RETRY), ObjectNotFoundError);
      server.setFailures({ status: 403, count: 1 });
      await assert.rejects(httpFetch(`${server.url}/data.bin`, undefined, RETRY), (err: unknown) => {
        assert.ok(err instanceof StorageAccessError);
        assert.equal(err.message, `${server.url}/data.bin: access denied (HTTP 403 Forbidden)`);
        return true;
      });
      server.setFailures({ status: 400, count: 1 });
      await assert.rejects(httpFetch(`${server.url}/data.bin`, undefined, RETRY), (err: unknown) => {
        assert.ok(err instanceof HttpStatusError);
        assert.deepEqual([err.status, err.retryable, err.url], [400, false, `${server.url}/data.bin`]);
        return true;
      });
    });
    assert.deepEqual(seen.map((r) => r.status), [404, 403, 400]);
  });

  it('waits a short Retry-After on 429, but leaves a long one to the caller', async () => {
    server.setFailures({ status: 429, count: 1, retryAfter: '0' });
    let seen = await requestsDuring(async () => assert.equal((await httpFetch(`${server.url}/scene.json`, undefined, RETRY)).status, 200));
    assert.deepEqual(seen.map((r) => r.status), [429, 200]);

    server.setFailures({ status: 429, count: 5, retryAfter: '120' });
    try {
      seen = await requestsDuring(() =>
        assert.rejects(httpFetch(`${server.url}/scene.json`, undefined, RETRY), (err: unknown) => err instanceof HttpStatusError && err.retryable),
      );
      assert.equal(seen.length, 1);
    } finally {
      server.setFailures(undefined);
    }
  });

  it('a refused connection is retried, then thrown as a plain Error naming the URL', async () => {
    const closed = await startStaticServer({ root: dir });
    const url = `${closed.url}/data.bin`;
    await closed.close();
    await assert.rejects(httpFetch(url, undefined, RETRY), (err: unknown) => {
      assert.ok(err instanceof Error && !(err instanceof StorageError));
      assert.match(err.message, /^http:\/\/127\.0\.0\.1:\d+\/data\.bin: request failed: fetch failed: .*ECONNREFUSED.* \(after 3 attempts\)$/);
      return true;
    });
  });

  it('an attempt without response headers within timeoutMs is retried, then thrown as a plain Error', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/slow.tif`;
    try {
      await assert.rejects(httpFetch(url, undefined, { ...RETRY, maxAttempts: 2, timeoutMs: 50 }), (err: unknown) => {
        assert.ok(err instanceof Error && !(err instanceof StorageError));
        assert.equal(err.message, `${url}: no response within 50 ms (after 2 attempts)`);
        return true;
      });
      assert.equal(sockets.length, 2);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((done) => silent.close(done));
    }
  });
});
