// The GPU runner of a headless node: the runner page (dist/src-gpu) in a headless Chromium that
// Playwright drives, served from 127.0.0.1 (WebGPU needs a secure context; a data: URL has none).
// A unit that hangs on the GPU wedges Chromium's GPU process, which no page reload frees (seen with
// SwiftShader), so a restart kills the whole browser and launches a fresh one. Chromium keeps its
// sandbox (as `nobody` when the node is root: chromium-user.ts); it runs without one only when the
// user asked for that (`--gpu-unsandboxed`), and otherwise a Chromium that cannot start its
// sandbox leaves GPU units off, saying why.
import { existsSync } from 'node:fs';
import { describeError } from '../../core/errors.js';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import type { RunnerRequest } from '../../core/gpu/index.js';
import type { RunnerChannel } from './channel.js';
import { chromiumLauncher, type ChromiumLauncher } from './chromium-user.js';
import { BUILT_RUNNER_DIR, runnerFileOf } from './runner-page.js';

/** Chromium builds a node looks for, in order, when none is configured. */
const CHROMIUM_CANDIDATES: Readonly<Record<string, readonly string[]>> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  ],
};

/** The configured Chromium if it exists, else the first one found; or why there is none. */
export function findChromium(
  configured: string | undefined,
  platform: NodeJS.Platform = process.platform,
): { path: string } | { reason: string } {
  if (configured)
    return existsSync(configured)
      ? { path: configured }
      : { reason: `the configured Chromium ${configured} does not exist` };
  const candidates = CHROMIUM_CANDIDATES[platform] ?? [];
  const found = candidates.find((path) => existsSync(path));
  return found
    ? { path: found }
    : {
        reason: `no Chromium found (looked for ${candidates.join(', ') || 'none on this platform'}); install one or pass --chromium <path>`,
      };
}

/**
 * Chromium's switches for the runner: WebGPU on (Linux needs the flag and Vulkan); where there is
 * no GPU (or no driver), Chromium offers its software adapter (SwiftShader), which the service
 * takes or refuses by its mode.
 */
function chromiumArgs(): string[] {
  return [
    '--headless=new',
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // A unit's pass may keep the page busy for seconds; a background tab must not be throttled.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
  ];
}

const SANDBOX_FAILED =
  'Chromium did not start with its sandbox, so GPU units stay off (start the node with --gpu-unsandboxed to run them in a Chromium without its sandbox)';

/** Serves the two runner files on 127.0.0.1 only. */
async function serveRunner(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const entry = runnerFileOf(path);
    if (req.method !== 'GET' || !entry) {
      res.writeHead(404).end();
      return;
    }
    readFile(`${dir}${entry.relativePath}`).then(
      (body) => res.writeHead(200, { 'content-type': entry.contentType, 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(500).end('the GPU runner is not built (npm run build)'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}

/** The page's side of the Playwright channel (src-gpu/runner.ts). */
interface RunnerWindow {
  meshGpu: { handle(message: unknown): Promise<unknown> };
}

export class ChromiumRunner implements RunnerChannel {
  readonly kind = 'chromium' as const;
  #browserServer: BrowserServer | undefined;
  #browser: Browser | undefined;
  #page: Page | undefined;

  private constructor(
    private readonly launcher: ChromiumLauncher,
    private readonly server: Server,
    private readonly sandboxed: boolean,
  ) {}

  /**
   * Serves the runner page and opens it in a fresh headless Chromium, sandboxed unless
   * `unsandboxed` (the user's explicit choice).
   */
  static async start(
    executablePath: string,
    options: { dir?: string; unsandboxed?: boolean } = {},
  ): Promise<ChromiumRunner> {
    const launcher = await chromiumLauncher(executablePath);
    const server = await serveRunner(options.dir ?? BUILT_RUNNER_DIR).catch(async (err: unknown) => {
      await launcher.dispose();
      throw err;
    });
    const runner = new ChromiumRunner(launcher, server, options.unsandboxed !== true);
    try {
      await runner.#open();
    } catch (err) {
      await runner.close();
      throw runner.sandboxed ? new Error(`${SANDBOX_FAILED}: ${describeError(err).split('\n')[0]}`) : err;
    }
    return runner;
  }

  async #open(): Promise<void> {
    this.#browserServer = await chromium.launchServer({
      executablePath: this.launcher.executablePath,
      args: chromiumArgs(),
      headless: true,
      // Playwright's default is false, which adds --no-sandbox.
      chromiumSandbox: this.sandboxed,
      // The node stops on these signals and closes the browser itself (GpuService.stop). Playwright's
      // own SIGINT handler would exit the process (130) as soon as the browser closed, cutting a
      // Ctrl-C's clean stop short: the journal left open and the data dir's lock left behind.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    this.#browser = await chromium.connect(this.#browserServer.wsEndpoint());
    const page = await this.#browser.newPage();
    const { port } = this.server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 30_000 });
    this.#page = page;
  }

  async send(request: RunnerRequest): Promise<unknown> {
    const page = this.#page;
    if (!page) throw new Error('the GPU runner is not open');
    return page.evaluate((message) => (window as unknown as RunnerWindow).meshGpu.handle(message), request as unknown);
  }

  async restart(): Promise<void> {
    await this.#kill();
    await this.#open();
  }

  async close(): Promise<void> {
    await this.#kill();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.launcher.dispose();
  }

  /** Kills the browser outright: a wedged GPU process does not answer a polite close. */
  async #kill(): Promise<void> {
    this.#page = undefined;
    const server = this.#browserServer;
    this.#browserServer = undefined;
    this.#browser = undefined;
    await server?.kill().catch(() => undefined);
  }
}
