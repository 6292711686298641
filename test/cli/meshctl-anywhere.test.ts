// `meshctl` as a command on the PATH, run from any folder: the built file is a program (executable,
// `#!/usr/bin/env node`) that a link on the PATH runs, under whatever `node` the PATH has (an older
// one hands over to the pinned Node 22), and relative paths mean the folder the user stands in, also
// through `npm run meshctl --`, which npm runs from the package's folder.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { olderThanMinimum, userFolder } from '../../src-main/cli/launch.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const meshctl = join(root, 'dist/src-main/cli/meshctl.js');
const here = mkdtempSync(join(tmpdir(), 'meshctl-anywhere-'));
after(() => rmSync(here, { recursive: true, force: true }));

// The user's PATH: a folder with the `meshctl` link first, and no node_modules/.bin (npm adds that
// to the scripts it runs, a user's shell does not).
const bin = join(here, 'bin');
mkdirSync(bin);
symlinkSync(meshctl, join(bin, 'meshctl'));
const userPath = [bin, ...(process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules'))].join(
  delimiter,
);

/** A tiny frame of the sample scene, every path relative. */
const RENDER = ['render-local', 'sample.json', '--frame', '0', '--width', '32', '--height', '18', '--spp', '1'];

/** A folder outside the repository holding a copy of the sample scene. */
function userDir(name: string): string {
  const dir = join(here, name);
  mkdirSync(dir);
  copyFileSync(join(root, 'assets/scenes/sample.json'), join(dir, 'sample.json'));
  return dir;
}

test('which Node is too old, and which folder relative paths mean', () => {
  for (const old of ['20.20.2', '22.11.9', '18.0.0', '22']) assert.equal(olderThanMinimum(old), true, old);
  for (const fine of ['22.12.0', '22.23.3', '23.0.0', '24.1.0']) assert.equal(olderThanMinimum(fine), false, fine);
  assert.equal(userFolder({}, '/u/x'), '/u/x');
  assert.equal(userFolder({ npm_lifecycle_event: 'meshctl', INIT_CWD: '/u/assets' }, '/repo'), '/u/assets');
  // Another script (npm test, npm start) that runs meshctl chose its folder itself.
  assert.equal(userFolder({ npm_lifecycle_event: 'test', INIT_CWD: '/repo' }, '/tmp/t'), '/tmp/t');
});

test('the built meshctl is a program: executable, and its first line asks for node', () => {
  assert.ok((statSync(meshctl).mode & 0o111) !== 0, 'executable');
  assert.equal(readFileSync(meshctl, 'utf8').split('\n')[0], '#!/usr/bin/env node');
});

test('meshctl linked on the PATH runs by its name in another folder, reading and writing there', async () => {
  const dir = userDir('linked');
  const { stdout, stderr } = await promisify(execFile)('meshctl', [...RENDER, '--out', 'frame.png'], {
    cwd: dir,
    env: { ...process.env, PATH: userPath },
  });
  assert.match(stdout, /^frame\.png: 32×18, frame 0/, 'no header: its own line first');
  assert.equal(stderr, '');
  assert.deepEqual(readFileSync(join(dir, 'frame.png')).subarray(1, 4).toString(), 'PNG');
});

test('npm run meshctl -- reads and writes relative paths in the folder npm was started in', async () => {
  const dir = userDir('npm-run');
  const args = ['--prefix', root, 'run', '-s', 'meshctl', '--', ...RENDER, '--out', 'out/frame.png'];
  mkdirSync(join(dir, 'out'));
  await promisify(execFile)('npm', args, { cwd: dir, env: { ...process.env, PATH: userPath } });
  assert.ok(existsSync(join(dir, 'out/frame.png')), 'written where the user stands');
  assert.equal(existsSync(join(root, 'out/frame.png')), false, 'not in the repository');
});

test('under a Node older than 22.12 on the PATH, meshctl runs itself again under the pinned Node', async (t) => {
  // The first `node` on the user's PATH; this machine may have none older than 22.12.
  let version: string;
  try {
    version = execFileSync('node', ['--version'], { env: { ...process.env, PATH: userPath } })
      .toString()
      .trim();
  } catch {
    return t.skip('no node on the PATH outside node_modules');
  }
  if (!olderThanMinimum(version.slice(1))) return t.skip(`the PATH's node is ${version}, not older than 22.12`);
  const dir = userDir('old-node');
  const { stdout } = await promisify(execFile)('node', [meshctl, ...RENDER, '--out', 'frame.png'], {
    cwd: dir,
    env: { ...process.env, PATH: userPath },
  });
  assert.match(stdout, /^frame\.png: 32×18/);
  assert.ok(existsSync(join(dir, 'frame.png')));
});
