/**
 * Shared by the product tests: running a command line's products in-process (`tessera run --local` is runLocal
 * over the same parsed flags), and the numpy/GDAL oracle that evaluates product definitions straight from the
 * vendored catalog's own files (/work/shared/data/awesome-spectral-indices), with its own band matching, and
 * compares them with the COGs as GDAL reads them.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { parseProductFlags, type ProductFlags } from '../../cli/args';
import { loadConfig } from '../../platform/config';
import { runNumpy } from '../../raster/indices/testing/numpy-oracle';
import { runLocal } from '../../workers/local';
import { DEFAULT_PRODUCTS, type ProcessSceneInput, type SceneResult } from '../../workflows/types';
import { validateCog } from '../support/gdal-oracle';

/** The catalog as published (the repository vendors a copy; the oracle reads this one). */
export const CATALOG_DIR = '/work/shared/data/awesome-spectral-indices';

/** Runs the products a command line's flags ask for, in-process, as `tessera run INPUT --local` does. */
export async function runFlags(input: string, out: string, flags: ProductFlags, opts: { threads?: number; wavelengthsNm?: number[] } = {}): Promise<SceneResult> {
  const { products, params } = parseProductFlags(flags, DEFAULT_PRODUCTS);
  const scene: ProcessSceneInput = { input: pathToFileURL(input).href, out: pathToFileURL(out).href, products, ...(params ? { params } : {}), ...(opts.wavelengthsNm ? { wavelengthsNm: opts.wavelengthsNm } : {}) };
  const config = loadConfig({}, {}, { cwd: out, isTTY: false });
  return runLocal(config, scene, { logger: pino({ level: 'silent' }), threads: opts.threads ?? 2 });
}

export async function readJsonUri<T = Record<string, any>>(uri: string): Promise<T> {
  return JSON.parse(await readFile(fileURLToPath(uri), 'utf8')) as T;
}

/** Every COG of a result is a valid COG for GDAL's validator (--full-check), eight validators at a time. */
export async function assertValidCogs(cogs: Record<string, string>): Promise<void> {
  const entries = Object.entries(cogs);
  for (let i = 0; i < entries.length; i += 8) {
    await Promise.all(
      entries.slice(i, i + 8).map(async ([product, uri]) => {
        const v = await validateCog(fileURLToPath(uri));
        assert.ok(v.ok, `${product} COG is valid:\n${v.output}`);
      }),
    );
  }
}

/** One product for the oracle: how to evaluate it, and where our COG of it is. */
export interface OracleProduct {
  name: string;
  /** A Python expression over the band arrays (by role or wavelength name), constants and other products. */
  formula: string;
  /** Role → 0-based band index; when absent, the oracle matches the catalog roles of `formula` itself. */
  bands?: Record<string, number>;
  constants?: Record<string, number>;
  /** Other products the formula reads, by the identifier it uses → the product whose reference values to use. */
  refs?: Record<string, string>;
  /** Nodata outside this reference mask (a product name whose value must be 1). */
  where?: string;
  /** A comparison: the reference is a uint8 mask 1/0/255. */
  mask?: boolean;
  /** Polynomial coefficients applied to the formula's value. */
  calibration?: number[];
  /** Local path of our COG (absent: computed for the products that read it, not compared). */
  cog?: string;
  /** Not evaluated: `cog`'s values are the reference other products read (a product checked elsewhere). */
  given?: boolean;
}

export interface OracleResult {
  name: string;
  /** Bands the oracle matched for the catalog roles (role → 0-based index). */
  bands: Record<string, number>;
  pixels: number;
  valid: number;
  nanMismatch: number;
  firstNanMismatch: number | null;
  /** Pixels off by more than max(rel·|numpy|, abs). */
  outOfTolerance: number;
  worstRel: number;
  worstAt: number | null;
  ours: number | string | null;
  theirs: number | string | null;
}

/**
 * Evaluates `products` with numpy on the input (as GDAL reads it: float64 from the float32 samples, nodata and NaN
 * → NaN, each product rounded to float32 like a written raster) and compares each with our COG read by GDAL.
 * Catalog roles are matched here, from the catalog's bands.json and the input's `wavelength` metadata: the band
 * inside the role's range nearest its centre, the first one on a tie. `lambdaX` constants are the centre of the
 * band matched for X.
 */
export function numpyOracle(input: string, products: OracleProduct[], tol: { rel: number; abs: number } = { rel: 1e-5, abs: 1e-9 }): OracleResult[] {
  const out = runNumpy(
    `
    import json
    from osgeo import gdal
    ds = gdal.Open(P['input'])
    nb = ds.RasterCount
    wl = [float(ds.GetRasterBand(i + 1).GetMetadataItem('wavelength')) for i in range(nb)]
    cat_bands = json.load(open(P['catalog'] + '/bands.json'))
    cat_consts = json.load(open(P['catalog'] + '/constants.json'))
    fw = [float(ds.GetRasterBand(i + 1).GetMetadataItem('fwhm') or 'nan') for i in range(nb)]
    nodata = ds.GetRasterBand(1).GetNoDataValue()
    def match_wl(nm):
        # The band whose centre is nearest, if within half its FWHM (10 nm without one); first band on a tie.
        i = min(range(nb), key=lambda k: (abs(wl[k] - nm), k))
        tol = fw[i] / 2 if fw[i] == fw[i] and fw[i] > 0 else 10
        return i if abs(wl[i] - nm) <= tol else None
    cache = {}
    def band(i):
        if i not in cache:
            a = ds.GetRasterBand(i + 1).ReadAsArray().astype(np.float64)
            if nodata is not None:
                a[a == nodata] = np.nan
            cache[i] = a
        return cache[i]
    def match(role):
        r = cat_bands[role]
        lo, hi = r['min_wavelength'], r['max_wavelength']
        c = (lo + hi) / 2
        best = None
        for i, w in enumerate(wl):
            if lo <= w <= hi and (best is None or abs(w - c) < abs(wl[best] - c)):
                best = i
        return best
    def num(x):
        # JSON has no NaN or infinities.
        return float(x) if np.isfinite(x) else repr(float(x))
    values = {}
    res = []
    import re as regex
    for p in P['products']:
        if p.get('given'):
            gds = gdal.Open(p['cog'])
            g = gds.GetRasterBand(1).ReadAsArray().astype(np.float32)
            gds = None
            values[p['name']] = np.where(g == 255, np.nan, g).astype(np.float32) if p.get('mask') else g
            continue
        env = {}
        picks = dict(p.get('bands') or {})
        names = set(regex.findall(r'[A-Za-z_][A-Za-z0-9_]*', p['formula']))
        for n in names:
            if n in picks:
                continue
            w = regex.match(r'^([RW])(\\d+)$', n)
            if n in cat_bands:
                picks[n] = match(n)
            elif w and w.group(1) == 'R':
                picks[n] = match_wl(float(w.group(2)))
            elif w:
                env[n] = wl[match_wl(float(w.group(2)))]
        for k, v in (p.get('constants') or {}).items():
            env[k] = v
        for n in names:
            if n in env or n in picks:
                continue
            if n in cat_consts and cat_consts[n]['default'] is not None:
                env[n] = cat_consts[n]['default']
            m = regex.match(r'^lambda(.+)$', n)
            if m and m.group(1) in cat_bands:
                env[n] = wl[match(m.group(1))]
        for role, i in picks.items():
            env[role] = band(i)
        for ident, prod in (p.get('refs') or {}).items():
            env[ident] = values[prod].astype(np.float64)
        shape = (ds.RasterYSize, ds.RasterXSize)
        def evaluate(expr):
            # A formula's pixel is nodata where any band or product it reads is (the engine's rule, which also
            # covers terms like x ** 0 that would turn a NaN into a number).
            used = set(regex.findall(r'[A-Za-z_][A-Za-z0-9_]*', expr))
            with np.errstate(all='ignore'):
                v = eval(expr, {'__builtins__': {}}, env) * np.ones(shape)
            bad = np.zeros(shape, bool)
            for n in used:
                if n in picks or n in (p.get('refs') or {}):
                    bad |= np.isnan(env[n])
            return np.where(bad, np.nan, v)
        if p.get('mask'):
            m = regex.match(r'^(.*?)(>=|<=|==|!=|>|<)(.*)$', p['formula'])
            l = evaluate(m.group(1)).astype(np.float32)
            r = evaluate(m.group(3)).astype(np.float32)
            ops = {'>': np.greater, '>=': np.greater_equal, '<': np.less, '<=': np.less_equal, '==': np.equal, '!=': np.not_equal}
            v = np.where(ops[m.group(2)](l, r), 1.0, 0.0)
            v[np.isnan(l) | np.isnan(r)] = np.nan
        else:
            v = evaluate(p['formula'])
            if p.get('calibration'):
                v = sum(c * v ** k for k, c in enumerate(p['calibration']))
        if p.get('where'):
            v = np.where(values[p['where']] == 1, v, np.nan)
        v = v.astype(np.float32)
        values[p['name']] = v
        entry = {'name': p['name'], 'bands': picks, 'pixels': int(v.size), 'valid': int(np.sum(~np.isnan(v)))}
        if p.get('cog'):
            # Keep the dataset referenced while its band is read (GDAL's Python bindings crash otherwise).
            cds = gdal.Open(p['cog'])
            cb = cds.GetRasterBand(1)
            raw = cb.ReadAsArray()
            nd, scale, offset = cb.GetNoDataValue(), cb.GetScale(), cb.GetOffset()
            cds = None
            # As a reader sees the values: nodata → NaN, then GDAL's scale and offset (int16 products).
            ours = raw.astype(np.float64)
            if nd is not None and not np.isnan(nd):
                ours[raw == nd] = np.nan
            ours = (ours * (1.0 if scale is None else scale) + (0.0 if offset is None else offset)).astype(np.float32)
            on, tn = np.isnan(ours), np.isnan(v)
            mism = np.flatnonzero((on != tn).ravel())
            both = ~on & ~tn
            diff = np.abs(ours.astype(np.float64) - v.astype(np.float64))
            same = ours == v
            lim = np.maximum(P['rel'] * np.abs(v.astype(np.float64)), P['abs'])
            bad = both & ~same & (diff > lim)
            rel = np.where(both & ~same, diff / np.maximum(np.abs(v.astype(np.float64)), P['abs']), 0)
            w = int(np.argmax(rel)) if rel.size else 0
            entry.update({'nanMismatch': int(mism.size), 'firstNanMismatch': int(mism[0]) if mism.size else None,
                          'outOfTolerance': int(np.sum(bad)), 'worstRel': float(rel.ravel()[w]),
                          'worstAt': w, 'ours': num(ours.ravel()[w]), 'theirs': num(v.ravel()[w])})
            res.append(entry)
    RES = res
    `,
    {},
    { input, catalog: CATALOG_DIR, products, rel: tol.rel, abs: tol.abs },
  );
  return out.result as OracleResult[];
}

/** Asserts one oracle comparison: the same nodata pixels, values within the tolerance. */
export function assertMatches(r: OracleResult): void {
  assert.equal(r.nanMismatch, 0, `${r.name}: nodata differs from numpy at ${r.nanMismatch} pixels (first at ${r.firstNanMismatch})`);
  assert.equal(r.outOfTolerance, 0, `${r.name}: ${r.outOfTolerance} pixels off numpy; worst rel ${r.worstRel} at ${r.worstAt}: ${r.ours} vs ${r.theirs}`);
}
