/**
 * STAC 1.0.0 item for a synthetic scene: eo (band centre and FWHM in micrometres) and projection extensions, one
 * COG asset with roles ["data"].
 */
import type { GeoTransform } from '../types';

export interface StacItemInput {
  id: string;
  /** Asset href, relative to the item file. */
  cogHref: string;
  width: number;
  height: number;
  epsg: number;
  geoTransform: GeoTransform;
  wavelengthsNm: readonly number[];
  fwhmNm: readonly number[];
  datetime: string;
  properties?: Record<string, unknown>;
}

const EO_SCHEMA = 'https://stac-extensions.github.io/eo/v1.1.0/schema.json';
const PROJ_SCHEMA = 'https://stac-extensions.github.io/projection/v1.1.0/schema.json';

function um(nm: number): number {
  return Math.round(nm * 10) / 10000;
}

export function buildStacItem(i: StacItemInput): Record<string, unknown> {
  const [x0, sx, , y0, , sy] = i.geoTransform;
  const xs = [x0, x0 + sx * i.width];
  const ys = [y0, y0 + sy * i.height];
  const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
  const [minY, maxY] = [Math.min(...ys), Math.max(...ys)];
  const eoBands = i.wavelengthsNm.map((w, k) => ({
    name: `Band_${Math.round(w)}`,
    center_wavelength: um(w),
    full_width_half_max: um(i.fwhmNm[k]),
  }));
  // proj:transform uses rasterio / affine order: [a, b, c, d, e, f] = [sx, rx, x0, ry, sy, y0].
  const transform = [i.geoTransform[1], i.geoTransform[2], i.geoTransform[0], i.geoTransform[4], i.geoTransform[5], i.geoTransform[3]];
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [EO_SCHEMA, PROJ_SCHEMA],
    id: i.id,
    bbox: [minX, minY, maxX, maxY],
    geometry: {
      type: 'Polygon',
      coordinates: [[[minX, minY], [maxX, minY], [maxX, maxY], [minX, maxY], [minX, minY]]],
    },
    properties: {
      datetime: i.datetime,
      'proj:epsg': i.epsg,
      'proj:shape': [i.height, i.width],
      'proj:transform': transform,
      'eo:bands': eoBands,
      ...i.properties,
    },
    assets: {
      cog: {
        href: i.cogHref,
        type: 'image/tiff; application=geotiff; profile=cloud-optimized',
        title: 'Surface reflectance',
        roles: ['data'],
        'eo:bands': eoBands,
        'proj:shape': [i.height, i.width],
        'proj:transform': transform,
      },
    },
    links: [],
  };
}
