import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Aoi, Polygon } from './aoi';
import { aoiIntersectsBbox, polygonIntersectsBox, type LonLatBbox } from './footprint';

const square = (w: number, s: number, e: number, n: number): Polygon[number] => [[w, s], [e, s], [e, n], [w, n], [w, s]];
// Lon + lat <= 1 inside the unit square's lower-left triangle.
const TRIANGLE: Polygon = [[[0, 0], [1, 0], [0, 1], [0, 0]]];
// A 10° square with a 4° hole in its middle.
const FRAME: Polygon = [square(0, 0, 10, 10), square(3, 3, 7, 7)];

test('polygon and box: containment either way, crossing edges, touching', () => {
  const cases: Array<[string, Polygon, LonLatBbox, boolean]> = [
    ['box inside the triangle', TRIANGLE, [0.1, 0.1, 0.2, 0.2], true],
    ['triangle inside the box', TRIANGLE, [-1, -1, 2, 2], true],
    ['box over the hypotenuse, no vertex inside either way', TRIANGLE, [0.4, 0.4, 0.7, 0.7], true],
    ['box in the triangle\'s bbox, beyond the hypotenuse', TRIANGLE, [0.6, 0.6, 0.9, 0.9], false],
    ['box touching the hypotenuse at a corner', TRIANGLE, [0.5, 0.5, 0.9, 0.9], true],
    ['box sharing an edge', TRIANGLE, [-1, 0, 0, 1], true],
    ['box beside it', TRIANGLE, [1.1, 0, 2, 1], false],
    ['box inside the hole', FRAME, [4, 4, 6, 6], false],
    ['box across the hole\'s edge', FRAME, [2, 4, 4, 6], true],
    ['box covering the hole', FRAME, [2, 2, 8, 8], true],
    ['thin box crossing the frame, no vertex or corner inside', FRAME, [-1, 4.5, 11, 5.5], true],
  ];
  for (const [name, polygon, box, want] of cases) assert.equal(polygonIntersectsBox(polygon, box), want, name);
});

test('AOI: any of its polygons; a box across the antimeridian is tested on both sides', () => {
  const aoi: Aoi = { source: 'x.geojson', polygons: [[square(179, -17, 180, -16)], [square(-180, 10, -179, 11)]] };
  assert.equal(aoiIntersectsBbox(aoi, [179.5, -16.8, -179.5, -16.2]), true, 'west half meets the first polygon');
  assert.equal(aoiIntersectsBbox(aoi, [179.8, 10.2, -179.5, 10.8]), true, 'east half meets the second polygon');
  assert.equal(aoiIntersectsBbox(aoi, [179.8, 0, -179.8, 1]), false);
  assert.equal(aoiIntersectsBbox(aoi, [-170, -17, -160, -16]), false);
});
