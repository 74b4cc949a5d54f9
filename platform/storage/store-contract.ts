/**
 * Behaviour every ObjectStore backend must share, run by memory.test.ts, fs.test.ts and s3.test.ts against
 * their own backend. `base` is a fresh, empty prefix URI ending in "/" for each test.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { InvalidUriError, ObjectNotFoundError } from './errors';
import { collect, type ObjectStore } from './object-store';
import { joinUri } from './uri';

export interface ContractTarget {
  store: ObjectStore;
  /** A fresh, empty prefix URI ending in "/". */
  base: string;
  /** A URI of another scheme, which the store must reject. */
  foreignUri: string;
}

const bytes = (n: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
};

export function storeContract(target: () => Promise<ContractTarget>): void {
  it('put then get returns the same bytes; head gives the size', async () => {
    const { store, base } = await target();
    const uri = joinUri(base, 'a/b.bin');
    const body = bytes(1000);
    const info = await store.put(uri, body, { contentType: 'application/octet-stream' });
    assert.deepEqual(info, { uri, sizeBytes: 1000 });
    assert.deepEqual(await store.get(uri), body);
    // Backends may add etag / lastModified; the size and URI are what every one must report.
    const { uri: headUri, sizeBytes } = (await store.head(uri)) ?? {};
    assert.deepEqual({ uri: headUri, sizeBytes }, { uri, sizeBytes: 1000 });
  });

  it('put of a string stores UTF-8 and replaces the previous object', async () => {
    const { store, base } = await target();
    const uri = joinUri(base, 'note.txt');
    await store.put(uri, bytes(50));
    const info = await store.put(uri, 'héllo');
    assert.equal(info.sizeBytes, 6);
    assert.equal(new TextDecoder().decode(await store.get(uri)), 'héllo');
  });

  it('a missing object: head is undefined, get throws ObjectNotFoundError naming the URI', async () => {
    const { store, base } = await target();
    const uri = joinUri(base, 'missing.bin');
    assert.equal(await store.head(uri), undefined);
    await assert.rejects(store.get(uri), (err: unknown) => {
      assert.ok(err instanceof ObjectNotFoundError);
      assert.equal(err.uri, uri);
      assert.equal(err.message, `${uri}: object not found`);
      return true;
    });
    await assert.rejects(store.source(uri).fetch(0, 10), ObjectNotFoundError);
  });

  it('source() reads ranges, counts requests and bytes, and reads short only past the end', async () => {
    const { store, base } = await target();
    const uri = joinUri(base, 'tiff.bin');
    const body = bytes(4096, 7);
    await store.put(uri, body);
    const src = store.source(uri);
    assert.equal(src.url, uri);
    assert.equal(await src.size?.(), 4096);
    assert.deepEqual(await src.fetch(0, 16), body.subarray(0, 16));
    assert.deepEqual(await src.fetch(1000, 500), body.subarray(1000, 1500));
    assert.deepEqual(await src.fetch(4000, 200), body.subarray(4000, 4096));
    assert.equal((await src.fetch(5000, 10)).byteLength, 0);
    assert.equal(src.stats.requests >= 3, true);
    assert.equal(src.stats.bytes, 16 + 500 + 96);
    await src.close?.();
  });

  it('source().fetch rejects when the signal is already aborted', async () => {
    const { store, base } = await target();
    const uri = joinUri(base, 'abort.bin');
    await store.put(uri, bytes(100));
    const src = store.source(uri);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(src.fetch(0, 10, { signal: ac.signal }), { name: 'AbortError' });
    assert.deepEqual(src.stats, { requests: 0, bytes: 0 });
    await src.close?.();
  });

  it('a writer publishes nothing before commit() and the whole object after', async () => {
    const { store, base } = await target();
    const uri = joinUri(base, 'out/cog.tif');
    const w = await store.createWriter(uri, { contentType: 'image/tiff' });
    const chunk = bytes(300, 3);
    await w.write(chunk);
    chunk.fill(0); // the writer must not keep a reference to the caller's buffer
    await w.write(bytes(200, 4));
    assert.equal(await store.head(uri), undefined);
    assert.deepEqual(await collect(store.list(base)), []);
    const info = await w.commit();
    assert.deepEqual(info, { uri, sizeBytes: 500 });
    const got = await store.get(uri);
    assert.deepEqual(got.subarray(0, 300), bytes(300, 3));
    assert.deepEqual(got.subarray(300), bytes(200, 4));
    await assert.rejects(w.write(bytes(1)), /already committed or aborted/);
  });

  it('an aborted writer leaves nothing, and a previous object stays intact', async () => {
    const { store, base } = await target();
    const uri = joinUri(base, 'keep.bin');
    await store.put(uri, 'old');
    const w = await store.createWriter(uri);
    await w.write(bytes(1000));
    await w.abort();
    await w.abort();
    assert.equal(new TextDecoder().decode(await store.get(uri)), 'old');
    const fresh = joinUri(base, 'never.bin');
    const w2 = await store.createWriter(fresh);
    await w2.write(bytes(10));
    await w2.abort();
    assert.deepEqual(
      (await collect(store.list(base))).map((o) => o.uri),
      [uri],
    );
  });

  it('list is recursive, in key order, and uses S3 prefix semantics', async () => {
    const { store, base } = await target();
    for (const k of ['run1/b.tif', 'run1/a/x.tif', 'run10/c.tif', 'run1.json', 'other/d.tif']) {
      await store.put(joinUri(base, k), k);
    }
    const keys = async (prefix: string): Promise<string[]> =>
      (await collect(store.list(prefix))).map((o) => o.uri.slice(base.length));
    assert.deepEqual(await keys(joinUri(base, 'run1') + '/'), ['run1/a/x.tif', 'run1/b.tif']);
    assert.deepEqual(await keys(joinUri(base, 'run1')), ['run1.json', 'run1/a/x.tif', 'run1/b.tif', 'run10/c.tif']);
    assert.deepEqual(await keys(base), ['other/d.tif', 'run1.json', 'run1/a/x.tif', 'run1/b.tif', 'run10/c.tif']);
    assert.deepEqual(await keys(joinUri(base, 'nothing') + '/'), []);
    const info = (await collect(store.list(joinUri(base, 'other') + '/')))[0];
    assert.deepEqual(info, { uri: joinUri(base, 'other/d.tif'), sizeBytes: 'other/d.tif'.length });
  });

  it('delete removes one object and ignores missing ones; deletePrefix removes only under the prefix', async () => {
    const { store, base } = await target();
    for (const k of ['s/1.tif', 's/2/3.tif', 's2/4.tif', 't.tif']) await store.put(joinUri(base, k), k);
    await store.delete(joinUri(base, 't.tif'));
    await store.delete(joinUri(base, 't.tif'));
    await store.deletePrefix(joinUri(base, 's') + '/');
    assert.deepEqual(
      (await collect(store.list(base))).map((o) => o.uri),
      [joinUri(base, 's2/4.tif')],
    );
    await store.deletePrefix(base);
    assert.deepEqual(await collect(store.list(base)), []);
  });

  it('rejects URIs of another scheme and object URIs ending in "/"', async () => {
    const { store, base, foreignUri } = await target();
    await assert.rejects(store.get(foreignUri), InvalidUriError);
    await assert.rejects(async () => store.put(base, 'x'), InvalidUriError);
  });
}
