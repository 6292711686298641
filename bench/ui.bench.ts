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
// event_loop_lag_p99_ms is in lag.bench.ts; idle_cpu_pct and idle_rss_mb in idle.bench.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { gzipSync } from 'node:zlib';
import { BUILT_UI_DIR } from '../src-main/node/api/index.js';
import { nodeStartArgs } from '../test/node/mesh/child-nodes.js';
import { launchChromium, waitUntilReady } from '../e2e/browser.js';
import { sleep, median, round, type Benchmark, type Figure } from './harness.js';

const INTERACTIVE_RUNS = 5;
const START_TIMEOUT_MS = 30_000;

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

export const benchmarks: Benchmark[] = [{ names: ['ui_interactive_ms', 'ui_first_page_kb'], run: uiInteractive }];
