/**
 * The per-IFD tag set of our COGs (without the tile arrays, which layout.ts adds): what GDAL's GTiff driver writes
 * for a tiled, pixel-interleaved, MinIsBlack image, plus GeoKeys and GDAL_METADATA on the main IFD only and
 * GDAL_NODATA on every IFD.
 */
import { Photometric, PlanarConfiguration, SampleFormat, SubfileType, TiffTag, TiffType } from '../tiff/const';
import { SAMPLE_BYTES, type BandInfo, type GeoReference, type SampleType } from '../types';
import { buildGdalMetadataXml, formatNumber } from './gdal-metadata-xml';
import { geoTags } from './geokeys-write';
import { asciiValue, type TagEntry } from './ifd-writer';
import type { TileEncoding } from './tile-codec';

export interface IfdContent {
  width: number;
  height: number;
  /** 0 = full resolution, > 0 = overview (NewSubfileType = 1). */
  level: number;
  encoding: TileEncoding;
  nodata?: number;
  /** Main IFD only. */
  geo?: GeoReference;
  bands?: readonly BandInfo[];
  datasetMetadata?: Readonly<Record<string, string>>;
}

function sampleFormat(t: SampleType): SampleFormat {
  if (t === 'float32' || t === 'float64') return SampleFormat.Float;
  if (t === 'int8' || t === 'int16' || t === 'int32') return SampleFormat.Int;
  return SampleFormat.Uint;
}

function dim(tag: TiffTag, v: number): TagEntry {
  return { tag, type: v <= 0xffff ? TiffType.Short : TiffType.Long, values: [v] };
}

export function ifdTags(c: IfdContent): TagEntry[] {
  const enc = c.encoding;
  const spp = enc.samplesPerPixel;
  const tags: TagEntry[] = [];
  if (c.level > 0) tags.push({ tag: TiffTag.NewSubfileType, type: TiffType.Long, values: [SubfileType.ReducedImage] });
  tags.push(dim(TiffTag.ImageWidth, c.width));
  tags.push(dim(TiffTag.ImageLength, c.height));
  tags.push({ tag: TiffTag.BitsPerSample, type: TiffType.Short, values: new Array<number>(spp).fill(SAMPLE_BYTES[enc.sampleType] * 8) });
  tags.push({ tag: TiffTag.Compression, type: TiffType.Short, values: [enc.compression] });
  tags.push({ tag: TiffTag.Photometric, type: TiffType.Short, values: [Photometric.MinIsBlack] });
  tags.push({ tag: TiffTag.SamplesPerPixel, type: TiffType.Short, values: [spp] });
  tags.push({ tag: TiffTag.PlanarConfiguration, type: TiffType.Short, values: [PlanarConfiguration.Contig] });
  if (enc.predictor !== 1) tags.push({ tag: TiffTag.Predictor, type: TiffType.Short, values: [enc.predictor] });
  tags.push(dim(TiffTag.TileWidth, enc.tileSizePx));
  tags.push(dim(TiffTag.TileLength, enc.tileSizePx));
  // Bands beyond the first of a MinIsBlack image are "unspecified" extra samples (as GDAL writes them).
  if (spp > 1) tags.push({ tag: TiffTag.ExtraSamples, type: TiffType.Short, values: new Array<number>(spp - 1).fill(0) });
  tags.push({ tag: TiffTag.SampleFormat, type: TiffType.Short, values: new Array<number>(spp).fill(sampleFormat(enc.sampleType)) });
  if (c.level === 0) {
    if (c.geo) tags.push(...geoTags(c.geo));
    const xml = buildGdalMetadataXml(c.bands ?? [], c.datasetMetadata ?? {});
    if (xml !== undefined) tags.push({ tag: TiffTag.GdalMetadata, type: TiffType.Ascii, values: asciiValue(xml) });
  }
  if (c.nodata !== undefined) tags.push({ tag: TiffTag.GdalNodata, type: TiffType.Ascii, values: asciiValue(formatNumber(c.nodata)) });
  return tags;
}
