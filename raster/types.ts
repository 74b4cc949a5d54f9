/** Shared value types of the raster library (reader, writer, kernels). Plain data: safe to post to worker threads. */

export type SampleType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** GDAL's affine geotransform: [originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight (negative for north-up)]. */
export type GeoTransform = [number, number, number, number, number, number];

export interface GeoReference {
  /** EPSG code of the CRS (geographic, e.g. 4326, or projected, e.g. 32632), when the GeoKeys name one. */
  epsg?: number;
  /** Corner-based transform (PixelIsPoint files are shifted half a pixel, as GDAL does). */
  geoTransform: GeoTransform;
  /** True when GTRasterTypeGeoKey = PixelIsPoint (GDAL metadata AREA_OR_POINT=Point). */
  pixelIsPoint?: boolean;
}

export interface BandInfo {
  /** GDAL band description (GDAL_METADATA item DESCRIPTION, role="description"). */
  description?: string;
  /** Centre wavelength in nanometres (from a per-band `wavelength` item, converted from µm when the units say so). */
  wavelengthNm?: number;
  /** Full width at half maximum in nanometres. */
  fwhmNm?: number;
  scale?: number;
  offset?: number;
  /** GDAL UNITTYPE. */
  unit?: string;
  /** Every other per-band item of the default domain, verbatim (e.g. wavelength, wavelength_units, fwhm). */
  metadata: Record<string, string>;
}

export interface OverviewInfo {
  width: number;
  height: number;
}

/** What a reader tells about a raster, and what the COG writer needs to write one. */
export interface RasterInfo {
  width: number;
  height: number;
  bandCount: number;
  sampleType: SampleType;
  /** GDAL_NODATA (one value for all bands); NaN is a valid nodata value. */
  nodata?: number;
  bands: BandInfo[];
  geo?: GeoReference;
  /** Dataset-level GDAL_METADATA items of the default domain. */
  datasetMetadata: Record<string, string>;
  /** Block (tile or strip) size; for striped files blockWidth = width and blockHeight = RowsPerStrip. */
  blockWidth: number;
  blockHeight: number;
  tiled: boolean;
  /** TIFF compression code (see tiff/const.ts Compression). */
  compression: number;
  /** TIFF predictor (1 none, 2 horizontal, 3 floating point). */
  predictor: number;
  /** PlanarConfiguration = 2 (band-sequential blocks). */
  planar: boolean;
  overviews: OverviewInfo[];
}

/** Bytes per sample of each sample type. */
export const SAMPLE_BYTES: Record<SampleType, number> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
};

/** Allocates a typed array of the given sample type. */
export function allocSamples(type: SampleType, length: number): TypedArray {
  switch (type) {
    case 'uint8':
      return new Uint8Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'uint16':
      return new Uint16Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'uint32':
      return new Uint32Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
  }
}

/** Views a byte buffer (native, little-endian) as samples of the given type; `bytes.byteOffset` must be aligned. */
export function viewSamples(type: SampleType, bytes: Uint8Array): TypedArray {
  const n = bytes.byteLength / SAMPLE_BYTES[type];
  const { buffer, byteOffset } = bytes;
  switch (type) {
    case 'uint8':
      return new Uint8Array(buffer, byteOffset, n);
    case 'int8':
      return new Int8Array(buffer, byteOffset, n);
    case 'uint16':
      return new Uint16Array(buffer, byteOffset, n);
    case 'int16':
      return new Int16Array(buffer, byteOffset, n);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, n);
    case 'int32':
      return new Int32Array(buffer, byteOffset, n);
    case 'float32':
      return new Float32Array(buffer, byteOffset, n);
    case 'float64':
      return new Float64Array(buffer, byteOffset, n);
  }
}
