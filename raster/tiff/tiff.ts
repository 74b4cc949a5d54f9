/**
 * A TIFF / BigTIFF / GeoTIFF file opened over a ByteSource: header, IFD chain, images (full resolution +
 * overviews) and the RasterInfo GDAL would report. Header reads are batched (see header-bytes.ts): a GDAL
 * COG opens with one 64 KiB request, plus one for the block arrays when they lie beyond it.
 */
import { TiffFormatError } from '../errors';
import type { ByteSource } from '../source';
import type { RasterInfo } from '../types';
import { SubfileType, TiffTag, TiffVersion } from './const';
import { bandInfo, parseGdalMetadata } from './gdal-metadata';
import { parseGeoKeys, summarizeGeoKeys } from './geokeys';
import { geoTransformFromTags } from './georef';
import { HeaderBytes, READ_SIZE } from './header-bytes';
import { readIfd, TagSet, USED_TAGS, valueRanges, type Ifd } from './ifd';
import { TiffImage } from './image';
import { readUint64 } from './tag';

/** Longest IFD chain followed (GDAL COGs have a handful; multi-page scans a few hundred). */
const MAX_IFDS = 4096;

export class Tiff {
  private cachedInfo?: RasterInfo;

  private constructor(
    readonly source: ByteSource,
    readonly littleEndian: boolean,
    readonly bigTiff: boolean,
    /** Full resolution first, then reduced-resolution overviews (NewSubfileType bit 1); masks and pages excluded. */
    readonly images: TiffImage[],
    private readonly mainTags: TagSet,
    private readonly header: HeaderBytes,
  ) {}

  /**
   * The first bytes of the file as read at open (up to 64 KiB: the TIFF header and, for a COG, every IFD), without
   * another request. Hashing them identifies the file's structure and metadata cheaply.
   */
  leadingBytes(): Uint8Array {
    // The first read at open is READ_SIZE bytes, or up to the end of a smaller file.
    return this.header.peek(0, Math.min(READ_SIZE, this.header.fileSize ?? READ_SIZE)) ?? new Uint8Array(0);
  }

  /**
   * Reads the header and every IFD.
   * @throws TiffFormatError (TRUNCATED, BAD_HEADER, BAD_TAG, OUT_OF_BOUNDS), UnsupportedFormatError, RasterLimitError —
   *   all naming the file. Errors of the source itself (network, abort) are passed through.
   */
  static async open(source: ByteSource, opts: { signal?: AbortSignal } = {}): Promise<Tiff> {
    const file = source.url;
    const hb = new HeaderBytes(source, opts.signal);
    if (source.size) hb.fileSize = await source.size();
    if (hb.fileSize !== undefined && hb.fileSize < 8) {
      throw new TiffFormatError('TRUNCATED', file, `file is ${hb.fileSize} bytes, too short for a TIFF header`);
    }
    const head = await hb.get(0, 8, 'TIFF header');
    const order = String.fromCharCode(head[0], head[1]);
    if (order !== 'II' && order !== 'MM') {
      throw new TiffFormatError('BAD_HEADER', file, `not a TIFF file (starts with bytes ${hex(head.subarray(0, 4))})`);
    }
    const le = order === 'II';
    const hv = new DataView(head.buffer, head.byteOffset, 8);
    const version = hv.getUint16(2, le);
    let firstIfd: number;
    if (version === TiffVersion.Classic) {
      firstIfd = hv.getUint32(4, le);
    } else if (version === TiffVersion.BigTiff) {
      const big = await hb.get(0, 16, 'BigTIFF header');
      const bv = new DataView(big.buffer, big.byteOffset, 16);
      if (bv.getUint16(4, le) !== 8) throw new TiffFormatError('BAD_HEADER', file, `BigTIFF offset size ${bv.getUint16(4, le)}, expected 8`);
      firstIfd = readUint64(bv, 8, le);
    } else {
      throw new TiffFormatError('BAD_HEADER', file, `TIFF version ${version}, expected 42 (TIFF) or 43 (BigTIFF)`);
    }
    const bigTiff = version === TiffVersion.BigTiff;

    // Follow the chain. A loop (an IFD pointing back) ends it: the images before it are intact.
    const ifds: Ifd[] = [];
    const seen = new Set<number>();
    for (let at = firstIfd; at !== 0 && !seen.has(at); ) {
      if (ifds.length >= MAX_IFDS) throw new TiffFormatError('BAD_HEADER', file, `more than ${MAX_IFDS} IFDs`);
      seen.add(at);
      const ifd = await readIfd(hb, at, bigTiff, le);
      ifds.push(ifd);
      at = ifd.next;
    }
    if (ifds.length === 0) throw new TiffFormatError('BAD_HEADER', file, 'the file has no IFD');

    // Keep the first IFD and its overviews; NewSubfileType is a single LONG, so it is inline and already held.
    const kept = ifds
      .map((ifd) => new TagSet(hb, ifd, le))
      .filter((tags, i) => {
        const kind = tags.num(TiffTag.NewSubfileType) ?? 0;
        return i === 0 || ((kind & SubfileType.ReducedImage) !== 0 && (kind & SubfileType.Mask) === 0);
      });
    await hb.loadAll(kept.flatMap((tags) => valueRanges(hb, tags.ifd, USED_TAGS)));

    const ctx = { source, littleEndian: le, fileSize: hb.fileSize };
    const mainNodata = parseNodata(kept[0].str(TiffTag.GdalNodata));
    const images = kept.map((tags) => new TiffImage(ctx, tags, parseNodata(tags.str(TiffTag.GdalNodata)) ?? mainNodata));
    return new Tiff(source, le, bigTiff, images, kept[0], hb);
  }

  /** What GDAL reports for the file: size, bands (descriptions, wavelengths, scale/offset), nodata, georeferencing, layout. */
  info(): RasterInfo {
    this.cachedInfo ??= this.buildInfo();
    return this.cachedInfo;
  }

  private buildInfo(): RasterInfo {
    const main = this.images[0];
    const tags = this.mainTags;
    const xml = tags.str(TiffTag.GdalMetadata);
    const md = xml ? parseGdalMetadata(xml) : { dataset: {}, bands: [] };
    const info: RasterInfo = {
      width: main.width,
      height: main.height,
      bandCount: main.samplesPerPixel,
      sampleType: main.sampleType,
      bands: Array.from({ length: main.samplesPerPixel }, (_, i) => bandInfo(md.bands[i], md.dataset)),
      datasetMetadata: md.dataset,
      blockWidth: main.blockWidth,
      blockHeight: main.blockHeight,
      tiled: main.tiled,
      compression: main.compression,
      predictor: main.predictor,
      planar: main.planar,
      overviews: this.images.slice(1).map((im) => ({ width: im.width, height: im.height })),
    };
    if (main.nodata !== undefined) info.nodata = main.nodata;

    const directory = tags.nums(TiffTag.GeoKeyDirectory);
    const keys = directory
      ? summarizeGeoKeys(parseGeoKeys(this.source.url, directory, tags.nums(TiffTag.GeoDoubleParams), tags.str(TiffTag.GeoAsciiParams)))
      : { pixelIsPoint: false };
    const geoTransform = geoTransformFromTags(
      tags.nums(TiffTag.ModelTiepoint),
      tags.nums(TiffTag.ModelPixelScale),
      tags.nums(TiffTag.ModelTransformation),
      keys.pixelIsPoint,
    );
    if (geoTransform) {
      info.geo = { geoTransform };
      if (keys.epsg !== undefined) info.geo.epsg = keys.epsg;
      if (keys.pixelIsPoint) info.geo.pixelIsPoint = true;
    }
    return info;
  }
}

/** GDAL_NODATA text: a decimal number, "nan", "inf" or "-inf" (GDAL's spellings). */
export function parseNodata(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === 'nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  const v = Number(t);
  return t === '' || Number.isNaN(v) ? undefined : v;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
