// `npm start` on a machine without an Electron binary or a display (as CI's): one line saying so,
// then the headless node, and an address that opens its web UI signed in.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const startScript = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

test(
  'npm start without Electron says why in one line, runs the node, and prints the web UI address',
  { timeout: 60_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mesh-start-'));
    // No display either way: the fallback is what must happen here.
    const env = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
    const child = spawn(
      process.execPath,
      [startScript, '--data-dir', dataDir, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--workers', '1'],
      { env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.after(async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    });
    const lines: string[] = [];
    const reader = createInterface({ input: child.stdout });
    const url = await new Promise<string>((resolve, reject) => {
      reader.on('line', (line) => {
        lines.push(line);
        const found = /^web UI: (\S+)$/.exec(line);
        if (found) resolve(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} after: ${lines.join(' | ')}`)));
    });
    assert.match(lines[0]!, /^mesh: no (Electron binary|display)\b.*: running the headless node/);
    assert.equal(lines.filter((l) => l.startsWith('mesh:')).length, 1, 'one line of explanation');
    const parsed = new URL(url);
    assert.equal(parsed.hostname, '127.0.0.1');
    assert.match(parsed.hash, /^#token=[A-Za-z0-9_-]{32,}$/);
    const page = await fetch(new URL('/', parsed));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    const token = parsed.hash.slice('#token='.length);
    const status = await fetch(new URL('/api/v1/status', parsed), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(status.status, 200, 'the token in the address is the node’s');
  },
);
