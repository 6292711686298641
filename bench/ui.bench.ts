// What the web UI costs a person and the node, each figure with a baseline from the same run:
// - ui_interactive_ms (target <= 1000): from spawning `meshctl node start --print-ui-url` (a
//   fresh data dir each run, so a first start's calibration runs meanwhile) to the page at the
//   printed address showing body[data-ready="true"] in an already-running Chromium; median of 5
//   after one unmeasured run. The moment is taken in the page, by a MutationObserver on the mark,
//   on the wall clock both processes share: Playwright's waitForSelector polls with a backoff that
//   reaches 500 ms, and timing its return instead read up to that much late. node_health_ms
//   beside it: spawn → /api/v1/health answering 200, same runs.
// - ui_first_page_kb: the gzipped size of the files the page fetched until it was interactive
//   (index.html, its script chunks and stylesheet); beside it, every file of the UI.
// - event_loop_lag_p99_ms (target <= 10): the p99 of a provider's main-thread event-loop delay
//   (monitorEventLoopDelay, 10 ms resolution; the figure is the delay beyond those 10 ms) while
//   its 2 workers run a requester's render tiles and its web UI is open on the Logs page (every
//   event streamed) and on the Dashboard (polling). The provider runs in this process, the
//   requester is a child, and Chromium runs with no driver attached once the tabs are open.
//   Extra fields say how much of the window the main thread ran and how much it spent ready
//   but waiting for a CPU. Baseline: the same node idle (no units, no UI), as long.
// idle_cpu_pct and idle_rss_mb are in idle.bench.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { gzipSync } from 'node:zlib';
import { ApiClient, BUILT_UI_DIR, loadOrCreateToken, webUiUrl } from '../src-main/node/api/index.js';
import { startDaemon } from '../src-main/node/mesh/daemon.js';
import { sampleSceneJson } from '../test/node/fixtures/sample-scene.js';
import { nodeStartArgs } from '../test/node/mesh/child-nodes.js';
import { launchChromium, waitUntilReady } from '../e2e/browser.js';
import { startDaemonProcess, waitCalibrated, type DaemonProcess } from './fixtures/daemon-process.js';
import { openUiPages, type UiPages } from './fixtures/ui-pages.js';
import { sleep, median, round, type Benchmark, type Figure } from './harness.js';

const INTERACTIVE_RUNS = 5;
const START_TIMEOUT_MS = 30_000;
const LAG_RESOLUTION_MS = 10;
const LAG_WINDOW_MS = 12_000;
/** 600 tiles of ~90 ms: the provider's 2 workers stay busy well past the window. */
const BUSY_JOB = { first_frame: 0, last_frame: 19, width: 640, height: 360, spp: 48, tile: 64, budget: 1_000_000_000 };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The first line of the child's stdout that starts with `prefix`, without it. */
function lineStarting(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${prefix}" line in ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith(prefix)) return;
      clearTimeout(timer);
      resolve(line.slice(prefix.length));
    });
    child.once('exit', (code) => reject(new Error(`meshctl node start exited with ${code}`)));
  });
}

/** performance.now() once GET /api/v1/health on `port` answers 200. */
async function healthyAt(port: number): Promise<number> {
  const end = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < end) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return performance.now();
    await sleep(5);
  }
  throw new Error(`the node's health check did not answer in ${START_TIMEOUT_MS} ms`);
}

/** Runs in the page before its own code: records (epoch ms) when body[data-ready="true"] appears. */
function markReadyMoment(): void {
  const observer = new MutationObserver(() => {
    if (document.body?.dataset['ready'] !== 'true') return;
    (window as { meshReadyAtMs?: number }).meshReadyAtMs = performance.timeOrigin + performance.now();
    observer.disconnect();
  });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
}

interface StartRun {
  healthMs: number;
  readyMs: number;
  /** When Playwright's polling saw the mark: what this figure read before. */
  polledReadyMs: number;
  fetched: string[];
}

/** One start: milliseconds from the spawn to the node answering its health check, and to its UI being interactive. */
async function startToInteractive(browser: Browser): Promise<StartRun> {
  const context = await browser.newContext();
  await context.addInitScript(markReadyMoment);
  const page = await context.newPage(); // opened beforehand: the browser is warm, only the node starts
  const fetched: string[] = [];
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
  const dataDir = mkdtempSync(join(tmpdir(), 'mesh-bench-ui-'));
  const port = await freePort();
  const spawnedAt = performance.now();
  const spawnedAtEpochMs = performance.timeOrigin + spawnedAt;
  const child = spawn(
    process.execPath,
    nodeStartArgs(dataDir, ['--api-port', String(port), '--print-ui-url', '--gpu', 'off']),
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    const [healthy, ready] = await Promise.all([
      healthyAt(port),
      lineStarting(child, 'web UI: ').then(async (url) => {
        await page.goto(url);
        await waitUntilReady(page, START_TIMEOUT_MS);
        const polledAt = performance.now();
        const readyAtEpochMs = await page.evaluate(() => (window as { meshReadyAtMs?: number }).meshReadyAtMs);
        if (readyAtEpochMs === undefined) throw new Error('the page was marked ready but its moment was not recorded');
        return { readyMs: readyAtEpochMs - spawnedAtEpochMs, polledReadyMs: polledAt - spawnedAt };
      }),
    ]);
    return { healthMs: healthy - spawnedAt, ...ready, fetched: [...fetched] };
  } finally {
    await context.close();
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function uiInteractive(): Promise<Figure[]> {
  const browser = await launchChromium();
  try {
    await startToInteractive(browser); // unmeasured: file caches, and Chromium's first page
    const runs: StartRun[] = [];
    for (let i = 0; i < INTERACTIVE_RUNS; i++) runs.push(await startToInteractive(browser));
    const ready = median(runs.map((r) => r.readyMs));
    const health = median(runs.map((r) => r.healthMs));
    const uiFiles = readdirSync(`${BUILT_UI_DIR}assets`).filter((f) => !f.endsWith('.map'));
    const firstPage = [...new Set(runs.at(-1)!.fetched)].filter((p) => p === '/' || p.startsWith('/assets/'));
    return [
      {
        name: 'ui_interactive_ms',
        value: round(ready, 0),
        unit: 'ms',
        target: '<= 1000',
        node_health_ms: round(health, 0),
        ratio_to_health: round(ready / health, 2),
        ui_after_health_ms: round(median(runs.map((r) => r.readyMs - r.healthMs)), 0),
        ready_ms_runs: runs.map((r) => round(r.readyMs, 0)),
        polled_ready_ms: round(median(runs.map((r) => r.polledReadyMs)), 0),
        health_ms_runs: runs.map((r) => round(r.healthMs, 0)),
        runs: INTERACTIVE_RUNS,
        fresh_data_dir_each_run: true,
      },
      {
        name: 'ui_first_page_kb',
        value: round(gzippedKb(firstPage.map((p) => (p === '/' ? 'index.html' : p.slice(1)))), 1),
        unit: 'KiB gzip',
        target: 'report',
        files: firstPage.length,
        all_ui_files_kb: round(gzippedKb(['index.html', ...uiFiles.map((f) => `assets/${f}`)]), 1),
        all_ui_files: uiFiles.length + 1,
      },
    ];
  } finally {
    await browser.close();
  }
}

/** The gzipped size, in KiB, of files of the built UI (paths relative to dist/src-renderer). */
function gzippedKb(paths: string[]): number {
  return paths.reduce((sum, path) => sum + gzipSync(readFileSync(`${BUILT_UI_DIR}${path}`)).length, 0) / 1024;
}

/** The main thread's nanoseconds on a CPU and waiting for one, from /proc (its thread id is the process id). */
function mainThreadSchedNs(): { onCpu: number; waiting: number } {
  const [onCpu, waiting] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
  return { onCpu: onCpu!, waiting: waiting! };
}

interface LoopWindow {
  /** Event-loop delay beyond the sampling interval. */
  p99Ms: number;
  maxMs: number;
  /** Share of the window the main thread ran, and spent ready to run but waiting for a CPU. */
  onCpuPct: number;
  waitingPct: number;
}

/** This (the main) thread's event loop over `ms`. */
async function loopWindow(ms: number): Promise<LoopWindow> {
  const histogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const before = mainThreadSchedNs();
  const startedAt = performance.now();
  histogram.enable();
  await sleep(ms);
  histogram.disable();
  const wallNs = (performance.now() - startedAt) * 1e6;
  const after = mainThreadSchedNs();
  const beyond = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
  return {
    p99Ms: beyond(histogram.percentile(99)),
    maxMs: beyond(histogram.max),
    onCpuPct: ((after.onCpu - before.onCpu) / wallNs) * 100,
    waitingPct: ((after.waiting - before.waiting) / wallNs) * 100,
  };
}

/** Waits (a while) until the provider holds no unit, so stopping it interrupts nothing. */
async function drained(api: ApiClient): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const status = await api.call('status', {});
    if (status.units_running + status.units_queued === 0) return;
    await sleep(100);
  }
}

async function eventLoopLag(): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mesh-bench-lag-'));
  const provider = await startDaemon({
    dataDir,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    workers: 2,
    name: 'provider',
  });
  const providerApi = new ApiClient(provider.api.url, loadOrCreateToken(dataDir));
  let requester: DaemonProcess | undefined;
  let ui: UiPages | undefined;
  let stopWatching = () => {};
  try {
    requester = await startDaemonProcess({ name: 'requester', workers: 1 });
    await requester.api.call('peers.add', { multiaddr: provider.node.network.listenAddresses()[0]! });
    await requester.api.call('trust.set', { peer_id: provider.node.peerId, weight: 1 });
    await providerApi.call('trust.set', { peer_id: requester.peerId, weight: 1 });
    await waitCalibrated(providerApi);
    const idle = await loopWindow(LAG_WINDOW_MS);

    ui = await openUiPages(webUiUrl(provider.api.url, providerApi.token), ['logs', 'dashboard']);
    let started = 0;
    const firstStart = new Promise<void>((resolve) => {
      stopWatching = provider.node.events.subscribe(Number.MAX_SAFE_INTEGER, (event) => {
        if (event.type !== 'unit.started') return;
        started++;
        resolve();
      });
    });
    const { job_id } = await requester.api.call('render.submit', { scene: sampleSceneJson() as never, ...BUSY_JOB });
    await firstStart;
    const startedBefore = started;
    const busy = await loopWindow(LAG_WINDOW_MS);
    const unitsInWindow = started - startedBefore;
    const { job } = await requester.api.call('jobs.status', { job_id });
    if (job.state !== 'running')
      throw new Error(`the job ended (${job.state}) before the window did: make BUSY_JOB bigger`);
    await requester.api.call('jobs.cancel', { job_id });
    await drained(providerApi);
    return [
      {
        name: 'event_loop_lag_p99_ms',
        value: round(busy.p99Ms, 1),
        unit: 'ms',
        target: '<= 10',
        max_ms: round(busy.maxMs, 1),
        baseline_idle_p99_ms: round(idle.p99Ms, 1),
        baseline_idle_max_ms: round(idle.maxMs, 1),
        ratio_to_baseline: round(busy.p99Ms / Math.max(idle.p99Ms, 0.1), 1),
        main_thread_on_cpu_pct: round(busy.onCpuPct, 1),
        main_thread_waiting_for_cpu_pct: round(busy.waitingPct, 1),
        idle_main_thread_on_cpu_pct: round(idle.onCpuPct, 1),
        units_started_in_window: unitsInWindow,
        window_ms: LAG_WINDOW_MS,
        resolution_ms: LAG_RESOLUTION_MS,
        workers: 2,
        cores: availableParallelism(),
        ui_pages: ['logs', 'dashboard'],
      },
    ];
  } finally {
    stopWatching();
    await ui?.close();
    await provider.stop(); // before the requester, so no result of a cancelled job is left to send it
    await requester?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  { names: ['ui_interactive_ms', 'ui_first_page_kb'], run: uiInteractive },
  { names: ['event_loop_lag_p99_ms'], run: eventLoopLag },
];
