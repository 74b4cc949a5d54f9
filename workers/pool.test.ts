import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTileEncoding, encodeTile } from '../raster/cog/tile-codec';
import { TaskCancelledError, ThreadPool } from './pool';
import { PRODUCTS } from '../workflows/products';

const encoding = resolveTileEncoding({ compression: 'deflate', level: 6, tileSizePx: 512 }, 'float32', 1);
const pixels = () => Float32Array.from({ length: 512 * 512 }, (_, i) => Math.sin(i / 97));

test('threads return the same bytes as the inline pool and the library call', async () => {
  const expected = encodeTile(encoding, pixels());
  const threaded = new ThreadPool(2);
  const inline = new ThreadPool(0);
  try {
    const [a, b] = await Promise.all([threaded.run({ kind: 'encode-tile', encoding, pixels: pixels() }), threaded.run({ kind: 'encode-tile', encoding, pixels: pixels() })]);
    const c = await inline.run({ kind: 'encode-tile', encoding, pixels: pixels() });
    assert.deepEqual(a, expected);
    assert.deepEqual(b, expected);
    assert.deepEqual(c, expected);
    assert.equal(threaded.completed, 2);
  } finally {
    await threaded.close();
    await inline.close();
  }
});

test('aborting a running task rejects it at once and the pool keeps working', async () => {
  const pool = new ThreadPool(1);
  try {
    const big = resolveTileEncoding({ compression: 'deflate', level: 9, tileSizePx: 4096 }, 'float32', 1);
    const ac = new AbortController();
    const running = pool.run({ kind: 'encode-tile', encoding: big, pixels: Float32Array.from({ length: 4096 * 4096 }, (_, i) => Math.sin(i / 7) * i) }, [], ac.signal);
    const queued = pool.run({ kind: 'encode-tile', encoding, pixels: pixels() }, [], ac.signal);
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = Date.now();
      ac.abort();
    }, 50);
    await assert.rejects(running, TaskCancelledError);
    // Rejected on abort, not when the (multi-second) computation would have ended.
    assert.ok(Date.now() - abortedAt < 1500, 'cancellation does not wait for the computation');
    await assert.rejects(queued, TaskCancelledError);
    // The terminated thread was replaced.
    const after = await pool.run({ kind: 'encode-tile', encoding, pixels: pixels() });
    assert.deepEqual(after, encodeTile(encoding, pixels()));
  } finally {
    await pool.close();
  }
});

test('an error thrown in a thread keeps its class name and its retryable decision', async () => {
  const pool = new ThreadPool(1);
  try {
    const job = { file: 'bad.tif', codec: { file: 'bad.tif', compression: 5, predictor: 1, sampleType: 'float32', bitsPerSample: 32, samplesPerPixel: 1, blockWidth: 16, blockHeight: 16, littleEndian: true }, blocks: [{ bytes: new Uint8Array([1, 2, 3]), x: 0, y: 0, rows: 16, plane: 0 }], col: 0, row: 0, window: { x: 0, y: 0, width: 16, height: 16 }, tileSizePx: 16, bands: { g: 0, n: 0 }, nodata: null, definitions: [PRODUCTS.ndwi], params: {}, products: ['ndwi'], programKey: 'pool-test', overviews: false, previewFactor: 0, previewPlanes: [], encodings: { float32: encoding } } as never;
    await assert.rejects(pool.run({ kind: 'product-tile', job }), (err: Error & { retryable?: boolean }) => err.name === 'TiffFormatError' && /bad\.tif/.test(err.message) && err.retryable === false);
  } finally {
    await pool.close();
  }
});
