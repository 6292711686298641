// The desktop app's main process, run under plain Node with a fake `electron` (electron-fake.ts):
// no Electron binary can be had here, so this checks our wiring against the API electron.d.ts
// describes, with the real node behind it: the scheme registered before ready, the window's
// locks, one IPC handler per method behind the sender check, the preload's bridge end to end,
// events, the tray switch following the node, the window hiding on close, and quitting that
// stops the node first.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { API_METHODS } from '../../src-main/core/api/contract.js';
import { ENDPOINT_FILE } from '../../src-main/node/api/endpoint.js';
import type { ApiReply } from '../../src-main/node/api/dispatch.js';
import { APP_CONTENT_SECURITY_POLICY } from '../../src-main/electron/app-scheme.js';
import { IPC_CHANNELS, type MeshBridge } from '../../src-preload/bridge.js';
import { preventable, type BrowserWindow } from './electron-fake.js';
import { waitFor } from './mesh/cluster.js';

type Fake = typeof import('./electron-fake.js');
let fake: Fake;
let window: BrowserWindow;
const dataDir = mkdtempSync(join(tmpdir(), 'mesh-desktop-main-'));

before(async () => {
  register('./electron-fake-hooks.js', import.meta.url);
  // What the app would be started with: its own data dir, loopback only, no mDNS.
  process.env.MESH_DATA_DIR = dataDir;
  // GPU units off: the hidden GPU window needs a real Chromium (the headless runner is tested in test/node/gpu).
  process.argv.splice(2, Infinity, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--gpu', 'off');
  fake = await import('./electron-fake.js');
  await import('../../src-main/electron/main.js');
  fake.app.becomeReady();
  await waitFor(
    'the shell to start',
    () => fake.ipcMain.handlers.size > 0 && fake.BrowserWindow.all.length > 0,
    30_000,
  );
  window = fake.BrowserWindow.all[0]!;
});
after(async () => {
  if (!fake.app.exited) fake.app.quit();
  await waitFor('the app to end', () => fake.app.exited, 30_000);
  rmSync(dataDir, { recursive: true, force: true });
});

const invoke = (channel: string, event: unknown, ...args: unknown[]) =>
  fake.ipcMain.handlers.get(channel)!(event, ...args) as Promise<ApiReply> | ApiReply;
const fromOurPage = () => ({ sender: window.webContents, senderFrame: window.webContents.mainFrame });
const sharingItem = () => fake.Tray.current!.menu!.items.find((item) => item.type === 'checkbox')!;
async function status(): Promise<{ sharing: boolean }> {
  const reply = await invoke(`${IPC_CHANNELS.callPrefix}status`, fromOurPage(), '{}');
  assert.ok(reply.ok, JSON.stringify(reply));
  return reply.result as { sharing: boolean };
}

test('before ready, app:// is registered privileged and the Chromium profile goes to the data dir', () => {
  assert.deepEqual(fake.protocol.privileged, [
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  assert.equal(fake.app.paths.get('userData'), join(dataDir, 'desktop'));
  if (process.platform === 'linux')
    assert.ok(fake.app.switches.has('enable-unsafe-webgpu'), 'WebGPU is on for the GPU window');
});

test('the window is sandboxed, isolated, without Node, and stays on its page', async () => {
  const prefs = window.options.webPreferences;
  for (const [key, value] of Object.entries({
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  })) {
    assert.equal(prefs[key], value, key);
  }
  assert.match(String(prefs.preload), /src-preload[/\\]preload\.cjs$/);
  assert.equal(window.options.show, false, 'shown when ready, not before');
  await waitFor('the window to show', () => window.visible);

  const navigate = (event: string, url: string) => {
    const attempt = preventable({ url });
    window.webContents.emit(event, attempt);
    return attempt.defaultPrevented;
  };
  for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
    assert.equal(navigate(event, 'https://evil.example/'), true, event);
    assert.equal(navigate(event, 'file:///etc/passwd'), true, event);
    assert.equal(navigate(event, 'app://mesh/'), false, `${event}: a reload of our page`);
  }
  const webview = preventable();
  window.webContents.emit('will-attach-webview', webview);
  assert.equal(webview.defaultPrevented, true);

  for (const url of ['https://example.org/docs', 'http://example.org', 'file:///etc/passwd', 'javascript:alert(1)']) {
    assert.deepEqual(window.webContents.windowOpenHandler!({ url }), { action: 'deny' }, url);
  }
  assert.deepEqual(fake.shell.opened, ['https://example.org/docs'], 'only the https link went to the browser');

  const answers: boolean[] = [];
  fake.session.defaultSession.requestHandler!(window.webContents, 'media', (granted) => answers.push(granted));
  assert.deepEqual(answers, [false]);
  assert.equal(fake.session.defaultSession.checkHandler!(), false);
  assert.equal(fake.session.defaultSession.deviceHandler!(), false);
});

test('app:// answers with the CSP', async () => {
  const response = await fake.protocol.handlers.get('app')!({
    url: 'app://mesh/assets/../../../package.json',
    method: 'GET',
  });
  assert.equal(response.status, 404);
  assert.equal(response.headers.get('content-security-policy'), APP_CONTENT_SECURITY_POLICY);
});

test('one IPC handler per contract method, answering our page and refusing every other sender', async () => {
  const expected = [
    ...Object.keys(API_METHODS).map((m) => `${IPC_CHANNELS.callPrefix}${m}`),
    IPC_CHANNELS.getOpenAtLogin,
    IPC_CHANNELS.setOpenAtLogin,
  ].sort();
  assert.deepEqual([...fake.ipcMain.handlers.keys()].sort(), expected);
  assert.equal(typeof (await status()).sharing, 'boolean');

  const other = new fake.BrowserWindow({ webPreferences: {} });
  await other.loadURL('app://mesh/');
  for (const event of [
    { sender: window.webContents, senderFrame: window.webContents.subframe('app://mesh/') },
    { sender: other.webContents, senderFrame: other.webContents.mainFrame },
    { sender: window.webContents, senderFrame: null },
  ]) {
    const reply = await invoke(`${IPC_CHANNELS.callPrefix}status`, event, '{}');
    assert.equal(!reply.ok && reply.error.code, 'unauthorized');
  }
  const hostile = await invoke(`${IPC_CHANNELS.callPrefix}trust.set`, fromOurPage(), '{"__proto__":{}}');
  assert.equal(!hostile.ok && hostile.error.code, 'bad_request');
  fake.BrowserWindow.all.splice(fake.BrowserWindow.all.indexOf(other), 1);
});

test('the tray switch shows the node state; a click flips the node and the switch follows', async () => {
  await waitFor('the tray to know the state', () => sharingItem().enabled);
  const wasSharing = (await status()).sharing;
  assert.equal(sharingItem().checked, wasSharing);
  assert.match(fake.Tray.current!.tooltip, /^Mesh Compute: /);

  // Subscribed before the click, the page hears about it over IPC.
  fake.ipcMain.emit(IPC_CHANNELS.subscribe, fromOurPage(), 1, 0);
  sharingItem().click();
  await waitFor('sharing to flip', async () => (await status()).sharing !== wasSharing);
  await waitFor('the switch to follow', () => sharingItem().checked !== wasSharing);
  assert.equal(fake.Tray.current!.menu!.items[0]!.enabled, false, 'the status line is not clickable');

  await waitFor('the event to reach the page', () =>
    window.webContents.sent.some(
      ([channel, id, lines]) =>
        channel === IPC_CHANNELS.events && id === 1 && String(lines).includes('"sharing.changed"'),
    ),
  );
  // A reload ends the page's subscriptions: the new page may use id 1 again.
  window.webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: 'app://mesh/' });
  window.webContents.sent.length = 0;
  fake.ipcMain.emit(IPC_CHANNELS.subscribe, fromOurPage(), 1, 0);
  await waitFor('the replay to the new subscription', () => window.webContents.sent.length > 0);
});

test("the preload's window.mesh, in our page, reaches the node: calls, refusals, events, open at login", async () => {
  // A fresh page load (which ends the earlier tests' subscriptions), with the preload in it.
  window.webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: 'app://mesh/' });
  fake.ipcRenderer.page = fromOurPage();
  await import('../../src-preload/preload.js');
  const mesh = fake.contextBridge.exposed.get('mesh') as MeshBridge;
  assert.deepEqual([...fake.contextBridge.exposed.keys()], ['mesh'], 'nothing else is exposed');

  const statusReply = await mesh.call('status', '{}');
  assert.equal(statusReply.ok, true);
  const refusals = [
    [await mesh.call('trust.set', '{"__proto__":{}}'), 'bad_request'],
    [await mesh.call('status', 42 as unknown as string), 'bad_request'],
    [await mesh.call('toString', '{}'), 'not_found'],
    [await mesh.call('__proto__', '{}'), 'not_found'],
  ] as const;
  for (const [reply, code] of refusals) assert.equal(!reply.ok && reply.error.code, code);

  const batches: string[] = [];
  const unsubscribe = mesh.subscribe(0, (lines) => batches.push(lines));
  await waitFor('the past events', () => batches.length > 0);
  assert.ok(batches.every((lines) => lines.split('\n').every((line) => typeof JSON.parse(line).id === 'number')));
  unsubscribe();

  assert.equal(await mesh.desktop.setOpenAtLogin(true), true);
  assert.equal(await mesh.desktop.getOpenAtLogin(), true);
  fake.ipcRenderer.page = { sender: window.webContents, senderFrame: window.webContents.subframe('app://mesh/') };
  assert.equal(await mesh.desktop.setOpenAtLogin(false), false, 'an iframe may not change it');
  assert.equal((await mesh.call('status', '{}')).ok, false);
  assert.equal(fake.app.getLoginItemSettings().openAtLogin, true);
});

test('closing the window hides it; quitting stops the node, then lets the app end', async () => {
  window.close();
  assert.equal(window.destroyed, false);
  assert.equal(window.visible, false);
  assert.equal(existsSync(join(dataDir, ENDPOINT_FILE)), true, 'the node serves meshctl while the app runs');

  fake.app.quit();
  assert.equal(fake.app.exited, false, 'the first quit waits for the node');
  await waitFor('the app to end', () => fake.app.exited, 30_000);
  assert.equal(existsSync(join(dataDir, ENDPOINT_FILE)), false, 'the node stopped');
  assert.equal(window.destroyed, true, 'the window really closed');
  assert.equal(fake.Tray.current!.destroyed, true);
  assert.equal(fake.ipcMain.handlers.size, 0);
  assert.equal(fake.app.exitCode, undefined);
});
