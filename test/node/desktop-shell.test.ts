// The desktop app's parts that run without Electron: the app:// scheme (what it serves, what it
// refuses, the CSP on every answer), the IPC router's event subscriptions and desktop setting,
// the tray's status line, the launch flags, and the installer configuration.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_EVENTS_PER_FRAME, type MethodResult } from '../../src-main/core/api/contract.js';
import {
  APP_CONTENT_SECURITY_POLICY,
  APP_START_URL,
  appResponse,
  isAppPage,
  isHttpsUrl,
} from '../../src-main/electron/app-scheme.js';
import { launchOptions } from '../../src-main/electron/launch-options.js';
import { ipcRouter, MAX_SUBSCRIPTIONS_PER_PAGE, type SenderInfo } from '../../src-main/electron/ipc-router.js';
import { batchedSubscription, FLUSH_EVERY_MS } from '../../src-main/node/api/event-batches.js';
import { trayStatusLine } from '../../src-main/electron/tray-status.js';
import { apiEvent, MemoryEventFeed, stubHandlers } from './api-stub-handlers.js';

const repo = new URL('../../../', import.meta.url);
const OUR_PAGE: SenderInfo = { url: APP_START_URL, isMainFrame: true, belongsToOurWindow: true };
/** Long enough for the feed's next batch to have gone. */
const flushed = () => new Promise((resolve) => setTimeout(resolve, FLUSH_EVERY_MS + 20));

/** A built UI (index.html, assets/) with a secret file beside it, outside the UI folder. */
const root = mkdtempSync(join(tmpdir(), 'mesh-app-scheme-'));
const ui = join(root, 'ui');
before(() => {
  writeFileSync(join(root, 'secret.txt'), 'the data dir is next door');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Mesh</title>');
  writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(ui, 'assets', '.hidden.js'), 'hidden');
});
after(() => rmSync(root, { recursive: true, force: true }));

test('app:// serves the page and its assets, each with the CSP that lets the page connect nowhere', async () => {
  for (const [url, type, body] of [
    ['app://mesh/', 'text/html; charset=utf-8', '<!doctype html><title>Mesh</title>'],
    ['app://mesh/index.html', 'text/html; charset=utf-8', '<!doctype html><title>Mesh</title>'],
    ['app://mesh/assets/app.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
  ] as const) {
    const response = await appResponse(url, 'GET', ui);
    assert.equal(response.status, 200, url);
    assert.equal(response.headers.get('content-type'), type);
    assert.equal(response.headers.get('content-security-policy'), APP_CONTENT_SECURITY_POLICY);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await response.text(), body);
  }
  assert.match(APP_CONTENT_SECURITY_POLICY, /connect-src 'self';/); // IPC, not WebSocket: no ws:// source
  assert.match(APP_CONTENT_SECURITY_POLICY, /default-src 'none'/);
  assert.doesNotMatch(APP_CONTENT_SECURITY_POLICY, /unsafe-|ws:|http:/);
});

test('app:// refuses other hosts, paths out of the UI folder, hidden and unknown files, and methods but GET', async () => {
  const refused = [
    'app://mesh/../secret.txt',
    'app://mesh/assets/..%2f..%2fsecret.txt',
    'app://mesh/%2e%2e/secret.txt',
    'app://mesh/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://mesh/assets/..%5c..%5csecret.txt',
    'app://mesh/secret.txt',
    'app://mesh/assets/.hidden.js',
    'app://mesh/assets/missing.js',
    'app://mesh/assets/sub/app.js',
    'app://mesh/assets/app.exe',
    'app://mesh/assets/%E0%A4%A',
    'app://other/index.html',
    'app://mesh.evil/index.html',
    'app://mesh@evil/index.html',
    'app://user:pass@mesh/index.html',
    'file:///etc/passwd',
    'https://mesh/index.html',
    'not a url',
  ];
  for (const url of refused) {
    const response = await appResponse(url, 'GET', ui);
    assert.equal(response.status, 404, url);
    assert.equal(response.headers.get('content-security-policy'), APP_CONTENT_SECURITY_POLICY, url);
    assert.doesNotMatch(await response.text(), /next door/, url);
  }
  assert.equal((await appResponse('app://mesh/', 'POST', ui)).status, 405);
  assert.equal((await appResponse('app://mesh/', 'HEAD', ui)).status, 200);
});

test('the window may only reload its own page, and hands only https links to the browser', () => {
  for (const url of ['app://mesh/', 'app://mesh/index.html', 'app://mesh/#/peers'])
    assert.equal(isAppPage(url), true, url);
  for (const url of [
    'app://mesh/assets/app.js',
    'app://mesh/?x=1',
    'app://evil/',
    'https://mesh/',
    'file:///',
    'javascript:alert(1)',
    '',
  ])
    assert.equal(isAppPage(url), false, url);
  assert.equal(isHttpsUrl('https://example.org/docs'), true);
  for (const url of [
    'http://example.org',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'app://mesh/',
    'smb://host/share',
    'not a url',
  ])
    assert.equal(isHttpsUrl(url), false, url);
});

test('events reach the page in batches of one tick, as contract-checked JSON lines, until unsubscribed', async () => {
  const feed = new MemoryEventFeed(2);
  const batches: string[] = [];
  const logged: string[] = [];
  const unsubscribe = batchedSubscription(
    feed,
    1,
    (lines: string) => batches.push(lines),
    (m: string) => logged.push(m),
  );
  await flushed();
  assert.deepEqual(batches, [JSON.stringify(apiEvent(2))]); // only what came after `after`

  for (let id = 3; id < 3 + MAX_EVENTS_PER_FRAME + 1; id++) feed.emit(apiEvent(id));
  feed.emit({ ...apiEvent(999), type: 'not.an.event' as never });
  await flushed();
  assert.equal(batches.length, 3, 'one tick of 65 valid events: two batches');
  assert.equal(batches[1]!.split('\n').length, MAX_EVENTS_PER_FRAME);
  assert.deepEqual(
    batches[2]!.split('\n').map((line) => JSON.parse(line).id),
    [3 + MAX_EVENTS_PER_FRAME],
  );
  assert.equal(logged.length, 1, 'the event that breaks the contract is logged, not sent');

  unsubscribe();
  feed.emit(apiEvent(1000));
  await flushed();
  assert.equal(batches.length, 3);
  assert.equal(feed.listeners.size, 0);
});

test('a stream of events goes out a batch every FLUSH_EVERY_MS at most; one after a quiet spell goes at once', async () => {
  const feed = new MemoryEventFeed(0);
  const sent: { at: number; ids: number[] }[] = [];
  const unsubscribe = batchedSubscription(
    feed,
    0,
    (lines: string) => sent.push({ at: performance.now(), ids: lines.split('\n').map((l) => JSON.parse(l).id) }),
    () => {},
  );
  // 200 events, one a turn of the event loop, over ~200 ms: a batch a turn would be ~200 writes.
  const start = performance.now();
  for (let id = 1; id <= 200; id++) {
    feed.emit(apiEvent(id));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const streamed = performance.now() - start;
  await flushed();
  assert.deepEqual(
    sent.flatMap((b) => b.ids),
    Array.from({ length: 200 }, (_, i) => i + 1),
    'every event, in order',
  );
  // Batches FLUSH_EVERY_MS apart at least (each time here taken as it is sent, a moment after its
  // flush; a timer that fires early by this clock waits out the rest), from the first event to one
  // FLUSH_EVERY_MS after the last.
  const spacing = FLUSH_EVERY_MS - 3;
  assert.ok(
    sent.length <= Math.floor((streamed + FLUSH_EVERY_MS) / spacing) + 1,
    `${sent.length} batches in ${streamed} ms`,
  );
  for (let i = 1; i < sent.length; i++) assert.ok(sent[i]!.at - sent[i - 1]!.at >= spacing);

  await flushed();
  feed.emit(apiEvent(201));
  await new Promise((resolve) => setTimeout(resolve, FLUSH_EVERY_MS / 2));
  assert.deepEqual(sent.at(-1)!.ids, [201], 'after a quiet spell an event does not wait');
  unsubscribe();
});

test('the router keeps subscriptions per page: ids unique, a bounded number, all ended when the page goes', async () => {
  const feed = new MemoryEventFeed();
  const router = ipcRouter({
    handlers: stubHandlers().handlers,
    events: feed,
    loginItem: { getOpenAtLogin: () => false, setOpenAtLogin: () => {} },
    log: () => {},
  });
  const sent: [number, string][] = [];
  const sink = (id: number, lines: string) => sent.push([id, lines]);
  assert.equal(router.subscribe(OUR_PAGE, 7, 1, 0, sink).ok, true);
  assert.equal(router.subscribe(OUR_PAGE, 7, 1, 0, sink).ok, false, 'an id already open');
  for (const [id, from] of [
    [-1, 0],
    [1.5, 0],
    ['2', 0],
    [2, -1],
    [2, Number.MAX_VALUE],
    [2, null],
  ]) {
    const reply = router.subscribe(OUR_PAGE, 7, id, from, sink);
    assert.equal(!reply.ok && reply.error.code, 'bad_request', `${id}, ${from}`);
  }
  for (let id = 2; id <= MAX_SUBSCRIPTIONS_PER_PAGE; id++)
    assert.equal(router.subscribe(OUR_PAGE, 7, id, 0, sink).ok, true);
  assert.equal(router.subscribe(OUR_PAGE, 7, 99, 0, sink).ok, false, 'one too many');
  assert.equal(router.subscriptions, MAX_SUBSCRIPTIONS_PER_PAGE);

  feed.emit(apiEvent(1));
  await flushed();
  assert.equal(sent.length, MAX_SUBSCRIPTIONS_PER_PAGE);
  router.unsubscribe(7, 1);
  assert.equal(router.subscriptions, MAX_SUBSCRIPTIONS_PER_PAGE - 1);
  router.forgetPage(7);
  assert.equal(router.subscriptions, 0);
  assert.equal(feed.listeners.size, 0);
});

test('open-at-login: a boolean in, what the OS now says out', () => {
  let openAtLogin = false;
  const router = ipcRouter({
    handlers: stubHandlers().handlers,
    events: new MemoryEventFeed(),
    loginItem: { getOpenAtLogin: () => openAtLogin, setOpenAtLogin: (on) => (openAtLogin = on) },
    log: () => {},
  });
  assert.deepEqual(router.setOpenAtLogin(OUR_PAGE, true), { ok: true, result: true });
  assert.deepEqual(router.getOpenAtLogin(OUR_PAGE), { ok: true, result: true });
  for (const on of ['true', 1, null, undefined, { on: true }]) {
    const reply = router.setOpenAtLogin(OUR_PAGE, on);
    assert.equal(!reply.ok && reply.error.code, 'bad_request');
  }
  assert.equal(openAtLogin, true);
});

test('the tray status line says how many cores are shared, or why none', () => {
  const status = (sharing: boolean, availability: MethodResult<'status'>['availability']) =>
    trayStatusLine({ sharing, availability });
  assert.equal(status(true, { offering: true, cores: 2, paused: null }), 'Sharing 2 cores');
  assert.equal(status(true, { offering: true, cores: 1, paused: null }), 'Sharing 1 core');
  assert.equal(status(true, { offering: true, cores: 1.5, paused: null }), 'Sharing 1.5 cores');
  assert.equal(
    status(false, { offering: false, cores: 0, paused: { reason: 'sharing_off', message: 'sharing is switched off' } }),
    'Sharing is off',
  );
  assert.equal(
    status(true, { offering: false, cores: 0, paused: { reason: 'on_battery', message: '…' } }),
    'Paused: on battery',
  );
  assert.equal(
    status(true, { offering: false, cores: 0, paused: { reason: 'toString', message: 'odd reason' } }),
    'Paused: odd reason',
  );
  assert.ok(
    status(true, { offering: false, cores: 0, paused: { reason: 'new_reason', message: 'x'.repeat(500) } }).length <=
      64,
  );
});

test('launch flags: the data dir meshctl would use unless told, loopback and no mDNS when asked, Chromium switches ignored', () => {
  const env = { MESH_DATA_DIR: '/tmp/mesh-env' };
  assert.deepEqual(launchOptions(['.', '--no-sandbox', '--remote-debugging-port=0'], env), {
    dataDir: '/tmp/mesh-env',
    listen: undefined,
    mdns: true,
    hidden: false,
    gpu: 'auto',
    shaderUnits: false,
  });
  assert.deepEqual(
    launchOptions(['--data-dir', '/tmp/x', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--hidden'], env),
    {
      dataDir: '/tmp/x',
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      hidden: true,
      gpu: 'auto',
      shaderUnits: false,
    },
  );
  assert.equal(launchOptions(['--gpu', 'off'], env).gpu, 'off');
  assert.equal(launchOptions(['--shader-units'], env).shaderUnits, true);
  assert.equal(launchOptions([], { ...env, MESH_SHADER_UNITS: '1' }).shaderUnits, true);
  assert.equal(launchOptions([], { ...env, MESH_GPU: 'on' }).gpu, 'on');
  assert.equal(launchOptions(['--gpu', 'sometimes'], env).gpu, 'auto', 'a bad mode falls back to auto');
  assert.equal(launchOptions(['--data-dir'], env).dataDir, '/tmp/mesh-env', 'a flag without its value falls back');
  assert.equal(launchOptions(['--listen', 'not-a-multiaddr'], env).listen, undefined, "the data dir's own port");
});

test("electron-builder.yml passes electron-builder's own schema, and packs what the app loads at run time", async () => {
  const require = createRequire(import.meta.url);
  const yaml = require('js-yaml') as { load(text: string): unknown };
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
  };
  const quiet = { isEnabled: false, add: () => {} };
  const config = yaml.load(readFileSync(new URL('electron-builder.yml', repo), 'utf8')) as Record<string, unknown> & {
    files: string[];
    electronFuses: Record<string, boolean>;
  };
  await validateConfiguration(config, quiet);
  await assert.rejects(
    validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } }, quiet),
    /electronFuses/,
  );
  await assert.rejects(
    validateConfiguration({ ...config, linux: { target: ['AppImage'], categroy: 'Utility' } }, quiet),
    /linux/,
  );

  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  });
  const main = (JSON.parse(readFileSync(new URL('package.json', repo), 'utf8')) as { main: string }).main;
  assert.ok(config.files.includes('dist/src-main/**') && main.startsWith('dist/src-main/'), 'the main entry is packed');
  assert.ok(config.files.includes('dist/src-preload/**') && config.files.includes('dist/src-renderer/**'));
  for (const icon of ['assets/icon.png', 'assets/tray.png', 'assets/tray@2x.png']) {
    assert.ok(config.files.includes(icon), `${icon} is packed`);
    assert.ok(existsSync(new URL(icon, repo)), `${icon} exists (scripts/make-icons.mjs)`);
  }
});
