#!/usr/bin/python3
"""Writes the reader's GeoTIFF fixtures and GDAL's view of them (the test oracle) into generated/.

Run with /usr/bin/python3 (needs osgeo + numpy). Skips all work when generated/.stamp holds this script's hash.
Per fixture <name>: <name>.tif, <name>.raw (ReadAsArray of the whole image, band-sequential, little-endian),
<name>.ovr<i>.raw for each overview, <name>.json (gdalinfo -json). manifest.json lists them all.
"""
import fcntl
import hashlib
import json
import os
import shutil
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
gdal.SetConfigOption('GDAL_PAM_ENABLED', 'NO')

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'generated')
W, H, B = 75, 53, 3  # not a multiple of the 32 px tiles or the 8-row strips

GDAL_TYPE = {
    'uint8': gdal.GDT_Byte, 'int8': gdal.GDT_Byte, 'uint16': gdal.GDT_UInt16, 'int16': gdal.GDT_Int16,
    'uint32': gdal.GDT_UInt32, 'int32': gdal.GDT_Int32, 'float32': gdal.GDT_Float32, 'float64': gdal.GDT_Float64,
}


def pixels(dtype, bands, height, width, seed):
    """Smooth field + noise; integers span the whole range (exercises predictor wrap-around), floats carry NaN, inf, -0."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    out = []
    for b in range(bands):
        smooth = np.sin(x / 9.0 + b) * np.cos(y / 7.0 - b) + rng.normal(0, 0.05, (height, width))
        if dtype in ('float32', 'float64'):
            a = (smooth * 1000.0 + b * 0.125).astype(dtype)
            a[0, 0] = np.nan
            a[1, 2] = np.inf
            a[2, 1] = -np.inf
            a[3, 3] = -0.0
        else:
            np_type = np.dtype(dtype)
            info = np.iinfo(np_type)
            span = float(info.max) - float(info.min)
            a = (((smooth + 1.2) / 2.4) * span + float(info.min)).clip(info.min, info.max).astype(np_type)
            a[0, 0] = info.min
            a[0, 1] = info.max
            a[0, 2] = info.min
        out.append(a)
    return np.stack(out)


def mem_dataset(dtype, data, gt=(500000.0, 30.0, 0.0, 5600000.0, 0.0, -30.0), epsg=32632):
    bands, height, width = data.shape
    ds = gdal.GetDriverByName('MEM').Create('', width, height, bands, GDAL_TYPE[dtype])
    ds.SetGeoTransform(gt)
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        ds.SetProjection(srs.ExportToWkt())
    for b in range(bands):
        arr = data[b].view(np.uint8) if dtype == 'int8' else data[b]
        ds.GetRasterBand(b + 1).WriteArray(arr)
    return ds


def write_oracle(name, path, manifest, extra=None):
    ds = gdal.Open(path)
    arr = ds.ReadAsArray()
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    with open(os.path.join(OUT, name + '.raw'), 'wb') as f:
        f.write(arr.astype(arr.dtype.newbyteorder('<')).tobytes())
    band1 = ds.GetRasterBand(1)
    overviews = []
    for i in range(band1.GetOverviewCount()):
        ov_arrays = [ds.GetRasterBand(b + 1).GetOverview(i).ReadAsArray() for b in range(ds.RasterCount)]
        ov = np.stack(ov_arrays)
        with open(os.path.join(OUT, '%s.ovr%d.raw' % (name, i)), 'wb') as f:
            f.write(ov.astype(ov.dtype.newbyteorder('<')).tobytes())
        overviews.append([int(ov.shape[2]), int(ov.shape[1])])
    info = gdal.Info(ds, format='json')
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(info, f, indent=1)
    entry = {'name': name, 'overviews': overviews}
    entry.update(extra or {})
    manifest.append(entry)
    ds = None


def translate(name, src, options, manifest, extra=None, fmt='GTiff'):
    path = os.path.join(OUT, name + '.tif')
    gdal.Translate(path, src, options=gdal.TranslateOptions(format=fmt, creationOptions=options))
    write_oracle(name, path, manifest, extra)


def matrix(manifest):
    seed = 1
    for dtype in ('uint8', 'uint16', 'int16', 'float32', 'float64'):
        is_float = dtype.startswith('float')
        data = pixels(dtype, B, H, W, seed)
        seed += 1
        src = mem_dataset(dtype, data)
        for comp in ('NONE', 'LZW', 'DEFLATE', 'ZSTD'):
            preds = [1] if comp == 'NONE' else ([1, 2, 3] if is_float else [1, 2])
            for pred in preds:
                for interleave in ('PIXEL', 'BAND'):
                    for tiled in (True, False):
                        name = '%s-%s-p%d-%s-%s' % (dtype, comp.lower(), pred, interleave.lower(), 'tiled' if tiled else 'striped')
                        opts = ['COMPRESS=' + comp, 'INTERLEAVE=' + interleave]
                        if comp != 'NONE':
                            opts.append('PREDICTOR=%d' % pred)
                        opts += ['TILED=YES', 'BLOCKXSIZE=32', 'BLOCKYSIZE=32'] if tiled else ['BLOCKYSIZE=8']
                        translate(name, src, opts, manifest)


def specials(manifest):
    f32 = pixels('float32', B, H, W, 100)
    i16 = pixels('int16', B, H, W, 101)
    u16 = pixels('uint16', B, H, W, 102)
    f64 = pixels('float64', B, H, W, 103)
    tiled = ['TILED=YES', 'BLOCKXSIZE=32', 'BLOCKYSIZE=32']
    translate('bigtiff-zstd-f32', mem_dataset('float32', f32), tiled + ['COMPRESS=ZSTD', 'PREDICTOR=3', 'BIGTIFF=YES'], manifest)
    translate('bigtiff-none-u16-band', mem_dataset('uint16', u16), ['BIGTIFF=YES', 'INTERLEAVE=BAND', 'BLOCKYSIZE=5'], manifest)
    translate('bigendian-lzw-i16-p2', mem_dataset('int16', i16), tiled + ['COMPRESS=LZW', 'PREDICTOR=2', 'ENDIANNESS=BIG'], manifest)
    # Not PREDICTOR=3 with ENDIANNESS=BIG: GDAL 3.6 / libtiff 4.5.0 read their own such files back byte-swapped.
    translate('bigendian-lzw-f32', mem_dataset('float32', f32), tiled + ['COMPRESS=LZW', 'ENDIANNESS=BIG'], manifest)
    translate('bigendian-deflate-f64-p2-band', mem_dataset('float64', f64),
              ['COMPRESS=DEFLATE', 'PREDICTOR=2', 'ENDIANNESS=BIG', 'INTERLEAVE=BAND', 'BLOCKYSIZE=8'], manifest)
    translate('bigendian-none-u16', mem_dataset('uint16', u16), ['ENDIANNESS=BIG', 'BLOCKYSIZE=8'], manifest)
    translate('packbits-u8', mem_dataset('uint8', pixels('uint8', B, H, W, 104)), ['COMPRESS=PACKBITS', 'BLOCKYSIZE=16'], manifest)
    translate('packbits-i16-tiled', mem_dataset('int16', i16), tiled + ['COMPRESS=PACKBITS'], manifest)
    translate('int8-lzw-p2', mem_dataset('int8', pixels('int8', B, H, W, 105)), ['COMPRESS=LZW', 'PREDICTOR=2', 'PIXELTYPE=SIGNEDBYTE'] + tiled, manifest)
    translate('uint32-lzw-p2', mem_dataset('uint32', pixels('uint32', B, H, W, 106)), ['COMPRESS=LZW', 'PREDICTOR=2'] + tiled, manifest)
    translate('int32-deflate-p2-band', mem_dataset('int32', pixels('int32', B, H, W, 107)),
              ['COMPRESS=DEFLATE', 'PREDICTOR=2', 'INTERLEAVE=BAND', 'BLOCKYSIZE=8'], manifest)
    translate('deflate-legacy-f32', mem_dataset('float32', f32), tiled + ['COMPRESS=DEFLATE', 'PREDICTOR=3'], manifest)

    # Sparse: only some blocks are written; the others have offset 0 and byte count 0.
    for name, dtype, nodata in (('sparse-nodata-f32', 'float32', -9999.0), ('sparse-zero-u16', 'uint16', None)):
        path = os.path.join(OUT, name + '.tif')
        ds = gdal.GetDriverByName('GTiff').Create(path, W, H, B, GDAL_TYPE[dtype], tiled + ['SPARSE_OK=TRUE', 'COMPRESS=LZW'])
        ds.SetGeoTransform((10.0, 0.001, 0.0, 50.0, 0.0, -0.001))
        for b in range(B):
            band = ds.GetRasterBand(b + 1)
            if nodata is not None:
                band.SetNoDataValue(nodata)
            band.WriteArray((np.arange(40 * 20).reshape(20, 40) + b).astype(dtype), 33, 33)
        ds = None
        write_oracle(name, path, manifest)

    # Georeferencing.
    translate('epsg4326', mem_dataset('uint8', pixels('uint8', 1, H, W, 110), gt=(10.0, 0.0001, 0.0, 50.0, 0.0, -0.0001), epsg=4326),
              tiled + ['COMPRESS=DEFLATE'], manifest)
    translate('epsg32632', mem_dataset('uint16', u16[:1]), tiled + ['COMPRESS=LZW'], manifest)
    point = mem_dataset('uint16', u16[:1])
    point.SetMetadataItem('AREA_OR_POINT', 'Point')
    translate('pixelispoint-32632', point, ['COMPRESS=LZW'], manifest)
    translate('rotated-32632', mem_dataset('uint8', pixels('uint8', 1, H, W, 111), gt=(500000.0, 30.0, 5.0, 5600000.0, 4.0, -30.0)),
              ['COMPRESS=LZW'], manifest)

    # GDAL_METADATA: descriptions, wavelengths (nm on the dataset, µm on one band), fwhm, scale/offset, unit, nodata.
    ds = mem_dataset('int16', i16)
    ds.SetMetadataItem('wavelength_units', 'Nanometers')
    ds.SetMetadataItem('SENSOR', 'test & <sensor>')
    for b in range(B):
        band = ds.GetRasterBand(b + 1)
        band.SetDescription('Band %d (%d nm)' % (b + 1, 450 + 100 * b))
        band.SetScale(0.0001)
        band.SetOffset(-0.1 * b)
        band.SetUnitType('reflectance')
        band.SetNoDataValue(-32768)
        band.SetMetadataItem('wavelength', '%g' % (450.5 + 100 * b))
        band.SetMetadataItem('fwhm', '%g' % (10.25 + b))
    ds.GetRasterBand(3).SetMetadataItem('wavelength', '0.6505')
    ds.GetRasterBand(3).SetMetadataItem('wavelength_units', 'Micrometers')
    ds.GetRasterBand(3).SetMetadataItem('fwhm', '0.01225')
    translate('metadata-i16', ds, tiled + ['COMPRESS=DEFLATE', 'PREDICTOR=2'], manifest)
    nan = mem_dataset('float32', f32)
    for b in range(B):
        nan.GetRasterBand(b + 1).SetNoDataValue(float('nan'))
    translate('nodata-nan-f32', nan, ['COMPRESS=LZW', 'PREDICTOR=3'], manifest)

    # Wyvern-like: 31-band float32, LZW + floating-point predictor, pixel-interleaved COG with two overview levels.
    bands = 31
    wv = pixels('float32', bands, 200, 300, 120)
    ds = mem_dataset('float32', wv)
    ds.SetMetadataItem('wavelength_units', 'Nanometers')
    for b in range(bands):
        band = ds.GetRasterBand(b + 1)
        band.SetDescription('Band %d' % (b + 1))
        band.SetMetadataItem('wavelength', '%.1f' % (503.0 + 10.5 * b))
        band.SetMetadataItem('fwhm', '%.2f' % (9.5 + 0.01 * b))
        band.SetNoDataValue(-9999.0)
    translate('wyvern-like-cog', ds, ['COMPRESS=LZW', 'PREDICTOR=YES', 'BLOCKSIZE=128', 'OVERVIEW_RESAMPLING=AVERAGE'], manifest, fmt='COG')


def main():
    script_hash = hashlib.sha256(open(os.path.abspath(__file__), 'rb').read()).hexdigest()
    os.makedirs(OUT, exist_ok=True)
    stamp = os.path.join(OUT, '.stamp')
    # Test files run in parallel processes: the lock makes one generate while the others wait, then see the stamp.
    with open(os.path.join(OUT, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(stamp) and open(stamp).read() == script_hash:
            return
        for entry in os.listdir(OUT):
            if entry != '.lock':
                p = os.path.join(OUT, entry)
                shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
        manifest = []
        matrix(manifest)
        specials(manifest)
        with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
            json.dump(manifest, f, indent=1)
        with open(stamp, 'w') as f:
            f.write(script_hash)


if __name__ == '__main__':
    sys.exit(main())
