/**
 * A tile's products as one program: the fused HAB kernel for the built-ins it serves, then the formula products
 * in as few compiled formula sets as their references allow (one, unless a formula reads another formula
 * product, as a mask of NDCI does), all over the same decoded bands. Compiled once per worker thread and kept
 * under the plan's program key; each tile only allocates its output arrays and runs the passes.
 */
import { habFused } from '../../indices/hab-fused';
import { WATER_NDWI_THRESHOLD } from '../../indices/hab';
import { compileFormulas, type CompiledFormulaSet, type FormulaSpec } from '../../indices/formula-set';
import type { BandView } from '../../indices/band-view';
import { MASK_NODATA, type ComparisonOp, type HabRoleName, type ProductDefinition } from './definition';
import { sideNumber } from './formula-text';
import { evaluatedFormula } from './resolve';

/** Every product's values on one tile: float32 with NaN as nodata; masks also as uint8 1/0/255. */
export interface ProductValues {
  f32: Record<string, Float32Array>;
  masks: Record<string, Uint8Array>;
}

interface MaskPlan {
  product: string;
  op: ComparisonOp;
  /** Output index of the left side in the level's set. */
  left: number;
  /** Output index of the right side, or the number it is. */
  right: number | { constant: number };
}

interface Level {
  set: CompiledFormulaSet;
  /** Per set input: the band role it reads, or the product whose values it reads. */
  inputs: Record<string, { role: string } | { product: string }>;
  /** Value products: output index → product. */
  values: Array<{ product: string; output: number }>;
  masks: MaskPlan[];
  outputs: number;
}

export interface TileProgram {
  /** Band roles the program reads (decode these and nothing else). */
  readonly roles: readonly string[];
  /** Evaluates every product on `count` pixels of decoded bands (NaN = nodata). */
  run(bands: Readonly<Record<string, Float32Array>>, count: number, params: Readonly<Record<string, Readonly<Record<string, number>>>>): ProductValues;
}

const HAB_INPUTS: readonly HabRoleName[] = ['g', 'n', 're', 'r'];
const cache = new Map<string, TileProgram>();
/** Programs kept per thread: a worker serves a few runs at a time. */
const MAX_PROGRAMS = 32;

/**
 * The program of `definitions` (dependencies first), compiled on first use in this thread and then reused.
 * @param key identifies the definitions (the plan's program key); equal keys must mean equal definitions.
 * @param available band roles the tile has matched; HAB inputs it lacks read the first of them (their products
 *   are not asked for, but the fused kernel computes all four at once).
 */
export function tileProgram(key: string, definitions: readonly ProductDefinition[], available: readonly string[]): TileProgram {
  const hit = cache.get(key);
  if (hit) return hit;
  const program = compileProgram(definitions, available);
  if (cache.size >= MAX_PROGRAMS) cache.delete(cache.keys().next().value as string);
  cache.set(key, program);
  return program;
}

function compileProgram(definitions: readonly ProductDefinition[], available: readonly string[]): TileProgram {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const hab = definitions.filter((d) => d.kernel.kind === 'hab');
  const habRoles = hab.length ? HAB_INPUTS.map((r) => (available.includes(r) ? r : available[0])) : [];

  // Level 0: HAB and the RGB planes; a formula product one above the deepest product it reads.
  const depth = new Map<string, number>();
  const levelOf = (d: ProductDefinition): number => {
    if (d.kernel.kind === 'hab' || d.kernel.kind === 'rgb') return 0;
    const known = depth.get(d.name);
    if (known !== undefined) return known;
    const deps = d.dependsOn.map((p) => byName.get(p)).filter((p): p is ProductDefinition => p !== undefined);
    const level = 1 + Math.max(0, ...deps.map(levelOf));
    depth.set(d.name, level);
    return level;
  };
  const formulaDefs = definitions.filter((d) => d.kernel.kind === 'formula' || d.kernel.kind === 'mask');
  const levels: Level[] = [];
  const maxLevel = Math.max(0, ...formulaDefs.map(levelOf));
  for (let l = 1; l <= maxLevel; l++) {
    const defs = formulaDefs.filter((d) => levelOf(d) === l);
    if (defs.length === 0) continue;
    const specs: FormulaSpec[] = [];
    const inputs: Level['inputs'] = {};
    const values: Level['values'] = [];
    const masks: MaskPlan[] = [];
    for (const d of defs) {
      for (const r of d.roles) inputs[r] = { role: r };
      for (const [id, p] of Object.entries(d.refs ?? {})) inputs[id] = { product: p };
      const constants = d.kernel.kind === 'rgb' || d.kernel.kind === 'hab' ? undefined : d.kernel.constants;
      if (d.kernel.kind === 'formula') {
        values.push({ product: d.name, output: specs.length });
        specs.push({ name: d.name, formula: evaluatedFormula(d)!, constants });
      } else if (d.kernel.kind === 'mask') {
        const left = specs.length;
        specs.push({ name: d.name, formula: d.kernel.left, constants });
        const n = sideNumber({ text: d.kernel.right, offset: 0 });
        let right: MaskPlan['right'];
        if (n !== undefined) right = { constant: Math.fround(n) };
        else {
          right = specs.length;
          specs.push({ name: `${d.name} (right side)`, formula: d.kernel.right, constants });
        }
        masks.push({ product: d.name, op: d.kernel.op, left, right });
      }
    }
    const set = compileFormulas(specs, { bands: Object.keys(inputs) });
    levels.push({ set, inputs, values, masks, outputs: specs.length });
  }

  const roles = [...new Set([...habRoles, ...definitions.flatMap((d) => d.roles)])];
  return {
    roles,
    run(bands, count, params) {
      const out: ProductValues = { f32: {}, masks: {} };
      const view = (a: Float32Array): BandView => ({ data: a, offset: 0, stride: 1 });
      if (hab.length) {
        const [g, n, re, r] = habRoles.map((role) => bands[role]);
        const ndwi = new Float32Array(count);
        const water = new Uint8Array(count);
        const ndci = new Float32Array(count);
        const ndvi = hab.some((d) => d.kernel.kind === 'hab' && d.kernel.output === 'ndvi') ? new Float32Array(count) : undefined;
        habFused({ g: view(g), n: view(n), re: view(re), r: view(r) }, count, { waterThreshold: params.water?.threshold ?? WATER_NDWI_THRESHOLD }, { ndwi, water, ndci, ndvi });
        out.f32.ndwi = ndwi;
        out.f32.ndci = ndci;
        if (ndvi) out.f32.ndvi = ndvi;
        setMask(out, 'water', water);
      }
      for (const level of levels) {
        const outs = Array.from({ length: level.outputs }, () => new Float32Array(count));
        const views: Record<string, BandView> = {};
        for (const [id, src] of Object.entries(level.inputs)) views[id] = view('role' in src ? bands[src.role] : out.f32[src.product]);
        level.set.run(views, count, outs);
        for (const v of level.values) {
          out.f32[v.product] = outs[v.output];
          applyWhere(out, byName.get(v.product)!, count);
        }
        for (const m of level.masks) {
          setMask(out, m.product, compare(outs[m.left], typeof m.right === 'number' ? outs[m.right] : m.right.constant, m.op, count));
          applyWhere(out, byName.get(m.product)!, count);
        }
      }
      return out;
    },
  };
}

function setMask(out: ProductValues, name: string, mask: Uint8Array): void {
  out.masks[name] = mask;
  const f = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) f[i] = mask[i] === MASK_NODATA ? NaN : mask[i];
  out.f32[name] = f;
}

/** Nodata wherever the product's `where` mask is not 1. The fused kernel already keeps NDCI inside water. */
function applyWhere(out: ProductValues, def: ProductDefinition, count: number): void {
  if (!def.where) return;
  const m = out.masks[def.where];
  const f = out.f32[def.name];
  const mask = out.masks[def.name];
  for (let i = 0; i < count; i++) {
    if (m[i] === 1) continue;
    f[i] = NaN;
    if (mask) mask[i] = MASK_NODATA;
  }
}

/** float32 against float32 (the right side rounded once), as numpy compares the written rasters. */
function compare(left: Float32Array, right: Float32Array | number, op: ComparisonOp, count: number): Uint8Array {
  const out = new Uint8Array(count);
  const r = typeof right === 'number' ? right : NaN;
  for (let i = 0; i < count; i++) {
    const a = left[i];
    const b = typeof right === 'number' ? r : right[i];
    if (a !== a || b !== b) {
      out[i] = MASK_NODATA;
      continue;
    }
    let t: boolean;
    switch (op) {
      case '>':
        t = a > b;
        break;
      case '>=':
        t = a >= b;
        break;
      case '<':
        t = a < b;
        break;
      case '<=':
        t = a <= b;
        break;
      case '==':
        t = a === b;
        break;
      case '!=':
        t = a !== b;
        break;
    }
    out[i] = t ? 1 : 0;
  }
  return out;
}
