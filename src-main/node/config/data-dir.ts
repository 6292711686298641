// Where a node keeps its state (identity key, journal, API token and endpoint): one folder per
// node, private to the user. Several nodes on one machine each get their own `--data-dir`.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';

/**
 * `$MESH_DATA_DIR`, else `$XDG_DATA_HOME/mesh-compute`, else the platform's usual place for
 * application data. Empty variables count as unset, as the XDG spec asks.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.MESH_DATA_DIR) return env.MESH_DATA_DIR;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'mesh-compute');
  // The platform's own separators, so the answer for another platform is right in a test too.
  if (platform === 'win32') return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'Mesh Compute');
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'Mesh Compute');
  return posix.join(home, '.local', 'share', 'mesh-compute');
}

/** Creates `dir` (and its parents) readable by the user alone; an existing folder is left as it is. */
export function ensureDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
