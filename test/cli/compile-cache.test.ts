// meshctl keeps Node's compile cache in the user's cache folder, so a later start compiles little
// of its bundle again; NODE_DISABLE_COMPILE_CACHE=1 turns that off.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileCacheDir } from '../../src-main/cli/compile-cache.js';

const meshctl = fileURLToPath(new URL('../../src-main/cli/meshctl.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'meshctl-cache-'));
after(() => rmSync(home, { recursive: true, force: true }));

test('the compile cache is in the platform’s cache folder for the user', () => {
  assert.equal(compileCacheDir({ XDG_CACHE_HOME: '/c' }, 'linux', '/home/ana'), '/c/mesh-compute/compile-cache');
  assert.equal(
    compileCacheDir({ XDG_CACHE_HOME: '' }, 'linux', '/home/ana'),
    '/home/ana/.cache/mesh-compute/compile-cache',
  );
  assert.equal(compileCacheDir({}, 'darwin', '/Users/ana'), '/Users/ana/Library/Caches/Mesh Compute/compile-cache');
  assert.equal(
    compileCacheDir({ LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' }, 'win32', 'C:\\Users\\ana'),
    'C:\\Users\\ana\\AppData\\Local\\Mesh Compute\\compile-cache',
  );
});

test('meshctl writes its compiled code there, unless the cache is turned off', async () => {
  const run = (cacheHome: string, extra: NodeJS.ProcessEnv = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome, ...extra };
    delete env.NODE_COMPILE_CACHE;
    return promisify(execFile)(process.execPath, [meshctl, '--help'], { env });
  };
  await run(join(home, 'on'));
  const dir = compileCacheDir({ XDG_CACHE_HOME: join(home, 'on') });
  const files = readdirSync(dir, { recursive: true });
  assert.ok(files.length > 1, `cached: ${files.join(', ')}`);

  await run(join(home, 'off'), { NODE_DISABLE_COMPILE_CACHE: '1' });
  assert.equal(existsSync(compileCacheDir({ XDG_CACHE_HOME: join(home, 'off') })), false);
});
