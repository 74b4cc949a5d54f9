import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { RuntimeOptions } from '@temporalio/worker';
import { LogTimestamp } from '@temporalio/worker/lib/logger';
import { createLogger, temporalLoggerAdapter } from './logger';

/** A destination that keeps every line written to it. */
function capture(): { stream: Writable; lines: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';

describe('createLogger', () => {
  it('writes JSON lines with the bindings and level filtering', () => {
    const out = capture();
    const log = createLogger({ level: 'info', pretty: false }, { service: 'worker' }, { destination: out.stream });
    log.debug('hidden');
    log.info({ tile: 12, sizeBytes: 4096 }, 'tile written');
    const lines = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 30);
    assert.equal(lines[0].msg, 'tile written');
    assert.equal(lines[0].service, 'worker');
    assert.equal(lines[0].tile, 12);
    assert.equal(lines[0].sizeBytes, 4096);
  });

  it('never writes a secret logged in a credential-like field', () => {
    const out = capture();
    const log = createLogger({ level: 'trace', pretty: false }, undefined, { destination: out.stream });
    log.info({ secretAccessKey: SECRET, accessKeyId: 'AKIAEXAMPLE' }, 'top level');
    log.info({ s3: { credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET } } }, 'nested');
    log.info({ temporal: { address: 'x:7233', apiKey: SECRET } }, 'config slice');
    log.info({ req: { headers: { authorization: `Bearer ${SECRET}` } } }, 'request');
    log.info({ headers: { authorization: `Bearer ${SECRET}` } }, 'headers');
    log.info({ env: { AWS_SECRET_ACCESS_KEY: SECRET, TEMPORAL_API_KEY: SECRET, HOME: '/root' } }, 'environment');
    log.child({ password: SECRET }).warn('child bindings');
    const lines = out.lines();
    assert.equal(lines.length, 7);
    for (const line of lines) {
      assert.equal(line.includes(SECRET), false, line);
      assert.equal(line.includes('AKIAEXAMPLE'), false, line);
    }
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>);
    assert.equal(parsed[0].secretAccessKey, '[Redacted]');
    assert.equal(parsed[1].s3.credentials, '[Redacted]');
    assert.equal(parsed[2].temporal.apiKey, '[Redacted]');
    assert.equal(parsed[2].temporal.address, 'x:7233');
    assert.equal(parsed[3].req.headers.authorization, '[Redacted]');
    assert.equal(parsed[5].env.HOME, '/root');
    assert.equal(parsed[6].password, '[Redacted]');
  });

  it('pretty output is human-readable and redacted too', () => {
    const out = capture();
    const log = createLogger({ level: 'info', pretty: true }, undefined, { destination: out.stream });
    log.info({ apiKey: SECRET, tile: 3 }, 'tile written');
    const text = out.lines().join('\n');
    assert.match(text, /INFO.*tile written/);
    assert.match(text, /tile: 3/);
    assert.equal(text.includes(SECRET), false);
    assert.match(text, /\[Redacted\]/);
  });
});

describe('temporalLoggerAdapter', () => {
  it('maps the five Temporal levels and keeps metadata as fields', () => {
    const out = capture();
    const adapter = temporalLoggerAdapter(createLogger({ level: 'trace', pretty: false }, undefined, { destination: out.stream }));
    adapter.trace('t');
    adapter.debug('d', { sdkComponent: 'worker' });
    adapter.info('Activity started', { workflowId: 'scene-1', activityId: '7', attempt: 2, [LogTimestamp]: 123n });
    adapter.warn('w');
    adapter.error('failed', { error: new Error('boom') });
    adapter.log('INFO', 'via log', { taskQueue: 'tessera' });
    adapter.flush();
    const lines = out.lines().map((l) => JSON.parse(l) as Record<string, any>);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [
        [10, 't'],
        [20, 'd'],
        [30, 'Activity started'],
        [40, 'w'],
        [50, 'failed'],
        [30, 'via log'],
      ],
    );
    assert.equal(lines[1].sdkComponent, 'worker');
    assert.equal(lines[2].workflowId, 'scene-1');
    assert.equal(lines[2].attempt, 2);
    assert.equal(lines[4].error.message, 'boom');
    assert.equal(lines[4].error.type, 'Error');
    assert.equal(lines[5].taskQueue, 'tessera');
  });

  it('installs as the Temporal Runtime logger, so SDK log lines land in pino', async () => {
    const { Runtime } = await import('@temporalio/worker');
    const out = capture();
    const options: RuntimeOptions = {
      logger: temporalLoggerAdapter(createLogger({ level: 'info', pretty: false }, undefined, { destination: out.stream })),
    };
    const runtime = Runtime.install(options);
    try {
      runtime.logger.info('from the runtime', { sdkComponent: 'worker', taskQueue: 'tessera' });
      const line = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'from the runtime');
      assert.ok(line, out.lines().join('\n'));
      assert.equal(line.level, 30);
      assert.equal(line.taskQueue, 'tessera');
      assert.equal(line.sdkComponent, 'worker');
    } finally {
      await runtime.shutdown();
    }
  });
});
