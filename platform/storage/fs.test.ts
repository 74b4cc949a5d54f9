import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ObjectNotFoundError, StorageAccessError } from './errors';
import { FsObjectStore, mapFsError } from './fs';
import { collect } from './object-store';
import { storeContract } from './store-contract';

describe('FsObjectStore', () => {
  const store = new FsObjectStore();
  let root = '';
  let n = 0;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-fs-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const fresh = async (): Promise<string> => {
    const dir = join(root, `t${++n}`);
    await mkdir(dir);
    return dir;
  };

  storeContract(async () => ({ store, base: `${pathToFileURL(await fresh()).href}/`, foreignUri: 'memory://m/x' }));

  it('a writer in flight is a hidden .partial file next to the target, which list and head ignore', async () => {
    const dir = await fresh();
    const target = join(dir, 'out', 'cog.tif');
    const w = await store.createWriter(target);
    await w.write(new Uint8Array(1234));
    const names = await readdir(join(dir, 'out'));
    assert.equal(names.length, 1);
    assert.match(names[0], /^\.cog\.tif\.[0-9a-f]{16}\.partial$/);
    assert.equal(await store.head(target), undefined);
    assert.deepEqual(await collect(store.list(dir)), []);
    const info = await w.commit();
    assert.equal(info.uri, pathToFileURL(target).href);
    assert.equal(info.sizeBytes, 1234);
    assert.deepEqual(await readdir(join(dir, 'out')), ['cog.tif']);
  });

  it('abort removes the temporary file', async () => {
    const dir = await fresh();
    const w = await store.createWriter(join(dir, 'x.bin'));
    await w.write(new Uint8Array(10));
    await w.abort();
    assert.deepEqual(await readdir(dir), []);
  });

  it('put leaves no temporary file behind, and plain paths work like file URIs', async () => {
    const dir = await fresh();
    await store.put(join(dir, 'a.json'), '{"a":1}');
    assert.deepEqual(await readdir(dir), ['a.json']);
    assert.equal(new TextDecoder().decode(await store.get(pathToFileURL(join(dir, 'a.json')).href)), '{"a":1}');
  });

  it('a stale .partial file (a crashed writer) is never listed', async () => {
    const dir = await fresh();
    await writeFile(join(dir, '.x.tif.0123456789abcdef.partial'), 'half');
    await writeFile(join(dir, '.hidden'), 'kept');
    assert.deepEqual(
      (await collect(store.list(dir + '/'))).map((o) => o.uri),
      [pathToFileURL(join(dir, '.hidden')).href],
    );
  });

  it('deletePrefix removes the emptied directories', async () => {
    const dir = await fresh();
    await store.put(join(dir, 'run', 'a', 'b.tif'), 'b');
    await store.put(join(dir, 'keep.tif'), 'k');
    await store.deletePrefix(join(dir, 'run') + '/');
    assert.deepEqual(await readdir(dir), ['keep.tif']);
  });

  it('a source reads the file it opened even if the object is replaced meanwhile', async () => {
    const dir = await fresh();
    const p = join(dir, 's.bin');
    await store.put(p, new Uint8Array([1, 2, 3, 4]));
    const src = store.source(p);
    assert.deepEqual(await src.fetch(0, 2), new Uint8Array([1, 2]));
    await store.put(p, new Uint8Array([9, 9, 9, 9]));
    assert.deepEqual(await src.fetch(2, 2), new Uint8Array([3, 4]));
    await src.close?.();
    assert.deepEqual(src.stats, { requests: 2, bytes: 4 });
  });

  it('a directory is not an object', async () => {
    const dir = await fresh();
    await mkdir(join(dir, 'sub'));
    assert.equal(await store.head(join(dir, 'sub')), undefined);
    await assert.rejects(store.get(join(dir, 'sub')), ObjectNotFoundError);
  });

  it('permission errors map to StorageAccessError, missing paths to ObjectNotFoundError, others stay as they are', () => {
    const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });
    const denied = mapFsError(errno('EACCES'), 'file:///ro/x.bin');
    assert.ok(denied instanceof StorageAccessError);
    assert.equal(denied.message, 'file:///ro/x.bin: permission denied (EACCES)');
    assert.ok(mapFsError(errno('EROFS'), 'file:///x') instanceof StorageAccessError);
    assert.ok(mapFsError(errno('ENOENT'), 'file:///x') instanceof ObjectNotFoundError);
    const io = errno('EIO');
    assert.equal(mapFsError(io, 'file:///x'), io);
  });
});
