// The attacks of a hostile .blend, each stopped with its reason. Each test first shows the attack
// works without the defence (Blender run as Flamenco and Golem run it: -y, no sandbox), then that
// the sandboxed run stops it: a text block that runs at load, a driver calling os.system, a texture
// in the provider's home, Python reaching the network, a memory bomb, an endless render, a render
// that stalls, a folder with a symlink out, a 2 GB "scene".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  closeSync,
  ftruncateSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findBlender } from '../../../src-main/node/blender/install.js';
import { renderInSandbox, type Rendered } from '../../../src-main/node/blender/render.js';
import { runSandboxed } from '../../../src-main/node/blender/run.js';
import { SceneRefused } from '../../../src-main/core/blender/scene-zip.js';
import { bringScene } from '../../../src-main/node/blender/scene-folder.js';
import { preflightInSandbox } from '../../../src-main/node/blender/preflight.js';
import { decodeRgba } from '../../../src-main/node/blender/png.js';
import { encodeFramePng } from '../../../src-main/node/render/png.js';
import { makeScene, tempFolder } from './scenes.js';

const folder = tempFolder('blender-attacks-');
let blender: string;
let units = 0;
const LIMITS = { memoryBytes: 4 * 2 ** 30, fileBytes: 256 * 2 ** 20, wallMs: 60_000, stallMs: 30_000 };

before(async () => {
  const found = await findBlender();
  assert.ok(found.ok, found.ok ? '' : found.reason);
  blender = found.install.path;
});
after(() => folder.done());

/** A unit's folder holding the base scene with `extra`. */
function unitWith(extra: string): string {
  const unitDir = join(folder.dir, `unit-${units++}`);
  mkdirSync(unitDir);
  makeScene(join(unitDir, 'scene.blend'), extra);
  return unitDir;
}

/** The attack without the defence: Blender as farms run it, -y and no sandbox, in the unit's folder. */
function unguarded(unitDir: string, ...args: string[]): void {
  spawnSync('blender', ['-b', '-y', '--factory-startup', join(unitDir, 'scene.blend'), ...args], {
    cwd: unitDir,
    timeout: 60_000,
  });
}

function sandboxed(unitDir: string, limits: Partial<typeof LIMITS> = {}, samples = 4): Promise<Rendered> {
  return renderInSandbox({
    blender,
    unitDir,
    settings: { file: 'scene.blend', frame: 1, samples, seed: 0 },
    limits: { ...LIMITS, ...limits },
  });
}

const NO_DENOISE = 's.cycles.use_denoising = False';

test('a text block registered to run at load does not run', async () => {
  const unitDir = unitWith(
    [
      NO_DENOISE,
      't = bpy.data.texts.new("boot.py")',
      "t.write(\"import os\\nopen(os.path.join(os.getcwd(), 'pwned'), 'w').write('x')\\n\")",
      't.use_module = True',
    ].join('\n'),
  );
  unguarded(unitDir, '--python-expr', 'pass');
  assert.ok(existsSync(join(unitDir, 'pwned')), 'the text block runs under -y');
  const copy = join(folder.dir, `unit-${units++}`);
  mkdirSync(copy);
  copyFileSync(join(unitDir, 'scene.blend'), join(copy, 'scene.blend'));
  const result = await sandboxed(copy);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.ok(!existsSync(join(copy, 'pwned')), 'the text block ran in the sandbox');
});

test('a driver calling os.system does not run', async () => {
  const unitDir = unitWith(
    [
      NO_DENOISE,
      'd = sphere.driver_add("location", 2).driver',
      "d.type = 'SCRIPTED'",
      "d.expression = \"__import__('os').system('touch driven') * 0 + 1\"",
    ].join('\n'),
  );
  unguarded(unitDir, '-f', '1', '-o', join(folder.dir, 'unguarded-'));
  assert.ok(existsSync(join(unitDir, 'driven')), 'the driver runs under -y');
  const copy = join(folder.dir, `unit-${units++}`);
  mkdirSync(copy);
  copyFileSync(join(unitDir, 'scene.blend'), join(copy, 'scene.blend'));
  const result = await sandboxed(copy);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.ok(!existsSync(join(copy, 'driven')), 'the driver ran in the sandbox');
});

test('a texture at an absolute path in the provider’s home is never read: refused at preflight, magenta in a render', async () => {
  const home = join(folder.dir, 'home');
  mkdirSync(home);
  const secret = join(home, 'secret.png');
  writeFileSync(
    secret,
    encodeFramePng(
      2,
      2,
      new Uint8Array(16).fill(0).map((_, i) => (i % 4 === 1 || i % 4 === 3 ? 255 : 0)),
    ),
  );
  const unitDir = unitWith(
    [
      NO_DENOISE,
      's.world.use_nodes = False',
      `img = bpy.data.images.load(${JSON.stringify(secret)})`,
      'mat = bpy.data.materials.new("m"); mat.use_nodes = True; nodes = mat.node_tree.nodes',
      'tex = nodes.new("ShaderNodeTexImage"); tex.image = img; em = nodes.new("ShaderNodeEmission")',
      'mat.node_tree.links.new(tex.outputs[0], em.inputs[0]); mat.node_tree.links.new(em.outputs[0], nodes["Material Output"].inputs[0])',
      'for o in s.objects:\n    if o.type == "MESH": o.data.materials.append(mat)',
    ].join('\n'),
  );
  const green = (png: Uint8Array): number => {
    const { data } = decodeRgba(png);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 1]! > 200 && data[i]! < 50 && data[i + 2]! < 50) n++;
    return n;
  };
  unguarded(
    unitDir,
    '--python-expr',
    `import bpy; bpy.context.scene.render.filepath = ${JSON.stringify(join(unitDir, 'plain'))}`,
    '-f',
    '1',
  );
  assert.ok(green(readFileSync(join(unitDir, 'plain0001.png'))) > 0, 'the secret is read without the sandbox');
  const preflight = await preflightInSandbox(blender, unitDir, 'scene.blend');
  assert.ok(preflight.ok, preflight.ok ? '' : preflight.reason);
  assert.match(
    preflight.verdict.refusals.join('\n'),
    /missing texture "secret\.png": \S*home\/secret\.png is not in the job/,
  );
  const result = await sandboxed(unitDir);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.equal(green(result.png), 0, 'the secret’s colour is in the output');
});

test('Python in the sandbox cannot reach the network', async () => {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  const connect = `import socket\ntry:\n    socket.create_connection(("127.0.0.1", ${address.port}), timeout=5); print("NET reached")\nexcept OSError as e:\n    print("NET refused", e)`;
  try {
    spawnSync('blender', ['-b', '--factory-startup', '--python-expr', connect], { timeout: 60_000 });
    // The server accepts on its next turn of the event loop, which spawnSync held.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(connections, 1, 'the connection is made without the sandbox');
    const unitDir = join(folder.dir, `unit-${units++}`);
    mkdirSync(unitDir);
    const run = await runSandboxed({ blender, unitDir, limits: LIMITS }, ['--python-expr', connect], LIMITS);
    assert.match(run.output, /NET refused/);
    assert.equal(connections, 1);
  } finally {
    server.close();
  }
});

test('a memory bomb hits the memory limit; the node lives on', async () => {
  const unitDir = unitWith(
    [NO_DENOISE, 'm = sphere.modifiers.new("bomb", "SUBSURF")', 'm.levels = 1', 'm.render_levels = 11'].join('\n'),
  );
  const started = performance.now();
  const result = await sandboxed(unitDir, { memoryBytes: 2 * 2 ** 30 });
  assert.ok(!result.ok);
  assert.match(result.reason, /memory limit/);
  assert.ok(performance.now() - started < 60_000);
});

test('an endless render is killed at its time limit; a render that stops printing, by the watchdog', async () => {
  const unitDir = unitWith(NO_DENOISE);
  const endless = await sandboxed(unitDir, { wallMs: 3_000 }, 1 << 24);
  assert.ok(!endless.ok);
  assert.match(endless.reason, /time limit of 3 s/);
  // One sample of a big frame: Cycles prints "Sample 0/1" and nothing until it is done.
  const stalled = unitWith([NO_DENOISE, 's.render.resolution_x = 4000', 's.render.resolution_y = 3000'].join('\n'));
  const quiet = await sandboxed(stalled, { stallMs: 1_500 }, 1);
  assert.ok(!quiet.ok);
  assert.match(quiet.reason, /printed nothing for 1\.5 s/);
});

/** A zip made by Blender's Python: `entries` as [name, text, symlink?]. */
function makeZip(path: string, entries: [string, string, boolean?][]): void {
  const code = [
    'import zipfile',
    `z = zipfile.ZipFile(${JSON.stringify(path)}, "w", zipfile.ZIP_DEFLATED)`,
    ...entries.map(([name, text, link]) =>
      link
        ? `i = zipfile.ZipInfo(${JSON.stringify(name)}); i.create_system = 3; i.external_attr = 0o120777 << 16; z.writestr(i, ${JSON.stringify(text)})`
        : `z.writestr(${JSON.stringify(name)}, ${JSON.stringify(text)})`,
    ),
    'z.close()',
  ].join('\n');
  const run = spawnSync('blender', ['-b', '--factory-startup', '-Y', '--python-expr', code], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
}

test('a zip with ../ names or a symlink is refused before a byte is written; a plain one unpacks', async () => {
  const unitDir = join(folder.dir, `unit-${units++}`);
  mkdirSync(unitDir);
  const climbing = join(folder.dir, 'climbing.zip');
  makeZip(climbing, [
    ['scene.blend', 'x'],
    ['tex/../../escaped.txt', 'x'],
  ]);
  await assert.rejects(
    bringScene(climbing, unitDir),
    (err) => err instanceof SceneRefused && /climbs out/.test(err.message),
  );
  const linked = join(folder.dir, 'linked.zip');
  makeZip(linked, [
    ['scene.blend', 'x'],
    ['tex/home.png', '/etc/passwd', true],
  ]);
  await assert.rejects(
    bringScene(linked, unitDir),
    (err) => err instanceof SceneRefused && /tex\/home\.png" is a symlink/.test(err.message),
  );
  assert.ok(!existsSync(join(unitDir, 'scene.blend')) && !existsSync(join(folder.dir, 'escaped.txt')));
  const plain = join(folder.dir, 'plain.zip');
  makeZip(plain, [
    ['scene.blend', 'blend'],
    ['tex/wood.png', 'png'],
  ]);
  assert.equal(await bringScene(plain, unitDir), 'scene.blend');
  assert.equal(readFileSync(join(unitDir, 'tex/wood.png'), 'utf8'), 'png');
});

test('a scene folder with a symlink out, or a 2 GB "scene", is refused before anything is copied', async () => {
  const source = join(folder.dir, 'linked');
  mkdirSync(source);
  makeScene(join(source, 'scene.blend'));
  symlinkSync('/etc/passwd', join(source, 'passwd.png'));
  const unitDir = join(folder.dir, `unit-${units++}`);
  mkdirSync(unitDir);
  await assert.rejects(
    bringScene(source, unitDir),
    (err) => err instanceof SceneRefused && /passwd\.png is a symlink/.test(err.message),
  );
  assert.ok(!existsSync(join(unitDir, 'scene.blend')));
  const big = join(folder.dir, 'big.blend');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 2 * 2 ** 30);
  closeSync(fd);
  await assert.rejects(
    bringScene(big, unitDir),
    (err) => err instanceof SceneRefused && /over the limit/.test(err.message),
  );
  assert.ok(!existsSync(join(unitDir, 'big.blend')));
});
