// What meshctl's entry settles before it loads its commands. It runs under a Node new enough
// (package.json's engines), or runs itself again under the project's pinned Node (the `node` dev
// dependency, in node_modules/node) when the `node` on the user's PATH is older, or says what it
// needs. And relative paths mean the user's folder: a `meshctl` on the PATH starts there, and
// `npm run meshctl --`, which npm runs in the package's folder, names it in INIT_CWD.
// Node's own modules only, and nothing Node 20 lacks: this runs before the version is known.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { builtFile } from '../core/build-layout.js';

/** The oldest Node meshctl runs under: package.json's engines. */
export const MIN_NODE = '22.12.0';

/** Whether `version` (as process.versions.node gives it: "20.20.2") is older than MIN_NODE. */
export function olderThanMinimum(version: string): boolean {
  const have = version.split('.').map(Number);
  const need = MIN_NODE.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i]!;
    if (a !== b) return a < b;
  }
  return false;
}

/** The project's pinned Node beside the build folder of the entry at `entryUrl`, when it is installed. */
export function pinnedNode(entryUrl: string): string | undefined {
  const names = process.platform === 'win32' ? ['node.exe', 'node'] : ['node'];
  return names
    .map((name) => fileURLToPath(new URL(builtFile(entryUrl, `../node_modules/node/bin/${name}`))))
    .find((path) => existsSync(path));
}

/**
 * Runs the entry `entry` again under `node`, with the same arguments, environment and folder, and
 * exits as it does. A signal this process gets is passed on (a terminal's Ctrl-C reaches both;
 * `node start` takes two within a second as one).
 */
export function rerunUnder(node: string, entry: string): void {
  const child = spawn(node, [...process.execArgv, entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  const signals: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    process.stderr.write(`meshctl: could not start ${node}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const s of signals) process.removeAllListeners(s);
    process.kill(process.pid, signal); // ended by a signal: so does this process
  });
}

/**
 * The folder relative paths are read from: the one meshctl was started in, or, when npm ran it as
 * the package's `meshctl` script (from the package's folder), the one npm was started in.
 */
export function userFolder(env: NodeJS.ProcessEnv, cwd: string): string {
  return env.npm_lifecycle_event === 'meshctl' && env.INIT_CWD ? env.INIT_CWD : cwd;
}
