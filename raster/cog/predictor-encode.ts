/**
 * TIFF predictor encoders (the inverse of libtiff's horAcc / fpAcc). Both work in place on a private copy of one
 * tile, row by row, where a row is tileSizePx pixels x samplesPerPixel samples (padding included).
 */
import { LITTLE_ENDIAN_HOST } from '../compression/byte-order';

/**
 * Predictor 2: per row, each sample minus the same sample of the previous pixel, wrapping on the sample's bit width.
 * Float samples are differenced as raw bit patterns (libtiff and GDAL accept that).
 */
export function horizontalDiffInPlace(bytes: Uint8Array, bytesPerSample: number, rowSamples: number, spp: number): void {
  const rows = bytes.byteLength / (rowSamples * bytesPerSample);
  const { buffer, byteOffset } = bytes;
  const total = rows * rowSamples;
  switch (bytesPerSample) {
    case 1:
      diffRows(bytes, rows, rowSamples, spp);
      return;
    case 2:
      diffRows(new Uint16Array(buffer, byteOffset, total), rows, rowSamples, spp);
      return;
    case 4:
      diffRows(new Uint32Array(buffer, byteOffset, total), rows, rowSamples, spp);
      return;
    case 8: {
      // BigInt stores wrap modulo 2^64, which is exactly the TIFF rule; 64-bit + predictor 2 is rare, so simplicity wins.
      const v = new BigUint64Array(buffer, byteOffset, total);
      for (let r = 0; r < rows; r++) {
        const start = r * rowSamples;
        for (let i = start + rowSamples - 1; i >= start + spp; i--) v[i] = v[i] - v[i - spp];
      }
      return;
    }
    default:
      throw new RangeError(`predictor 2: unsupported sample size ${bytesPerSample} bytes`);
  }
}

function diffRows(v: Uint8Array | Uint16Array | Uint32Array, rows: number, rowSamples: number, spp: number): void {
  for (let r = 0; r < rows; r++) {
    const start = r * rowSamples;
    // Backwards, so each difference reads the original left neighbour; typed-array stores wrap on the word width.
    for (let i = start + rowSamples - 1; i >= start + spp; i--) v[i] = v[i] - v[i - spp];
  }
}

/**
 * Predictor 3 (TIFF TechNote 3): per row, split the samples into byte planes, most significant plane first
 * (big-endian order whatever the file's byte order), then difference bytes with stride spp over the whole row,
 * from the end backwards. `src` holds native little-endian samples; the result goes to `dst` (same length).
 */
export function floatingPointPredict(src: Uint8Array, dst: Uint8Array, bytesPerSample: number, rowSamples: number, spp: number): void {
  const rowBytes = rowSamples * bytesPerSample;
  const rows = src.byteLength / rowBytes;
  if (bytesPerSample === 4 && LITTLE_ENDIAN_HOST && src.byteOffset % 4 === 0) {
    floatPredict32(new Uint32Array(src.buffer, src.byteOffset, rows * rowSamples), dst, rowSamples, spp);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * rowBytes;
    for (let p = 0; p < bytesPerSample; p++) {
      // Plane p takes byte (bps-1-p) of every little-endian sample.
      let s = base + bytesPerSample - 1 - p;
      const planeStart = base + p * rowSamples;
      const planeEnd = planeStart + rowSamples;
      for (let d = planeStart; d < planeEnd; d++, s += bytesPerSample) dst[d] = src[s];
    }
    for (let i = base + rowBytes - 1; i >= base + spp; i--) dst[i] = dst[i] - dst[i - spp];
  }
}

/**
 * Predictor 3 on float32 words in one pass (same bytes as the plane split + difference above, 3x faster): every
 * byte of the differenced row is a byte of word w minus the same byte of word w - spp, both read from the source,
 * so nothing waits on a byte just written. The first spp samples of planes 1-3 take their left neighbour from the
 * previous plane's end, plane 0's stay as they are. Uint8Array stores keep the low 8 bits, which is the wrap.
 */
function floatPredict32(words: Uint32Array, dst: Uint8Array, n: number, spp: number): void {
  const rows = words.length / n;
  for (let r = 0; r < rows; r++) {
    const w0 = r * n;
    const d0 = w0 * 4;
    const d1 = d0 + n;
    const d2 = d1 + n;
    const d3 = d2 + n;
    const head = Math.min(spp, n);
    for (let w = 0; w < head; w++) {
      const v = words[w0 + w];
      const u = words[w0 + n - spp + w];
      dst[d0 + w] = v >>> 24;
      dst[d1 + w] = ((v >>> 16) & 0xff) - (u >>> 24);
      dst[d2 + w] = ((v >>> 8) & 0xff) - ((u >>> 16) & 0xff);
      dst[d3 + w] = (v & 0xff) - ((u >>> 8) & 0xff);
    }
    for (let w = head; w < n; w++) {
      const v = words[w0 + w];
      const u = words[w0 + w - spp];
      dst[d0 + w] = (v >>> 24) - (u >>> 24);
      dst[d1 + w] = (v >>> 16) - (u >>> 16);
      dst[d2 + w] = (v >>> 8) - (u >>> 8);
      dst[d3 + w] = v - u;
    }
  }
}
