// Where meshctl keeps Node's compile cache: the user's own cache folder (Node's default, a shared
// folder under /tmp, is the first user's alone on a machine with several). NODE_COMPILE_CACHE,
// read by Node before any of this runs, overrides it; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
// Kept apart from config/data-dir.ts so the entry loads nothing else before the cache is on.
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';

export function compileCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'mesh-compute', 'compile-cache');
  if (platform === 'win32')
    return win32.join(env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local'), 'Mesh Compute', 'compile-cache');
  if (platform === 'darwin') return posix.join(home, 'Library', 'Caches', 'Mesh Compute', 'compile-cache');
  return posix.join(home, '.cache', 'mesh-compute', 'compile-cache');
}
