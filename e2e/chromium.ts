// Debian's Chromium, the one browser the UI's tests and benchmarks run: where it is and the
// switches every launch gets (headless runs as root in CI, so no sandbox; nothing that phones
// home). Apart from browser.ts so that a process that only spawns it need not load Playwright.
import { existsSync } from 'node:fs';

/** The browser to drive: MESH_CHROMIUM, or Debian's package. */
export const CHROMIUM_PATH = process.env['MESH_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Throws with what to install when there is no Chromium (the UI tests never skip). */
export function checkChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set MESH_CHROMIUM to a Chromium binary)`,
    );
  }
}
