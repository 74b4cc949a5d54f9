/** TIFF / BigTIFF / GeoTIFF / GDAL constants, named as in the specs (TIFF 6.0, BigTIFF, GeoTIFF 1.0, GDAL GTiff driver). */

export enum TiffVersion {
  Classic = 42,
  BigTiff = 43,
}

/** Field types (TIFF 6.0 §2; BigTIFF adds 16–18). */
export enum TiffType {
  Byte = 1,
  Ascii = 2,
  Short = 3,
  Long = 4,
  Rational = 5,
  SByte = 6,
  Undefined = 7,
  SShort = 8,
  SLong = 9,
  SRational = 10,
  Float = 11,
  Double = 12,
  Ifd = 13,
  Long8 = 16,
  SLong8 = 17,
  Ifd8 = 18,
}

/** Size in bytes of one value of each field type. */
export const TIFF_TYPE_SIZE: Record<number, number> = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8,
};

export enum TiffTag {
  NewSubfileType = 254,
  ImageWidth = 256,
  ImageLength = 257,
  BitsPerSample = 258,
  Compression = 259,
  Photometric = 262,
  ImageDescription = 270,
  StripOffsets = 273,
  SamplesPerPixel = 277,
  RowsPerStrip = 278,
  StripByteCounts = 279,
  PlanarConfiguration = 284,
  Software = 305,
  Predictor = 317,
  TileWidth = 322,
  TileLength = 323,
  TileOffsets = 324,
  TileByteCounts = 325,
  ExtraSamples = 338,
  SampleFormat = 339,
  JpegTables = 347,
  ModelPixelScale = 33550,
  ModelTiepoint = 33922,
  ModelTransformation = 34264,
  GeoKeyDirectory = 34735,
  GeoDoubleParams = 34736,
  GeoAsciiParams = 34737,
  GdalMetadata = 42112,
  GdalNodata = 42113,
  LercParameters = 50674,
}

export enum Compression {
  None = 1,
  Lzw = 5,
  Jpeg = 7,
  Deflate = 8,
  PackBits = 32773,
  DeflateLegacy = 32946,
  Lerc = 34887,
  Lzma = 34925,
  Zstd = 50000,
  Webp = 50001,
}

export enum Predictor {
  None = 1,
  Horizontal = 2,
  FloatingPoint = 3,
}

export enum SampleFormat {
  Uint = 1,
  Int = 2,
  Float = 3,
  Void = 4,
}

export enum PlanarConfiguration {
  Contig = 1,
  Separate = 2,
}

export enum Photometric {
  MinIsWhite = 0,
  MinIsBlack = 1,
  Rgb = 2,
}

export enum SubfileType {
  ReducedImage = 1,
  Page = 2,
  Mask = 4,
}

export enum GeoKey {
  GTModelType = 1024,
  GTRasterType = 1025,
  GTCitation = 1026,
  GeographicType = 2048,
  GeogCitation = 2049,
  GeogAngularUnits = 2054,
  GeogSemiMajorAxis = 2057,
  GeogInvFlattening = 2059,
  ProjectedCSType = 3072,
  ProjLinearUnits = 3076,
}

export enum ModelType {
  Projected = 1,
  Geographic = 2,
  Geocentric = 3,
}

export enum RasterType {
  PixelIsArea = 1,
  PixelIsPoint = 2,
}
