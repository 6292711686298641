// A scene's folder checked and zipped (core/blender/scene-zip.ts): the checks made before a file is
// read (paths a zip may carry, each once, the size cap, one .blend at the top), and a zip that is
// the same bytes for the same files whatever their order and whatever the time zone, its entries
// by path, each stamped 1980-01-01 12:00 and deflated, read back by our zip reader.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { checkSceneFolder, SceneRefused, zipSceneFolder } from '../../../src-main/core/blender/scene-zip.js';
import { readZipDirectory } from '../../../src-main/core/blender/zip.js';

const text = (s: string) => new TextEncoder().encode(s);
const FILES = [
  { path: 'tex/wood.png', bytes: text('wood '.repeat(100)) },
  { path: 'scene.blend', bytes: text('BLENDER-v304') },
  { path: 'b/7', bytes: text('seven') },
  { path: 'a.txt', bytes: new Uint8Array() },
];

test('the checks before reading: paths, each once, the cap, one .blend at the top', () => {
  const sized = (paths: string[], size = 1) => paths.map((path) => ({ path, size }));
  assert.deepEqual(checkSceneFolder(sized(['scene.blend', 'tex/wood.png'], 10)), { scene: 'scene.blend', bytes: 20 });
  const refusal = (files: Array<{ path: string; size: number }>, limit?: number): string => {
    try {
      checkSceneFolder(files, limit);
    } catch (error) {
      assert.ok(error instanceof SceneRefused);
      return error.message;
    }
    return assert.fail('not refused');
  };
  assert.equal(
    refusal(sized(['scene.blend', 'tex/big.png'], 2 ** 29 + 1)),
    `the scene is over ${2 ** 30} bytes (at tex/big.png)`,
  );
  assert.equal(refusal(sized(['scene.blend', 'x.png'], 6), 10), 'the scene is over 10 bytes (at x.png)');
  assert.match(refusal(sized(['scene.blend', '../x.png'])), /climbs out/);
  assert.match(refusal(sized(['scene.blend', '/etc/passwd'])), /absolute path/);
  assert.match(refusal(sized(['scene.blend', 'C:x.png'])), /drive/);
  assert.match(refusal(sized(['scene.blend', 'x.png', 'x.png'])), /"x\.png" is given twice/);
  assert.equal(refusal(sized(['sub/scene.blend'])), 'the folder must hold one .blend at its top, not 0');
  assert.equal(refusal(sized(['a.blend', 'b.blend'])), 'the folder must hold one .blend at its top, not 2');
});

test('the same files make the same zip in any order and any time zone; entries by path, a fixed time, deflated', () => {
  const zone = process.env.TZ;
  try {
    process.env.TZ = 'UTC';
    const zip = zipSceneFolder(FILES, zipSync);
    process.env.TZ = 'Pacific/Kiritimati';
    assert.deepEqual(zipSceneFolder([...FILES].reverse(), zipSync), zip);
    process.env.TZ = 'America/Los_Angeles';
    assert.deepEqual(zipSceneFolder([FILES[2]!, FILES[0]!, FILES[3]!, FILES[1]!], zipSync), zip);

    const utf8 = new TextDecoder();
    const entries = readZipDirectory(zip, 2 ** 30, (b) => utf8.decode(b));
    assert.deepEqual(
      entries.map((e) => e.name),
      ['a.txt', 'b/7', 'scene.blend', 'tex/wood.png'],
    );
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (const entry of entries) {
      const original = FILES.find((f) => f.path === entry.name)!.bytes;
      const packed = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
      assert.equal(entry.method, 8, 'deflated');
      assert.deepEqual(new Uint8Array(inflateRawSync(packed)), original);
    }
    // Each local header's DOS time and date: 12:00:00 on 1980-01-01.
    let at = 0;
    for (const entry of entries) {
      assert.equal(view.getUint32(at, true), 0x04034b50);
      assert.deepEqual([view.getUint16(at + 10, true), view.getUint16(at + 12, true)], [12 << 11, (1 << 5) | 1]);
      at = entry.dataOffset + entry.compressedSize;
    }
    assert.ok(entries.find((e) => e.name === 'tex/wood.png')!.compressedSize < 100, 'compressed');
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});
