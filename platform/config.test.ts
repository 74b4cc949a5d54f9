import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configFieldDocs, ConfigError, describeConfig, loadConfig, type ConfigFieldDoc } from './config';

const ctx = { cwd: '/srv/tessera', isTTY: false, cpus: 6 };

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    assert.deepEqual(loadConfig({}, {}, ctx), {
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'tessera', uiUrl: 'http://127.0.0.1:8233' },
      s3: { region: 'us-east-1', forcePathStyle: false },
      worker: { threads: 6, concurrency: 7 },
      output: { defaultUri: 'file:///srv/tessera/.out' },
      log: { level: 'info', pretty: false },
    });
    assert.equal(loadConfig({}, {}, { ...ctx, isTTY: true }).log.pretty, true);
  });

  it('reads every variable', () => {
    const c = loadConfig(
      {
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_NAMESPACE: 'raster',
        TESSERA_TASK_QUEUE: 'tessera-prod',
        TEMPORAL_UI_URL: 'https://temporal-ui.internal',
        TEMPORAL_TLS_SERVER_NAME: 'temporal.example',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/certs/ca.pem',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/certs/client.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/certs/client.key',
        TEMPORAL_API_KEY: 'k-123',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9000',
        AWS_ENDPOINT_URL_S3: 'http://minio:9000',
        AWS_REGION: 'eu-west-1',
        TESSERA_THREADS: '4',
        TESSERA_CONCURRENCY: '8',
        TESSERA_OUT: 'results',
        LOG_LEVEL: 'DEBUG',
        TESSERA_LOG_PRETTY: 'yes',
      },
      {},
      ctx,
    );
    assert.deepEqual(c, {
      temporal: {
        address: 'temporal.internal:7233',
        namespace: 'raster',
        taskQueue: 'tessera-prod',
        uiUrl: 'https://temporal-ui.internal',
        tls: {
          serverName: 'temporal.example',
          serverRootCaPath: '/certs/ca.pem',
          clientCertPath: '/certs/client.pem',
          clientKeyPath: '/certs/client.key',
        },
        apiKey: 'k-123',
      },
      s3: { endpoint: 'http://minio:9000', region: 'eu-west-1', forcePathStyle: true },
      worker: { threads: 4, concurrency: 8 },
      output: { defaultUri: 'file:///srv/tessera/results' },
      log: { level: 'debug', pretty: true },
    });
  });

  it('derives dependent defaults: concurrency from threads, path style from the endpoint, TLS from the API key', () => {
    const c = loadConfig({ TESSERA_THREADS: '3', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000', TEMPORAL_API_KEY: 'k' }, {}, ctx);
    assert.equal(c.worker.concurrency, 4);
    assert.equal(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7300' }, {}, ctx).temporal.uiUrl, 'http://temporal:8300');
    assert.equal(c.s3.forcePathStyle, true);
    assert.deepEqual(c.temporal.tls, {});
    assert.equal(loadConfig({ AWS_ENDPOINT_URL: 'http://x:9000', TESSERA_S3_FORCE_PATH_STYLE: 'false' }, {}, ctx).s3.forcePathStyle, false);
    assert.equal(loadConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }, {}, ctx).temporal.tls, undefined);
    assert.deepEqual(loadConfig({ TEMPORAL_TLS: 'true' }, {}, ctx).temporal.tls, {});
  });

  it('treats empty variables as unset, so a secret never defaults to ""', () => {
    const c = loadConfig({ TEMPORAL_API_KEY: '', TESSERA_THREADS: '  ', TESSERA_OUT: '' }, {}, ctx);
    assert.equal('apiKey' in c.temporal, false);
    assert.equal(c.worker.threads, 6);
    assert.equal(c.output.defaultUri, 'file:///srv/tessera/.out');
  });

  it('lets overrides win over the environment', () => {
    const c = loadConfig({ TESSERA_THREADS: '4', LOG_LEVEL: 'warn' }, { worker: { threads: 2 }, output: { defaultUri: 's3://out/runs/' } }, ctx);
    assert.deepEqual(c.worker, { threads: 2, concurrency: 3 });
    assert.equal(c.output.defaultUri, 's3://out/runs/');
    assert.equal(c.log.level, 'warn');
  });

  it('replaces temporal.tls as a whole when an override names it', () => {
    const env = { TEMPORAL_TLS: 'maybe', TEMPORAL_TLS_SERVER_NAME: 'from-env', TEMPORAL_API_KEY: 'k' };
    assert.deepEqual(loadConfig(env, { temporal: { tls: { serverRootCaPath: '/ca.pem' } } }, ctx).temporal.tls, { serverRootCaPath: '/ca.pem' });
    assert.equal(loadConfig(env, { temporal: { tls: undefined } }, ctx).temporal.tls, undefined);
    assert.throws(() => loadConfig({}, { temporal: { tls: { clientCertPath: '/c.pem' } } }, ctx), /mTLS needs both a client certificate and a client key/);
  });

  it('returns a frozen object', () => {
    const c = loadConfig({}, {}, ctx);
    assert.equal(Object.isFrozen(c), true);
    assert.equal(Object.isFrozen(c.worker), true);
    assert.throws(() => {
      (c.worker as { threads: number }).threads = 99;
    }, TypeError);
  });

  it('lists every invalid field in one ConfigError', () => {
    const env = {
      TESSERA_THREADS: 'abc',
      TESSERA_CONCURRENCY: '0',
      TEMPORAL_ADDRESS: 'temporal:99999',
      TEMPORAL_NAMESPACE: 'has space',
      TESSERA_S3_FORCE_PATH_STYLE: 'maybe',
      AWS_ENDPOINT_URL: 'minio:9000',
      AWS_REGION: 'EU WEST',
      TESSERA_OUT: 'ftp://x/y',
      LOG_LEVEL: 'loud',
      TESSERA_LOG_PRETTY: '2',
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem',
    };
    assert.throws(
      () => loadConfig(env, {}, ctx),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(
          err.issues.map((i) => [i.env, i.message]),
          [
            ['TESSERA_S3_FORCE_PATH_STYLE', 'expected true or false, got "maybe"'],
            ['TESSERA_THREADS', 'expected an integer from 1 to 1024, got "abc"'],
            ['TESSERA_CONCURRENCY', 'expected an integer from 1 to 10000, got "0"'],
            ['TESSERA_OUT', 'unsupported scheme "ftp:" (expected file://, s3:// or memory://) (got "ftp://x/y")'],
            ['LOG_LEVEL', 'expected one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
            ['TESSERA_LOG_PRETTY', 'expected true or false, got "2"'],
            ['TEMPORAL_ADDRESS', 'port 99999 is out of range 1-65535'],
            ['TEMPORAL_NAMESPACE', 'expected a non-empty name without spaces, got "has space"'],
            ['TEMPORAL_TLS_CLIENT_CERT_PATH / TEMPORAL_TLS_CLIENT_KEY_PATH', 'mTLS needs both a client certificate and a client key'],
            ['AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL', 'expected an http(s) URL, got "minio:9000"'],
            ['AWS_REGION', 'expected a region name like us-east-1, got "EU WEST"'],
          ],
        );
        assert.match(err.message, /^invalid configuration \(11 problems\):\n {2}- TESSERA_S3_FORCE_PATH_STYLE \(s3\.forcePathStyle\): expected true or false, got "maybe"\n/);
        assert.match(err.message, /\n {2}- TESSERA_THREADS \(worker\.threads\): expected an integer from 1 to 1024, got "abc"/);
        return true;
      },
    );
  });

  it('reports bad overrides by key, and never echoes the API key', () => {
    assert.throws(
      () => loadConfig({}, { worker: { threads: 1.5 }, temporal: { apiKey: '' } }, ctx),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.issues, [
          { key: 'temporal.apiKey', env: undefined, message: 'must be a non-empty string when set (value not shown)' },
          { key: 'worker.threads', env: undefined, message: 'expected an integer from 1 to 1024, got 1.5' },
        ]);
        return true;
      },
    );
  });

  it('rejects TEMPORAL_TLS=false together with TLS files', () => {
    assert.throws(() => loadConfig({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/ca.pem' }, {}, ctx), {
      name: 'ConfigError',
      message: 'invalid configuration (1 problem):\n  - TEMPORAL_TLS (temporal.tls): is false, but TEMPORAL_TLS_* settings are set',
    });
  });
});

describe('describeConfig', () => {
  it('gives one row per field with env var, value, default and description, and hides secrets', () => {
    const rows = describeConfig(loadConfig({ TEMPORAL_API_KEY: 'super-secret-key', TESSERA_THREADS: '2' }, {}, ctx));
    assert.equal(rows.length, 18);
    assert.deepEqual(
      rows.find((r) => r.key === 'worker.threads'),
      {
        key: 'worker.threads',
        env: 'TESSERA_THREADS',
        value: '2',
        default: 'number of CPUs (os.availableParallelism())',
        description: 'raster thread-pool size per worker',
      },
    );
    assert.equal(rows.find((r) => r.key === 'temporal.apiKey')?.value, '(set)');
    assert.equal(rows.find((r) => r.key === 'temporal.tls')?.value, 'on');
    assert.equal(rows.find((r) => r.key === 's3.endpoint')?.value, '(unset)');
    assert.equal(JSON.stringify(rows).includes('super-secret-key'), false);
    for (const r of rows) for (const f of ['key', 'env', 'value', 'default', 'description'] as const) assert.notEqual(r[f], '');
  });
});

describe('the README configuration table', () => {
  // Compiled tests run from dist/platform/; the README sits at the repository root.
  const README = join(__dirname, '..', '..', 'README.md');

  const unescape = (cell: string): string => cell.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const escape = (cell: string): string => cell.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

  /** The rows of the first table under "## Configuration", as field docs. */
  function readmeRows(markdown: string): ConfigFieldDoc[] {
    const section = markdown.split(/^## Configuration\s*$/m)[1];
    assert.ok(section, 'README has a "## Configuration" section');
    const lines = section.split('\n');
    const start = lines.findIndex((l) => l.startsWith('|'));
    const table: string[] = [];
    for (let i = start; i >= 0 && i < lines.length && lines[i].startsWith('|'); i++) table.push(lines[i]);
    const cells = (line: string) => line.slice(1, line.lastIndexOf('|')).split('|').map((c) => c.trim());
    assert.deepEqual(cells(table[0]), ['variable', 'key', 'default', 'meaning']);
    return table.slice(2).map((line) => {
      const [variable, key, dflt, meaning] = cells(line);
      return { key, env: variable.replace(/`/g, ''), default: unescape(dflt), description: unescape(meaning) };
    });
  }

  it('lists exactly the fields of platform/config.ts, with their variables, defaults and meanings', () => {
    const expected = configFieldDocs();
    const table = expected.map((f) => `| ${f.env.split(', ').map((e) => `\`${e}\``).join(', ')} | ${f.key} | ${escape(f.default)} | ${escape(f.description)} |`);
    assert.deepEqual(readmeRows(readFileSync(README, 'utf8')), expected, `README.md's configuration rows should read:\n${table.join('\n')}`);
  });

  it('documents the defaults loadConfig applies', () => {
    const docs = new Map(configFieldDocs().map((f) => [f.key, f.default]));
    const c = loadConfig({}, {}, { cwd: '/srv', isTTY: false, cpus: 3 });
    // Fixed defaults are shown as the value itself; the rest are rules, checked by the cases above.
    for (const [key, value] of [
      ['temporal.address', c.temporal.address],
      ['temporal.namespace', c.temporal.namespace],
      ['temporal.taskQueue', c.temporal.taskQueue],
      ['s3.region', c.s3.region],
      ['log.level', c.log.level],
    ]) {
      assert.equal(docs.get(key), value, key);
    }
    assert.equal(docs.get('worker.concurrency'), 'worker.threads + 1');
    assert.equal(c.worker.concurrency, c.worker.threads + 1);
  });
});
