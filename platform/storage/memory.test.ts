import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryObjectStore } from './memory';
import { storeContract } from './store-contract';

describe('MemoryObjectStore', () => {
  const store = new MemoryObjectStore();
  let n = 0;
  storeContract(async () => ({ store, base: `memory://unit/t${++n}/`, foreignUri: 's3://bucket/x' }));

  it('copies bytes in and out, so callers cannot change a stored object', async () => {
    const s = new MemoryObjectStore();
    const body = new Uint8Array([1, 2, 3]);
    await s.put('memory://m/k', body);
    body[0] = 9;
    const got = await s.get('memory://m/k');
    got[1] = 9;
    assert.deepEqual(await s.get('memory://m/k'), new Uint8Array([1, 2, 3]));
  });

  it('accepts Buffers and other views as bodies and chunks', async () => {
    const s = new MemoryObjectStore();
    await s.put('memory://m/buf', Buffer.from('buffer'));
    const w = await s.createWriter('memory://m/view');
    await w.write(new DataView(new Uint8Array([7, 8, 9]).buffer, 1, 2));
    await w.write(new Uint16Array([0x0201]));
    await w.commit();
    assert.equal(new TextDecoder().decode(await s.get('memory://m/buf')), 'buffer');
    assert.deepEqual(await s.get('memory://m/view'), new Uint8Array([8, 9, 1, 2]));
  });

  it('keeps the content type', async () => {
    const s = new MemoryObjectStore();
    await s.put('memory://m/a.tif', 'x', { contentType: 'image/tiff' });
    const w = await s.createWriter('memory://m/b.json', { contentType: 'application/json' });
    await w.write(new Uint8Array([123, 125]));
    await w.commit();
    assert.equal(s.contentType('memory://m/a.tif'), 'image/tiff');
    assert.equal(s.contentType('memory://m/b.json'), 'application/json');
  });
});
