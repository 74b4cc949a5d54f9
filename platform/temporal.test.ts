import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config';
import { connectionOptions } from './temporal';

describe('connectionOptions', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-tls-'));
    await writeFile(join(dir, 'ca.pem'), 'CA PEM');
    await writeFile(join(dir, 'client.pem'), 'CERT PEM');
    await writeFile(join(dir, 'client.key'), 'KEY PEM');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is plaintext by default, and fits both the worker and the client connection', async () => {
    const opts = await connectionOptions(loadConfig({}).temporal);
    assert.deepEqual(opts, { address: '127.0.0.1:7233', tls: false });
    const native: NativeConnectionOptions = opts;
    const client: ConnectionOptions = opts;
    assert.equal(native.address, client.address);
  });

  it('reads the certificate files for mTLS and passes the API key', async () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'ns.tmprl.example:7233',
      TEMPORAL_API_KEY: 'key-1',
      TEMPORAL_TLS_SERVER_NAME: 'ns.tmprl.example',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'ca.pem'),
      TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'client.key'),
    });
    const opts = await connectionOptions(config.temporal);
    const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);
    assert.equal(opts.address, 'ns.tmprl.example:7233');
    assert.equal(opts.apiKey, 'key-1');
    assert.ok(opts.tls);
    assert.equal(opts.tls.serverNameOverride, 'ns.tmprl.example');
    assert.equal(text(opts.tls.serverRootCACertificate), 'CA PEM');
    assert.equal(text(opts.tls.clientCertPair?.crt), 'CERT PEM');
    assert.equal(text(opts.tls.clientCertPair?.key), 'KEY PEM');
  });

  it('turns TLS on with system roots for an API key alone, and keeps it off when TEMPORAL_TLS=false', async () => {
    assert.deepEqual(await connectionOptions(loadConfig({ TEMPORAL_API_KEY: 'k' }).temporal), { address: '127.0.0.1:7233', tls: {}, apiKey: 'k' });
    assert.deepEqual(await connectionOptions(loadConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).temporal), {
      address: '127.0.0.1:7233',
      tls: false,
      apiKey: 'k',
    });
  });

  it('names every unreadable certificate file in one ConfigError', async () => {
    const config = loadConfig({
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing-ca.pem'),
      TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'missing.key'),
    });
    await assert.rejects(connectionOptions(config.temporal), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.issues, [
        { key: 'temporal.tls.serverRootCaPath', env: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', message: `cannot read ${join(dir, 'missing-ca.pem')}: ENOENT` },
        { key: 'temporal.tls.clientKeyPath', env: 'TEMPORAL_TLS_CLIENT_KEY_PATH', message: `cannot read ${join(dir, 'missing.key')}: ENOENT` },
      ]);
      return true;
    });
  });
});
