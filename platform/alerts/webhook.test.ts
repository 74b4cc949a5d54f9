import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver';
import { postAlert, WebhookRejectedError, WebhookUnavailableError } from './webhook';

describe('postAlert', () => {
  let rx: WebhookReceiver;
  before(async () => {
    rx = await startWebhookReceiver();
  });
  after(async () => {
    await rx.close();
  });

  it('POSTs JSON with the idempotency key and attempt headers', async () => {
    const status = await postAlert(`${rx.url}/hook`, { rule: 'bloom', value: 3 }, { idempotencyKey: 'k1', attempt: 2 });
    assert.equal(status, 200);
    const last = rx.requests.at(-1)!;
    assert.deepEqual([last.method, last.path, last.idempotencyKey, last.attempt, last.body], ['POST', '/hook', 'k1', 2, { rule: 'bloom', value: 3 }]);
  });

  it('a 5xx, 408 or 429 may pass (retryable); another 4xx is a refusal (not retryable)', async () => {
    for (const status of [500, 503, 408, 429]) {
      rx.failNext(1, status);
      await assert.rejects(postAlert(rx.url, {}, { idempotencyKey: 'k', attempt: 1 }), (err: unknown) => err instanceof WebhookUnavailableError && err.status === status && err.retryable);
    }
    for (const status of [400, 401, 404]) {
      rx.failNext(1, status);
      await assert.rejects(postAlert(rx.url, {}, { idempotencyKey: 'k', attempt: 1 }), (err: unknown) => err instanceof WebhookRejectedError && err.status === status && !err.retryable);
    }
  });

  it('a receiver that does not answer in time aborts the attempt (a plain error: retried)', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      await assert.rejects(postAlert(`http://127.0.0.1:${port}/`, {}, { idempotencyKey: 'k', attempt: 1, timeoutMs: 300 }), (err: unknown) => err instanceof Error && !(err instanceof WebhookRejectedError) && !(err instanceof WebhookUnavailableError));
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
