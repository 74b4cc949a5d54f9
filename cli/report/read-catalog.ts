/**
 * Reads the catalog table of an output root through the ObjectStore (file:// and s3:// alike): lists the parts,
 * keeps those of the wanted product by their hive path, and decodes them.
 */
import type { ObjectStore } from '../../platform/storage/object-store';
import { joinUri, parseUri } from '../../platform/storage/uri';
import { CATALOG_TABLE_DIR, CatalogTableError, decodeCatalogTable, parseCatalogPartition, type CatalogRow } from '../../raster/parquet/catalog-table';

export interface CatalogRead {
  /** The table's prefix URI (`<out>/tables/catalog/`). */
  tableUri: string;
  /** Rows of the wanted product (all rows when no product was asked for). */
  rows: CatalogRow[];
  /** Every product with at least one part, sorted, whatever was asked for. */
  products: string[];
  /** Parts listed (of every product). */
  parts: number;
}

/** Parts fetched at once: enough to hide S3 latency, few enough for a small socket pool. */
const FETCH_CONCURRENCY = 16;

/**
 * All catalog rows under `outUri`. Only parts of `product` are fetched: the partition path says which file holds
 * what, so the others are never downloaded.
 * @throws CatalogTableError (naming the part) when a part does not decode; storage errors as they come.
 */
export async function readCatalog(store: ObjectStore, outUri: string, opts: { product?: string } = {}): Promise<CatalogRead> {
  const tableUri = joinUri(outUri, CATALOG_TABLE_DIR) + '/';
  const wanted: Array<{ uri: string; product: string }> = [];
  const products = new Set<string>();
  let parts = 0;
  for await (const obj of store.list(tableUri)) {
    // The partition values are escaped in the file or key name itself: read them from the path (file URIs
    // percent-encode it once more) or the verbatim S3 key.
    const parsed = parseUri(obj.uri);
    const partition = parseCatalogPartition(parsed.scheme === 'file' ? parsed.path : 'key' in parsed ? parsed.key : obj.uri);
    if (!partition) continue;
    parts++;
    products.add(partition.product);
    if (opts.product === undefined || partition.product === opts.product) wanted.push({ uri: obj.uri, product: partition.product });
  }
  const rows: CatalogRow[][] = new Array(wanted.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const i = next++;
      const { uri, product } = wanted[i];
      try {
        rows[i] = decodeCatalogTable(await store.get(uri), { product });
      } catch (err) {
        throw err instanceof CatalogTableError ? new CatalogTableError(`${uri}: ${err.detail}`) : err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, wanted.length) }, worker));
  return { tableUri, rows: rows.flat(), products: [...products].sort(), parts };
}
