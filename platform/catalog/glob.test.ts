import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidUriError } from '../storage/errors';
import { globToRegExp, isGlob, splitGlob } from './glob';
import { dateFromPath, sceneFromObject } from './scene-ref';

describe('globs', () => {
  it('splits a glob into the prefix a store lists and the pattern for the rest', () => {
    assert.deepEqual(splitGlob('s3://bucket/scenes/*.tif'), { prefixUri: 's3://bucket/scenes/', pattern: '*.tif' });
    assert.deepEqual(splitGlob('s3://bucket/scenes/2024-*/x/*.tif'), { prefixUri: 's3://bucket/scenes/', pattern: '2024-*/x/*.tif' });
    assert.deepEqual(splitGlob('file:///d/**/*.tif'), { prefixUri: 'file:///d/', pattern: '**/*.tif' });
    assert.deepEqual(splitGlob('/d/a b/*.tif'), { prefixUri: 'file:///d/a%20b/', pattern: '*.tif' });
    assert.throws(() => splitGlob('s3://buck*/x.tif'), InvalidUriError);
    assert.equal(isGlob('s3://bkt/scenes/*.tif'), true);
    assert.equal(isGlob('s3://bkt/scenes/'), false);
    assert.equal(isGlob('/d/[ab].tif'), true);
  });

  it('matches *, **, ?, [sets] and {alternatives} by path segment', () => {
    const m = (glob: string, path: string) => globToRegExp(glob).test(path);
    assert.equal(m('*.tif', 'a.tif'), true);
    assert.equal(m('*.tif', 'sub/a.tif'), false);
    assert.equal(m('**/*.tif', 'a.tif'), true);
    assert.equal(m('**/*.tif', 'x/y/a.tif'), true);
    assert.equal(m('x/**/a.tif', 'x/a.tif'), true);
    assert.equal(m('x/**', 'x/y/z.tif'), true);
    assert.equal(m('scene-??.tif', 'scene-01.tif'), true);
    assert.equal(m('scene-??.tif', 'scene-1.tif'), false);
    assert.equal(m('scene-[0-4].tif', 'scene-3.tif'), true);
    assert.equal(m('scene-[!0-4].tif', 'scene-3.tif'), false);
    assert.equal(m('scene-[!0-4].tif', 'scene-7.tif'), true);
    assert.equal(m('*.{tif,tiff}', 'a.tiff'), true);
    assert.equal(m('*.{tif,tiff}', 'a.png'), false);
    assert.equal(m('a+b(1).tif', 'a+b(1).tif'), true, 'regex characters are literal');
  });
});

describe('bare GeoTIFF scenes', () => {
  it('take the stem as id and a date from the name or the nearest folder', () => {
    assert.deepEqual(sceneFromObject('s3://bkt/scenes/erie_20240615_v2.tif'), { id: 'erie_20240615_v2', assetUri: 's3://bkt/scenes/erie_20240615_v2.tif', datetime: '2024-06-15T00:00:00Z' });
    assert.equal(sceneFromObject('file:///d/2024-06-01/scene%20a.TIFF').id, 'scene a');
    assert.equal(sceneFromObject('file:///d/2024-06-01/scene%20a.TIFF').datetime, '2024-06-01T00:00:00Z');
    assert.equal(dateFromPath('s3://bkt/x/orbit_123456789.tif'), null, 'digits inside a longer number are not a date');
    assert.equal(dateFromPath('s3://bkt/x/erie_20240230.tif'), null, 'no 30 February');
    assert.equal(dateFromPath('s3://bkt/2023-01-02/erie-2024-07-08.tif'), '2024-07-08T00:00:00Z', 'the file name wins');
    assert.equal(dateFromPath('s3://bkt/x/2024-0701.tif'), null, 'separators must match');
  });
});
