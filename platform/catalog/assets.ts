/**
 * Which asset of a STAC item is the scene Tessera reads, as an absolute URI.
 */
import { NoUsableAssetError } from './errors';
import { resolveHref } from './href';
import type { StacAsset, StacItem } from './stac';

/** `image/tiff; application=geotiff` with any profile (cloud-optimized or not). */
const GEOTIFF_TYPE_RE = /^image\/tiff\s*;\s*application=geotiff\b/i;
const TIFF_TYPE_RE = /^image\/(tiff|geotiff)\b/i;
const TIFF_HREF_RE = /\.tiff?(?:[?#].*)?$/i;

/**
 * Picks the item's GeoTIFF asset and resolves its href against `itemUri`, in this order:
 * 1. `assetKey`, when given (`--asset KEY`);
 * 2. an asset with a GeoTIFF/COG media type and band information (`eo:bands` or STAC 1.1 `bands` on the asset,
 *    or `eo:bands` on the item), preferring the `data` role;
 * 3. the first `data`-role asset that is a TIFF (by media type, or by href when it has no type);
 * 4. the first asset whose href ends in `.tif`/`.tiff` and that is not a thumbnail or overview.
 * "First" is the order of the item's `assets` object.
 * @throws NoUsableAssetError naming the item and listing its asset keys.
 */
export function pickAsset(item: StacItem, itemUri: string, assetKey?: string): string {
  const assets = item.assets ?? {};
  const keys = Object.keys(assets);
  const usable = keys.filter((k) => typeof assets[k]?.href === 'string' && assets[k].href !== '');
  let key: string | undefined;
  if (assetKey !== undefined) {
    if (!usable.includes(assetKey)) {
      const reason = keys.includes(assetKey) ? `has no href on asset "${assetKey}"` : `has no asset "${assetKey}"`;
      throw new NoUsableAssetError(itemUri, item.id, keys, reason);
    }
    key = assetKey;
  } else {
    const itemBands = hasBands(item.properties?.['eo:bands']);
    const isData = (k: string): boolean => roles(assets[k]).includes('data');
    const geotiff = usable.filter((k) => GEOTIFF_TYPE_RE.test(assets[k].type ?? ''));
    const withBands = geotiff.filter((k) => itemBands || hasBands(assets[k]['eo:bands']) || hasBands(assets[k].bands));
    const isTiff = (k: string): boolean => (assets[k].type ? TIFF_TYPE_RE.test(assets[k].type ?? '') : TIFF_HREF_RE.test(assets[k].href ?? ''));
    const notPreview = (k: string): boolean => !roles(assets[k]).some((r) => r === 'thumbnail' || r === 'overview');
    key =
      withBands.find(isData) ??
      withBands[0] ??
      usable.find((k) => isData(k) && isTiff(k)) ??
      usable.find((k) => TIFF_HREF_RE.test(assets[k].href ?? '') && notPreview(k));
    if (key === undefined) throw new NoUsableAssetError(itemUri, item.id, keys, 'has no GeoTIFF asset; pass --asset KEY');
  }
  return resolveHref(itemUri, assets[key].href as string);
}

function roles(asset: StacAsset | undefined): string[] {
  return Array.isArray(asset?.roles) ? asset.roles.filter((r): r is string => typeof r === 'string') : [];
}

function hasBands(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}
