// The scene the Jobs page's Blender form sends (src-renderer/jobs/blender-scene.ts): a .blend
// dropped as it is, a zip named by the one .blend at its top, and a folder's files (dropped or
// picked) zipped as meshctl zips a folder: the same bytes whatever order the browser lists them in,
// the .blend and its assets by their paths; a folder with no or several .blend at its top, a name
// a zip may not carry, or a zip past a scene's limit refused before anything is sent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { MAX_BLENDER_SCENE_BYTES } from '../../src-main/core/blender/unit.js';
import { readZipDirectory } from '../../src-main/core/blender/zip.js';
import { sceneOfFiles, sceneRefusedUnread } from '../../src-renderer/kinds/blender/blender-scene.js';
import type { NamedBytes } from '../../src-renderer/kinds/wasi/program-form.js';

const text = (s: string) => new TextEncoder().encode(s);
const blend = { name: 'shot-1.blend', bytes: text('BLEN') };

function refused(files: readonly NamedBytes[]): string {
  const made = sceneOfFiles(files);
  assert.ok(!made.ok, 'refused');
  return made.error;
}

function namesIn(base64: string): string[] {
  const utf8 = new TextDecoder();
  return readZipDirectory(Buffer.from(base64, 'base64'), 2 ** 30, (b) => utf8.decode(b)).map((e) => e.name);
}

test('a dropped .blend is the scene; a zip names the one .blend at its top; anything else says what is wrong', () => {
  assert.deepEqual(sceneOfFiles([blend]), {
    ok: true,
    value: {
      scene: { scene_base64: Buffer.from(blend.bytes).toString('base64'), file: 'shot-1.blend', zip: false },
      label: 'shot-1.blend',
    },
  });
  const zip = zipSync({ 'tex/rock.png': text('png'), 'shot.blend': text('BLEN') });
  const zipped = sceneOfFiles([{ name: 'shot.zip', bytes: zip }]);
  assert.ok(zipped.ok);
  assert.deepEqual(
    [zipped.value.scene.file, zipped.value.scene.zip, zipped.value.label],
    ['shot.blend', true, 'shot.blend (in shot.zip)'],
  );
  assert.match(refused([{ name: 'notes.txt', bytes: new Uint8Array(1) }]), /neither a \.blend, a \.zip nor a folder/);
  assert.match(refused([{ name: 'my shot.blend', bytes: new Uint8Array(1) }]), /a \.blend's name is letters/);
  assert.match(
    refused([{ name: 'two.zip', bytes: zipSync({ 'sub/a.blend': text('x') }) }]),
    /must hold one \.blend at its top \(a plain name\), not 0/,
  );
  assert.match(
    refused([{ name: 'out.zip', bytes: zipSync({ '../a.blend': text('x') }) }]),
    /out\.zip: zip entry "\.\.\/a\.blend" climbs out/,
  );
  assert.match(refused([{ name: 'x.zip', bytes: new Uint8Array(40) }]), /no end of central directory/);
});

test("a folder's files are zipped: the same bytes in any order, its .blend named, its assets by their paths", () => {
  const files = [
    { name: 'tex/wood.png', bytes: text('a texture') },
    { name: 'shot.blend', bytes: text('BLEN') },
    { name: 'tex/deep/bump.png', bytes: text('another') },
  ];
  const made = sceneOfFiles(files);
  assert.ok(made.ok, made.ok ? '' : made.error);
  const { scene, label } = made.value;
  assert.deepEqual([scene.file, scene.zip], ['shot.blend', true]);
  assert.deepEqual(namesIn(scene.scene_base64), ['shot.blend', 'tex/deep/bump.png', 'tex/wood.png']);
  const zipBytes = Buffer.from(scene.scene_base64, 'base64').byteLength;
  assert.equal(label, `shot.blend (a folder of 3 files, 20 bytes, sent as a zip of ${zipBytes})`);
  const reversed = sceneOfFiles([...files].reverse());
  assert.ok(reversed.ok);
  assert.equal(reversed.value.scene.scene_base64, scene.scene_base64, 'the same files, the same zip');
  // A folder of one file in a subfolder is a folder too.
  assert.match(refused([{ name: 'sub/shot.blend', bytes: text('x') }]), /one \.blend at its top, not 0/);
});

test('a folder with no or several .blend at its top, a name a zip may not carry, or a zip past the limit is refused', () => {
  const png = { name: 'wood.png', bytes: text('png') };
  assert.equal(
    refused([png, { name: 'a.blend', bytes: text('x') }, { name: 'b.blend', bytes: text('y') }]),
    'Cannot send this folder: the folder must hold one .blend at its top, not 2.',
  );
  assert.equal(
    refused([png, { name: 'tex/rock.png', bytes: text('png') }]),
    'Cannot send this folder: the folder must hold one .blend at its top, not 0.',
  );
  assert.equal(refused([]), 'Cannot send this folder: the folder must hold one .blend at its top, not 0.');
  assert.match(refused([blend, { name: 'tex\\wood.png', bytes: text('x') }]), /a name with a backslash/);
  assert.match(refused([blend, png, png]), /"wood\.png" is given twice/);
  assert.match(refused([png, { name: 'my shot.blend', bytes: text('x') }]), /a \.blend's name is letters/);
  // Noise does not deflate: its zip is past what a scene may weigh.
  const noise = { name: 'noise.bin', bytes: new Uint8Array(randomBytes(MAX_BLENDER_SCENE_BYTES + 1024)) };
  assert.match(
    refused([blend, noise]),
    new RegExp(`^The folder's zip is \\d+ bytes; a scene is at most ${MAX_BLENDER_SCENE_BYTES}\\.$`),
  );
});

test('what names and sizes refuse is refused before a byte is read: a lone file past the limit, a folder past 1 GiB', () => {
  assert.equal(sceneRefusedUnread([{ name: 'shot.blend', size: MAX_BLENDER_SCENE_BYTES }]), undefined);
  assert.match(
    sceneRefusedUnread([{ name: 'shot.blend', size: MAX_BLENDER_SCENE_BYTES + 1 }]) ?? '',
    /^shot\.blend is \d+ bytes; a scene is at most/,
  );
  const folder = [
    { name: 'shot.blend', size: 1000 },
    { name: 'tex/wood.png', size: 2 ** 20 },
  ];
  assert.equal(sceneRefusedUnread(folder), undefined, 'a folder within the limits is read, then zipped');
  assert.match(
    sceneRefusedUnread([...folder, { name: 'footage.mov', size: 64 * 2 ** 30 }]) ?? '',
    /^Cannot send this folder: the scene is over 1073741824 bytes \(at footage\.mov\)/,
  );
  assert.match(sceneRefusedUnread([{ name: 'tex/wood.png', size: 1 }]) ?? '', /one \.blend at its top, not 0/);
});
