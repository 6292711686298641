// The desktop app itself, where an Electron binary exists: the tray's "Share this PC" switch
// follows the node's real state, and the window reaches the node only through `window.mesh`
// (contract-checked IPC), with no Node, require or ipcRenderer in the page. Where npm could not
// download Electron (these machines), the test reports itself skipped, by name.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Menu } from 'electron';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { ENDPOINT_FILE } from '../src-main/node/api/endpoint.js';
import type { MeshBridge } from '../src-preload/bridge.js';
import { collectPageErrors, waitUntilReady } from './browser.js';

const NAME = 'electron e2e: tray toggle and IPC path';
/** This file runs from <dist>/e2e/; the app's entry is <dist>/src-main/electron/main.js, beside it. */
const MAIN = fileURLToPath(new URL('../src-main/electron/main.js', import.meta.url));

/** The binary's path, or undefined: the package's index throws when its download never happened. */
function electronBinary(): string | undefined {
  try {
    return createRequire(import.meta.url)('electron') as string;
  } catch {
    return undefined;
  }
}

function skipReason(binary: string | undefined): string | false {
  if (binary === undefined) return 'no Electron binary on this machine (npm start fetches it where it can)';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'no display for the Electron window (run under xvfb-run)';
  return false;
}

type E2eGlobal = typeof globalThis & { meshE2E: { trayMenu(): Menu } };
type MeshWindow = Window & { mesh: MeshBridge };

/** The tray menu's "Share this PC" item as the main process has it now. */
function sharingItem(app: ElectronApplication): Promise<{ checked: boolean; enabled: boolean }> {
  return app.evaluate(() => {
    const item = (globalThis as E2eGlobal).meshE2E.trayMenu().items.find((i) => i.type === 'checkbox')!;
    return { checked: item.checked, enabled: item.enabled };
  });
}

async function statusOf(page: Page): Promise<{ sharing: boolean }> {
  const reply = await page.evaluate(() => (window as unknown as MeshWindow).mesh.call('status', '{}'));
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return reply.result as { sharing: boolean };
}

const binary = electronBinary();

test(NAME, { skip: skipReason(binary), timeout: 120_000 }, async () => {
  const { waitFor } = await import('../test/node/mesh/cluster.js'); // here, not at the top: a skipped run need not load the node
  const dataDir = mkdtempSync(join(tmpdir(), 'mesh-electron-e2e-'));
  const app = await _electron.launch({
    executablePath: binary!,
    args: [
      MAIN,
      '--no-mdns',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
    env: { ...process.env, MESH_DATA_DIR: dataDir, MESH_E2E: '1' },
  });
  try {
    const page = await app.firstWindow();
    const pageErrors = collectPageErrors(page);
    await waitUntilReady(page);
    assert.equal(page.url(), 'app://mesh/');

    // (b) The IPC path: contract calls work, hostile params are refused, and the page has no Node.
    const globals = await page.evaluate(() =>
      ['require', 'process', 'ipcRenderer'].map((name) => typeof (window as unknown as Record<string, unknown>)[name]),
    );
    assert.deepEqual(globals, ['undefined', 'undefined', 'undefined']);
    const before = await statusOf(page);
    const hostile = await page.evaluate(() =>
      (window as unknown as MeshWindow).mesh.call('trust.set', '{"__proto__":{}}'),
    );
    assert.equal(hostile.ok, false);
    assert.equal(!hostile.ok && hostile.error.code, 'bad_request');
    const unknown = await page.evaluate(() => (window as unknown as MeshWindow).mesh.call('toString', '{}'));
    assert.equal(!unknown.ok && unknown.error.code, 'not_found');

    // (a) The tray: its switch shows the node's state; a click flips the node, and the switch follows.
    await waitFor(
      'the tray menu to know the sharing state',
      async () => (await sharingItem(app)).enabled || undefined,
      30_000,
    );
    assert.equal((await sharingItem(app)).checked, before.sharing);
    await app.evaluate(() => {
      (globalThis as E2eGlobal).meshE2E
        .trayMenu()
        .items.find((i) => i.type === 'checkbox')!
        .click();
    });
    await waitFor(
      'sharing to flip',
      async () => ((await statusOf(page)).sharing !== before.sharing ? true : undefined),
      15_000,
    );
    await waitFor(
      'the tray switch to follow',
      async () => ((await sharingItem(app)).checked !== before.sharing ? true : undefined),
      15_000,
    );

    assert.deepEqual(pageErrors, [], 'the page logged no error (a CSP violation would show here)');
  } finally {
    await app.close();
  }
  // Quitting stopped the node: it took its API endpoint file with it.
  assert.equal(existsSync(join(dataDir, ENDPOINT_FILE)), false);
  rmSync(dataDir, { recursive: true, force: true });
});
