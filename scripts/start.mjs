#!/usr/bin/env node
// `npm start`: the desktop app where it can run (an Electron binary and a display); otherwise, in
// one line, why not, and the headless node with its web UI, whose address is printed.
// `npm ci` never runs Electron's download (package.json's allowScripts denies its postinstall, so
// an install cannot fail for want of it); the first start with a display fetches the binary here.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;

function electronBinary() {
  try {
    return require('electron'); // the package exports the binary's path, and throws when it was never downloaded
  } catch {
    return undefined;
  }
}

/** Runs Electron's own installer (its postinstall, skipped by `npm ci`): the binary, or undefined when it cannot be had. */
function fetchElectron() {
  let installer;
  try {
    installer = require.resolve('electron/install.js');
  } catch {
    return undefined; // the package itself is not installed
  }
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  console.log('mesh: fetching the Electron binary (once)…');
  const fetched = spawnSync(process.execPath, [installer], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
  });
  return fetched.status === 0 ? electronBinary() : undefined;
}

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const electron = electronBinary() ?? (hasDisplay ? fetchElectron() : undefined);
if (electron && hasDisplay) {
  const app = spawn(electron, [root], { stdio: 'inherit' });
  app.on('exit', (code) => process.exit(code ?? 0));
} else {
  const why = hasDisplay ? 'no Electron binary (its download failed)' : 'no display';
  console.log(`mesh: ${why}: running the headless node; its web UI is at the address below`);
  const args = ['node', 'start', '--print-ui-url', ...process.argv.slice(2)];
  const node = spawn(process.execPath, [`${root}dist/src-main/cli/meshctl.js`, ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => node.kill(signal));
  node.on('exit', (code) => process.exit(code ?? 0));
}
