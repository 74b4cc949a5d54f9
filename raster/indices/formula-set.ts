/**
 * Many formulas, one pass: compiles a set of formulas into one shared expression graph (formula-dag.ts) and from it
 * one fused per-pixel loop, WebAssembly SIMD (formula-wasm.ts) or generated JavaScript (formula-codegen.ts), so a
 * tile job asking for 20 indices reads each band sample once and computes each shared subexpression once.
 *
 * Caching: compiled sets are kept in a module-level Map keyed by the formulas, their options and the sensor, and
 * each set keeps one kernel per input layout (element types, contiguous or strided). Each worker thread loads its
 * own copy of this module, so each keeps its own cache and compiles a set once.
 */
import type { TypedArray } from '../types';
import type { SensorBand } from '../sensor';
import { ExpressionError } from '../errors';
import { assertOutput, assertViewCovers, type BandView, type KernelOptions } from './band-view';
import { buildKernel, kernelSlots, kernelSource, type FormulaKernel, type KernelOutput, type SlotLayout } from './formula-codegen';
import { cPow, FormulaDag } from './formula-dag';
import { resolveFormula, type CompileOptions, type ResolvedFormula } from './formula-resolve';
import { wasmElem, type WasmSlotLayout } from './formula-wasm';
import { buildWasmKernel, wasmSimdSupported, type WasmKernel } from './formula-wasm-run';

/** One formula of a set. */
export interface FormulaSpec {
  /** Output name (e.g. the catalog short name); every error about the formula starts with it. Unique in a set. */
  name: string;
  formula: string;
  /** Constants for this formula only, over the set's `constants`. */
  constants?: Record<string, number>;
}

/** Options of {@link compileFormulas}: how identifiers resolve, shared by every formula of the set. */
export interface FormulaSetOptions extends CompileOptions {
  /**
   * Which fused loop runs: `wasm` (SIMD WebAssembly, formula-wasm.ts), `js` (generated JavaScript,
   * formula-codegen.ts), or `auto`: wasm when the runtime has WebAssembly SIMD. Both give identical results.
   * @default 'auto'
   */
  engine?: 'auto' | 'wasm' | 'js';
}

/** A compiled set of formulas. */
export interface CompiledFormulaSet {
  /** The formulas with their resolved bands and constants, in the order given (= output order). */
  readonly formulas: readonly ResolvedFormula[];
  /** Every input band any formula uses, in order of first use; `run` needs a view for each. */
  readonly bands: readonly string[];
  /** The sensor band behind each wavelength name used (`R709`, `W709`). */
  readonly wavelengthBands: Readonly<Record<string, SensorBand>>;
  /** Operations per pixel after sharing (for benchmarks and tests), and how many the formulas have unshared. */
  readonly stats: { sharedOps: number; unsharedOps: number; kernels: number; engine: 'wasm' | 'js' };
  /**
   * Evaluates every formula on `count` pixels (float64 arithmetic, one rounding to float32 per output).
   * A formula's pixel is NaN when any band it uses is NaN or equals `opts.nodata` (raw sample); otherwise IEEE rules
   * apply as in numpy: x/0 is ±Infinity and 0/0 is NaN. Outputs must not overlap the inputs.
   *
   * @param outs one array per formula, by position or by formula name.
   * @throws ExpressionError when a used band has no view or an output is missing; RasterError when a view or an
   *   output is too short.
   */
  run(
    inputs: Record<string, BandView>,
    count: number,
    outs: Float32Array[] | Record<string, Float32Array>,
    opts?: KernelOptions,
  ): void;
  /** The generated source for a layout (all contiguous by default): for tests and for reading what runs. */
  source(layout?: SlotLayout[]): string[];
}

/**
 * Above this many operations a set is split into several kernels (each a pass over the pixels): TurboFan does not
 * optimise very large JavaScript functions, and the 20 indices of a typical request need about 100.
 */
const MAX_OPS_PER_KERNEL = 600;
/** Compiled sets kept per thread; the oldest is dropped first. */
const MAX_CACHED_SETS = 128;

const cache = new Map<string, CompiledFormulaSet>();

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function cacheKey(specs: FormulaSpec[], opts: FormulaSetOptions): string {
  const sensor = opts.sensor ? opts.sensor.bands.map((b) => [b.index, b.wavelengthNm, b.fwhmNm ?? null, b.name ?? null]) : null;
  return JSON.stringify([specs.map((s) => [s.name, s.formula, s.constants ?? {}]), opts.bands, opts.constants ?? {}, sensor, opts.wavelengthMatch ?? {}, opts.engine ?? 'auto']);
}

/** Number of operations in a tree (what a kernel per formula would compute). */
function treeOps(node: ResolvedFormula['ast']): number {
  if (node.kind === 'binary') return 1 + treeOps(node.left) + treeOps(node.right);
  if (node.kind === 'unary') return (node.op === '-' ? 1 : 0) + treeOps(node.arg);
  return 0;
}

interface Group {
  outputs: number[]; // formula indices
  kernelOutputs: KernelOutput[];
  slots: number[]; // input slots the group's kernel reads, in parameter order
}

/**
 * Compiles `specs` into fused loops, or returns the cached compilation of the same specs and options.
 * Results are bit-for-bit those of compiling each formula alone (expression-reference.ts).
 *
 * @throws FormulaSyntaxError, ExpressionError (unknown identifier, bad constant, duplicate name),
 *   ConstantDivisionError, WavelengthMatchError, WavelengthCollisionError — see resolveFormula and FormulaDag.
 */
export function compileFormulas(specs: FormulaSpec[], opts: FormulaSetOptions): CompiledFormulaSet {
  const key = cacheKey(specs, opts);
  const hit = cache.get(key);
  if (hit) return hit;
  const set = build(specs, opts);
  if (cache.size >= MAX_CACHED_SETS) cache.delete(cache.keys().next().value as string);
  cache.set(key, set);
  return set;
}

function build(specs: FormulaSpec[], opts: FormulaSetOptions): CompiledFormulaSet {
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new ExpressionError(s.name, 'appears twice in one formula set');
    seen.add(s.name);
  }
  const formulas = specs.map((s) =>
    resolveFormula(s.name, s.formula, s.constants ? { ...opts, constants: { ...opts.constants, ...s.constants } } : opts),
  );
  const bands: string[] = [];
  const wavelengthBands: Record<string, SensorBand> = {};
  for (const f of formulas) {
    for (const b of f.bands) if (!bands.includes(b)) bands.push(b);
    Object.assign(wavelengthBands, f.wavelengthBands);
  }
  const slotOf = new Map(bands.map((b, k) => [b, k]));
  const dag = new FormulaDag();
  const roots = formulas.map((f) =>
    dag.add(f.ast, (id) => (f.bands.includes(id) ? { slot: slotOf.get(id) as number } : { value: f.constants[id] }), f),
  );

  // Greedy grouping in the given order keeps related formulas (which callers tend to list together) sharing.
  const groups: Group[] = [];
  let current: Group = { outputs: [], kernelOutputs: [], slots: [] };
  formulas.forEach((f, j) => {
    const root = dag.node(roots[j]);
    const out: KernelOutput = { root: roots[j], maskSlots: root.absorbsNaN ? f.bands.map((b) => slotOf.get(b) as number) : null };
    const trial = [...current.kernelOutputs, out];
    if (current.outputs.length && dag.reachable(trial.map((o) => o.root)).length > MAX_OPS_PER_KERNEL) {
      groups.push(current);
      current = { outputs: [], kernelOutputs: [], slots: [] };
    }
    current.outputs.push(j);
    current.kernelOutputs.push(out);
  });
  if (current.outputs.length) groups.push(current);
  for (const g of groups) g.slots = kernelSlots(dag, g.kernelOutputs);

  const isOp = (id: number) => dag.node(id).op !== 'const' && dag.node(id).op !== 'band';
  const sharedOps = groups.reduce((n, g) => n + dag.reachable(g.kernelOutputs.map((o) => o.root)).filter(isOp).length, 0);
  const unsharedOps = formulas.reduce((n, f) => n + treeOps(f.ast), 0);

  const useWasm = opts.engine === 'wasm' || (opts.engine !== 'js' && wasmSimdSupported());
  const jsKernels = new Map<string, FormulaKernel[]>();
  const wasmKernels = new Map<string, WasmKernel[]>();
  const contiguous = (): SlotLayout[] => bands.map(() => ({ contiguous: true }));
  const sources = (layout: SlotLayout[]) => groups.map((g) => kernelSource(dag, g.kernelOutputs, layout));

  return {
    formulas,
    bands,
    wavelengthBands,
    stats: { sharedOps, unsharedOps, kernels: groups.length, engine: useWasm ? 'wasm' : 'js' },
    source: (layout = contiguous()) => sources(layout),
    run(inputs, count, outs, runOpts = {}) {
      const views = bands.map((b) => {
        const user = formulas.find((f) => f.bands.includes(b))?.name ?? b;
        const view = own(inputs, b);
        if (!view) throw new ExpressionError(user, `no input supplied for band '${b}'`);
        assertViewCovers(view, count, `${user} ${b}`);
        return view;
      });
      const outArrays = formulas.map((f, j) => {
        const out = Array.isArray(outs) ? outs[j] : own(outs, f.name);
        if (!out) throw new ExpressionError(f.name, 'no output array supplied');
        assertOutput(out, count, f.name);
        return out;
      });
      if (count <= 0) return;
      const nodata = runOpts.nodata ?? NaN;
      const layout = views.map((v) => ({ contiguous: v.offset === 0 && v.stride === 1 }));
      if (useWasm && views.every((v) => wasmElem(v.data as TypedArray) !== undefined)) {
        const key = views.map((v, k) => `${wasmElem(v.data as TypedArray)}:${layout[k].contiguous ? 'c' : 's'}`).join(',');
        let compiled = wasmKernels.get(key);
        if (!compiled) {
          const slotLayout = new Map<number, WasmSlotLayout>(views.map((v, k) => [k, { elem: wasmElem(v.data as TypedArray)!, contiguous: layout[k].contiguous }]));
          compiled = groups.map((g) => buildWasmKernel(dag, g.kernelOutputs, g.slots, slotLayout, cPow));
          wasmKernels.set(key, compiled);
        }
        groups.forEach((g, k) => compiled![k].run(g.slots.map((s) => views[s]), g.outputs.map((j) => outArrays[j]), count, nodata));
        return;
      }
      // Array types are part of the key so each kernel sees one element kind per slot (monomorphic loads).
      const key = views.map((v, k) => `${(v.data as TypedArray).constructor.name}:${layout[k].contiguous ? 'c' : 's'}`).join(',');
      let compiled = jsKernels.get(key);
      if (!compiled) {
        compiled = sources(layout).map((src) => buildKernel(src, cPow));
        jsKernels.set(key, compiled);
      }
      groups.forEach((g, k) => {
        const args: unknown[] = [count, nodata];
        for (const slot of g.slots) {
          const v = views[slot];
          args.push(v.data, v.offset, v.stride, v.scale ?? 1, v.addOffset ?? 0);
        }
        for (const j of g.outputs) args.push(outArrays[j]);
        (compiled![k] as (...a: unknown[]) => void)(...args);
      });
    },
  };
}

/** Drops every cached compilation (for tests and benchmarks that measure compiling). */
export function clearFormulaCache(): void {
  cache.clear();
}
