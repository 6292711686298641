#!/usr/bin/env node
// `npm start`: the desktop app where it can run (an Electron binary and a display); otherwise, in
// one line, why not, and the headless node with its web UI, whose address is printed.
import { spawn } from 'node:child_process';
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

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const electron = electronBinary();
if (electron && hasDisplay) {
  const app = spawn(electron, [root], { stdio: 'inherit' });
  app.on('exit', (code) => process.exit(code ?? 0));
} else {
  const why = electron ? 'no display' : 'no Electron binary (npm could not download it)';
  console.log(`mesh: ${why}: running the headless node; its web UI is at the address below`);
  const args = ['node', 'start', '--print-ui-url', ...process.argv.slice(2)];
  const node = spawn(process.execPath, [`${root}dist/src-main/cli/meshctl.js`, ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => node.kill(signal));
  node.on('exit', (code) => process.exit(code ?? 0));
}
