/**
 * The synthetic scene as a function of pixel coordinates: a lake on the west side (clear, with a blooming northern
 * part), land to the east (vegetation in the south, bare soil in the north), soft region boundaries, per-sample
 * noise, and a nodata border shaped like the slanted, slightly wavy edges of a push-broom swath. Layout uses
 * coordinates normalised to the scene size, so every size shows every cover.
 */
import { endmembers } from './spectra';
import { fbm, hash3, smoothstep } from './noise';

export const SCENE_NODATA = -9999;

export class SceneModel {
  private readonly em: Float64Array[];
  private readonly bands: number;

  constructor(
    readonly seed: number,
    readonly width: number,
    readonly height: number,
    wavelengthsNm: readonly number[],
  ) {
    this.em = endmembers(wavelengthsNm);
    this.bands = wavelengthsNm.length;
  }

  /** True outside the swath: the left and right edges lean with the row and wiggle a little. */
  isNodata(x: number, y: number): boolean {
    const u = x / this.width;
    const v = y / this.height;
    const wiggle = 0.01 * Math.sin(v * 23 + (this.seed % 7)) + 0.006 * Math.sin(v * 71);
    return u < 0.04 + 0.08 * v + wiggle || u > 0.985 - 0.08 * (1 - v) + wiggle;
  }

  /** Fractions of [clear water, bloom water, vegetation, soil] at a pixel, plus a brightness factor. */
  private mix(x: number, y: number, out: Float64Array): void {
    const u = x / this.width;
    const v = y / this.height;
    const s = this.seed;
    const shore = u - 0.45 + 0.18 * (fbm(u * 2.5, v * 2.5, s) - 0.5);
    const water = smoothstep(0.012, -0.012, shore);
    const bloom = smoothstep(0.5, 0.58, 0.65 * (1 - v) + 0.35 * fbm(u * 3 + 11, v * 3, s + 1));
    const veg = smoothstep(0.44, 0.54, 0.6 * v + 0.4 * fbm(u * 4, v * 4 + 7, s + 2));
    out[0] = water * (1 - bloom);
    out[1] = water * bloom;
    out[2] = (1 - water) * veg;
    out[3] = (1 - water) * (1 - veg);
    out[4] = 0.85 + 0.3 * fbm(u * 9, v * 9, s + 3);
  }

  /**
   * Renders the padded tile (col, row) of size t x t x bands, pixel-interleaved float32 reflectance; pixels outside
   * the swath or the image get SCENE_NODATA.
   */
  renderTile(col: number, row: number, t: number): Float32Array {
    const nb = this.bands;
    const out = new Float32Array(t * t * nb);
    out.fill(SCENE_NODATA);
    const [e0, e1, e2, e3] = this.em;
    const m = new Float64Array(5);
    const seed = this.seed;
    for (let ty = 0; ty < t; ty++) {
      const y = row * t + ty;
      if (y >= this.height) break;
      for (let tx = 0; tx < t; tx++) {
        const x = col * t + tx;
        if (x >= this.width) break;
        if (this.isNodata(x, y)) continue;
        this.mix(x, y, m);
        const w0 = m[0];
        const w1 = m[1];
        // Land brightness varies (soil moisture, canopy density); water brightness is left alone.
        const w2 = m[2] * m[4];
        const w3 = m[3] * m[4];
        let state = hash3(x, y, seed);
        const o = (ty * t + tx) * nb;
        for (let b = 0; b < nb; b++) {
          const r = w0 * e0[b] + w1 * e1[b] + w2 * e2[b] + w3 * e3[b];
          // One 32-bit hash per sample, split into two 16-bit uniforms: triangular noise in [-1, 1].
          state = (state + 0x9e3779b9) | 0;
          let z = Math.imul(state ^ (state >>> 16), 0x85ebca6b);
          z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
          z ^= z >>> 16;
          const n = ((z & 0xffff) + ((z >>> 16) & 0xffff)) / 65536 - 1;
          // Quantised to 2^-14 (~6e-5 reflectance, below the noise), like a 14-bit sensor's calibrated output:
          // the low mantissa bits are zero, which is what lets real products compress.
          const v = Math.round((r + n * (0.001 + 0.01 * r)) * 16384) / 16384;
          out[o + b] = v > 0 ? v : 0;
        }
      }
    }
    return out;
  }
}
