// A scene's folder zipped as `meshctl submit-job --blend <folder>` sends it (zipFolder in
// node/blender/scene-folder.ts), walked by bringScene's own checks: the same bytes run after run
// and for a copy of the folder made in another order with other times, the same bytes the Jobs
// page makes of the same files; unpacked by bringScene into the same files; a symlink, a FIFO,
// no .blend or a folder past the cap refused by its path before a file is read.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SceneRefused } from '../../../src-main/core/blender/scene-zip.js';
import { bringScene, zipFolder } from '../../../src-main/node/blender/scene-folder.js';
import { sceneOfFiles } from '../../../src-renderer/kinds/blender/blender-scene.js';
import { tempFolder } from './scenes.js';

const folder = tempFolder('scene-folder-');
after(() => folder.done());

const FILES: Record<string, string> = {
  'scene.blend': 'BLENDER-v304 not really a scene',
  'tex/wood.png': 'wood '.repeat(200),
  'tex/deep/bump.png': 'bump',
  'notes.txt': '',
};

/** Writes FILES under a new folder `name`, in the order given, each modified at `mtime`. */
function makeFolder(name: string, order: string[], mtime: number): string {
  const root = join(folder.dir, name);
  for (const path of order) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), FILES[path]!);
    utimesSync(join(root, path), mtime, mtime);
  }
  return root;
}

const refusedWith = (pattern: RegExp) => (err: unknown) => err instanceof SceneRefused && pattern.test(err.message);

test('a folder zips to the same bytes every run, and for a copy made in another order at other times', async () => {
  const root = makeFolder('one', Object.keys(FILES), 1_000_000_000);
  const first = await zipFolder(root);
  const second = await zipFolder(root);
  assert.deepEqual(second.zip, first.zip);
  assert.deepEqual(first.paths, ['notes.txt', 'scene.blend', 'tex/deep/bump.png', 'tex/wood.png']);
  assert.equal(first.bytes, Object.values(FILES).join('').length);
  const copy = makeFolder('two', Object.keys(FILES).reverse(), 1_700_000_000);
  assert.deepEqual((await zipFolder(copy)).zip, first.zip, 'other times, another order: the same zip');
  const copied = join(folder.dir, 'copied');
  cpSync(root, copied, { recursive: true });
  assert.deepEqual((await zipFolder(copied)).zip, first.zip, 'a copy (new times) zips the same');

  // The Jobs page zips the same files to the same bytes: one CID for the scene from either.
  const page = sceneOfFiles(Object.entries(FILES).map(([name, s]) => ({ name, bytes: new TextEncoder().encode(s) })));
  assert.ok(page.ok, page.ok ? '' : page.error);
  assert.deepEqual(Buffer.from(page.value.scene.scene_base64, 'base64'), Buffer.from(first.zip));

  // Its zip unpacks by bringScene's checks into the folder's files.
  const zipPath = join(folder.dir, 'one.zip');
  writeFileSync(zipPath, first.zip);
  const unitDir = join(folder.dir, 'unit');
  mkdirSync(unitDir);
  assert.equal(await bringScene(zipPath, unitDir), 'scene.blend');
  for (const [path, content] of Object.entries(FILES)) assert.equal(readFileSync(join(unitDir, path), 'utf8'), content);
});

test('a symlink, a FIFO, no .blend at the top or a folder past the cap is refused, by its path', async () => {
  const linked = makeFolder('linked', Object.keys(FILES), 1_000_000_000);
  symlinkSync('/etc/passwd', join(linked, 'tex', 'deep', 'home.png'));
  await assert.rejects(zipFolder(linked), refusedWith(/^tex\/deep\/home\.png is a symlink/));

  const piped = makeFolder('piped', Object.keys(FILES), 1_000_000_000);
  assert.equal(spawnSync('mkfifo', [join(piped, 'tex', 'pipe.png')]).status, 0);
  await assert.rejects(zipFolder(piped), refusedWith(/^tex\/pipe\.png is not a plain file$/));

  const none = makeFolder('none', ['tex/wood.png'], 1_000_000_000);
  await assert.rejects(zipFolder(none), refusedWith(/one \.blend at its top, not 0/));

  const big = makeFolder('big', Object.keys(FILES), 1_000_000_000);
  await assert.rejects(zipFolder(big, 100), refusedWith(/^the scene is over 100 bytes \(at tex\/wood\.png\)$/));
});
