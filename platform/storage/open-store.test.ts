import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../config';
import { InvalidUriError } from './errors';
import { FsObjectStore } from './fs';
import { MemoryObjectStore } from './memory';
import { collect } from './object-store';
import { createStoreRouter, openStore } from './open-store';
import { S3ObjectStore } from './s3';

const awsSdkLoaded = (): boolean => Object.keys(require.cache).some((k) => k.includes(`${'@aws-sdk'}/client-s3`));

describe('store router', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-router-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('dispatches file://, plain paths and memory:// without loading the AWS SDK', async () => {
    const router = createStoreRouter(loadConfig({}));
    await router.put(join(dir, 'a.txt'), 'plain path');
    await router.put(`memory://m/b.txt`, 'memory');
    assert.equal(new TextDecoder().decode(await router.get(pathToFileURL(join(dir, 'a.txt')).href)), 'plain path');
    assert.equal(new TextDecoder().decode(await router.get('memory://m/b.txt')), 'memory');
    assert.deepEqual(await collect(router.list('memory://m/')), [{ uri: 'memory://m/b.txt', sizeBytes: 6 }]);
    assert.ok(router.storeFor(dir) instanceof FsObjectStore);
    assert.ok(router.storeFor('memory://m/x') instanceof MemoryObjectStore);
    assert.equal(awsSdkLoaded(), false);
    await router.close();
  });

  it('creates the S3 store lazily, once, and still without loading the SDK until a request', () => {
    const router = createStoreRouter(loadConfig({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }));
    const s3 = router.storeFor('s3://bucket/a');
    assert.ok(s3 instanceof S3ObjectStore);
    assert.equal(router.storeFor('s3://other-bucket/b'), s3);
    assert.ok(openStore('s3://bucket/a', loadConfig({})) instanceof S3ObjectStore);
  });

  it('shares one memory store between openStore calls', async () => {
    const config = loadConfig({});
    await openStore('memory://shared/k', config).put('memory://shared/k', 'v');
    assert.equal(new TextDecoder().decode(await openStore('memory://shared/k', config).get('memory://shared/k')), 'v');
  });

  it('rejects unknown schemes with InvalidUriError', async () => {
    const router = createStoreRouter(loadConfig({}));
    assert.throws(() => router.storeFor('ftp://x/y'), InvalidUriError);
    await assert.rejects(async () => router.get('gs://bucket/k'), InvalidUriError);
  });
});
