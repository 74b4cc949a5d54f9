import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySource } from './source';

describe('MemorySource', () => {
  it('returns views of its bytes, and a copy of them all (bytes that fill a buffer are the caller’s)', async () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i);
    const source = new MemorySource('mem', bytes);
    const part = await source.fetch(4, 8);
    assert.equal(part.buffer, bytes.buffer);
    assert.deepEqual(part, bytes.subarray(4, 12));
    const all = await source.fetch(0, 100);
    assert.notEqual(all.buffer, bytes.buffer);
    assert.deepEqual(all, bytes);
    structuredClone(all, { transfer: [all.buffer as ArrayBuffer] });
    assert.deepEqual(await source.fetch(0, 32), bytes, 'transferring what it returned leaves the source whole');
  });
});
