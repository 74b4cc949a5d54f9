/**
 * S3ObjectStore against a real MinIO on loopback (no mocked S3: range semantics, multipart visibility and
 * error codes are what these tests are about). MinIO is started here from `.tools/bin/minio` (or a built one
 * in /tmp/inst/gobin) with its own data dir and root credentials, and stopped at the end.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../config';
import { BucketNotFoundError, ObjectNotFoundError, StorageAccessError } from './errors';
import { collect } from './object-store';
import { S3ClientCache, createStoreRouter, openStore } from './open-store';
import { S3ObjectStore, createS3Client } from './s3';
import { storeContract } from './store-contract';
import { joinUri } from './uri';

const MINIO_CANDIDATES = [join(__dirname, '..', '..', '..', '.tools', 'bin', 'minio'), '/work/main/.tools/bin/minio', '/tmp/inst/gobin/minio'];
const ROOT_USER = 'tessera-test';
const ROOT_PASSWORD = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const BUCKET = 'tessera-test';
const MiB = 1024 * 1024;

let minio: ChildProcess | undefined;
let minioLog = '';
let dataDir = '';
let endpoint = '';
let admin: S3Client;
const credentials = { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD };
const stores: S3ObjectStore[] = [];

function newStore(extra: Partial<ConstructorParameters<typeof S3ObjectStore>[0]> = {}): S3ObjectStore {
  const s = new S3ObjectStore({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1, ...extra });
  stores.push(s);
  return s;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (minio?.exitCode !== null) throw new Error(`minio exited with ${minio?.exitCode}:\n${minioLog}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`minio not ready after ${timeoutMs} ms:\n${minioLog}`);
}

/** Multipart uploads still open in the test bucket (to prove a writer used / cleaned up one). */
async function openUploads(prefix: string): Promise<number> {
  const { ListMultipartUploadsCommand } = await import('@aws-sdk/client-s3');
  const res = await admin.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
  return res.Uploads?.length ?? 0;
}

const pattern = (n: number, seed: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed + (i >>> 12)) & 0xff;
  return out;
};

before(async () => {
  const bin = MINIO_CANDIDATES.find((p) => existsSync(p));
  if (!bin) throw new Error(`no MinIO binary at ${MINIO_CANDIDATES.join(' or ')}`);
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-minio-'));
  const [port, consolePort] = [await freePort(), await freePort()];
  endpoint = `http://127.0.0.1:${port}`;
  minio = spawn(bin, ['server', '--quiet', '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, dataDir], {
    env: { PATH: process.env.PATH, HOME: dataDir, MINIO_ROOT_USER: ROOT_USER, MINIO_ROOT_PASSWORD: ROOT_PASSWORD, MINIO_BROWSER: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  minio.stdout?.on('data', (d: Buffer) => (minioLog += d.toString()));
  minio.stderr?.on('data', (d: Buffer) => (minioLog += d.toString()));
  await waitReady(`${endpoint}/minio/health/live`, 30_000);
  admin = await createS3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

after(async () => {
  for (const s of stores) await s.close();
  admin?.destroy();
  if (minio && minio.exitCode === null) {
    const exited = new Promise((r) => minio!.once('exit', r));
    minio.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (minio.exitCode === null) minio.kill('SIGKILL');
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('S3ObjectStore (MinIO)', () => {
  let n = 0;
  storeContract(async () => ({ store: newStore(), base: `s3://${BUCKET}/contract/t${++n}/`, foreignUri: 'file:///tmp/x' }));

  it('stores the content type', async () => {
    const store = newStore();
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    await store.put(`s3://${BUCKET}/ct/a.json`, '{}', { contentType: 'application/json' });
    const w = await store.createWriter(`s3://${BUCKET}/ct/b.tif`, { contentType: 'image/tiff' });
    await w.write(new Uint8Array(10));
    await w.commit();
    assert.equal((await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'ct/a.json' }))).ContentType, 'application/json');
    assert.equal((await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'ct/b.tif' }))).ContentType, 'image/tiff');
  });

  it('source() sends one ranged GET per fetch', async () => {
    const store = newStore();
    const uri = `s3://${BUCKET}/ranged/scene.tif`;
    const body = pattern(100_000, 5);
    await store.put(uri, body);
    const src = store.source(uri);
    assert.deepEqual(await src.fetch(0, 8), body.subarray(0, 8));
    assert.deepEqual(await src.fetch(65_536, 16_384), body.subarray(65_536, 81_920));
    assert.deepEqual(src.stats, { requests: 2, bytes: 8 + 16_384 });
    assert.equal(await src.size?.(), 100_000);
  });

  it('source().fetch is cancelled by its AbortSignal while in flight', async () => {
    const store = newStore();
    const uri = `s3://${BUCKET}/ranged/big.bin`;
    await store.put(uri, pattern(4 * MiB, 1));
    const src = store.source(uri);
    const ac = new AbortController();
    const pending = src.fetch(0, 4 * MiB, { signal: ac.signal });
    ac.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    assert.equal(src.stats.requests, 0);
  });

  it('a writer over 8 MiB uploads multipart parts, invisible until commit()', async () => {
    const store = newStore();
    const key = 'multipart/cog.tif';
    const uri = `s3://${BUCKET}/${key}`;
    const w = await store.createWriter(uri);
    const whole = pattern(20 * MiB + 123, 9);
    for (let at = 0; at < whole.byteLength; at += MiB) await w.write(whole.subarray(at, Math.min(at + MiB, whole.byteLength)));
    assert.equal(await openUploads(key), 1);
    assert.equal(await store.head(uri), undefined);
    assert.deepEqual(await collect(store.list(`s3://${BUCKET}/multipart/`)), []);
    const info = await w.commit();
    assert.deepEqual(info, { uri, sizeBytes: 20 * MiB + 123 });
    const head = await store.head(uri);
    assert.deepEqual({ uri: head?.uri, sizeBytes: head?.sizeBytes }, { uri, sizeBytes: 20 * MiB + 123 });
    assert.match(head?.etag ?? '', /^"[0-9a-f]+-3"$/);
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    // A multipart object's ETag ends in -<parts>: 8 + 8 + 4 MiB.
    assert.match((await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ETag ?? '', /-3"$/);
    assert.deepEqual(await store.get(uri), whole);
    assert.equal(await openUploads(key), 0);
  });

  it('a small writer uses one PutObject (no multipart upload)', async () => {
    const store = newStore();
    const key = 'multipart/small.bin';
    const w = await store.createWriter(`s3://${BUCKET}/${key}`);
    await w.write(pattern(1000, 2));
    assert.equal(await openUploads(key), 0);
    await w.commit();
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    assert.doesNotMatch((await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ETag ?? '', /-\d+"$/);
  });

  it('abort() of a multipart writer aborts the upload and leaves nothing', async () => {
    const store = newStore();
    const key = 'multipart/aborted.tif';
    const uri = `s3://${BUCKET}/${key}`;
    const w = await store.createWriter(uri);
    await w.write(pattern(9 * MiB, 3));
    assert.equal(await openUploads(key), 1);
    await w.abort();
    assert.equal(await openUploads(key), 0);
    assert.equal(await store.head(uri), undefined);
    await assert.rejects(w.commit(), /already committed or aborted/);
  });

  it('deletePrefix removes more objects than one page lists', async () => {
    const store = newStore();
    const base = `s3://${BUCKET}/many/`;
    await Promise.all(Array.from({ length: 1001 }, (_, i) => store.put(joinUri(base, `o${String(i).padStart(4, '0')}`), 'x')));
    const listed = await collect(store.list(base));
    assert.equal(listed.length, 1001);
    assert.equal(listed[0].uri, `${base}o0000`);
    assert.equal(listed[1000].uri, `${base}o1000`);
    await store.deletePrefix(base);
    assert.deepEqual(await collect(store.list(base)), []);
  });

  it('a missing bucket is BucketNotFoundError, with how to create it', async () => {
    const store = newStore();
    const uri = 's3://no-such-bucket/a/b.tif';
    const isMissingBucket = (err: unknown): boolean => {
      assert.ok(err instanceof BucketNotFoundError, String(err));
      assert.equal(err.bucket, 'no-such-bucket');
      assert.equal(
        err.message,
        `${uri}: bucket "no-such-bucket" does not exist; create it first (e.g. \`aws s3 mb s3://no-such-bucket\`, or \`mc mb <alias>/no-such-bucket\` on MinIO)`,
      );
      return true;
    };
    await assert.rejects(store.get(uri), isMissingBucket);
    await assert.rejects(store.put(uri, 'x'), isMissingBucket);
    await assert.rejects(store.head(uri), isMissingBucket);
    await assert.rejects(store.source(uri).fetch(0, 10), isMissingBucket);
    await assert.rejects(collect(store.list('s3://no-such-bucket/a/')), BucketNotFoundError);
    const w = await store.createWriter(uri);
    await assert.rejects(w.write(pattern(9 * MiB, 1)), BucketNotFoundError);
  });

  it('a missing key is ObjectNotFoundError', async () => {
    const store = newStore();
    await assert.rejects(store.get(`s3://${BUCKET}/nope.tif`), { name: 'ObjectNotFoundError', message: `s3://${BUCKET}/nope.tif: object not found` });
    await assert.rejects(store.source(`s3://${BUCKET}/nope.tif`).size!(), ObjectNotFoundError);
  });

  it('bad credentials are StorageAccessError, and the secret appears nowhere in the error', async () => {
    const secret = 'definitely-wrong-secret-value';
    const store = newStore({ credentials: { accessKeyId: ROOT_USER, secretAccessKey: secret } });
    const unknownKey = newStore({ credentials: { accessKeyId: 'nobody', secretAccessKey: secret } });
    const uri = `s3://${BUCKET}/contract/x.tif`;
    const attempts = [() => store.get(uri), () => store.put(uri, 'x'), () => collect(store.list(`s3://${BUCKET}/`)), () => unknownKey.get(uri)];
    for (const attempt of attempts) {
      await assert.rejects(attempt(), (err: unknown) => {
        assert.ok(err instanceof StorageAccessError, String(err));
        assert.match(err.message, /access denied \((SignatureDoesNotMatch|InvalidAccessKeyId), HTTP 403\)/);
        assert.equal(err.message.includes(secret), false);
        return true;
      });
    }
  });

  it('the router sends s3:// to S3 with credentials from the default chain, sharing one client', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = ROOT_USER;
    process.env.AWS_SECRET_ACCESS_KEY = ROOT_PASSWORD;
    try {
      const config = loadConfig({ AWS_ENDPOINT_URL: endpoint });
      assert.equal(config.s3.forcePathStyle, true);
      const router = createStoreRouter(config);
      const uri = `s3://${BUCKET}/router/a.txt`;
      await router.put(uri, 'via router');
      assert.equal(new TextDecoder().decode(await router.get(uri)), 'via router');
      assert.equal(router.storeFor(uri), router.storeFor(`s3://${BUCKET}/other`));
      assert.equal(new TextDecoder().decode(await openStore(uri, config).get(uri)), 'via router');
      await router.close();
    } finally {
      for (const [k, v] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('the client cache keys clients by endpoint', async () => {
    const cache = new S3ClientCache();
    const a = cache.get({ endpoint, region: 'us-east-1', forcePathStyle: true });
    const b = cache.get({ endpoint, region: 'us-east-1', forcePathStyle: true });
    const c = cache.get({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1', forcePathStyle: true });
    assert.equal(a, b);
    assert.notEqual(await a, await c);
    await cache.close();
  });
});
