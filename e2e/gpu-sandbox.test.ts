// The GPU runner's Chromium keeps its sandbox (issue 19): every renderer it starts is under
// seccomp-bpf in a user namespace of its own, and when this process is root no Chromium process
// of the runner runs as root. Read from /proc, for the processes descended from this one.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import { ChromiumRunner, findChromium } from '../src-main/node/gpu/chromium-runner.js';

interface Proc {
  pid: number;
  parent: number;
  uid: number;
  seccomp: number;
  type: string;
  ownUserNamespace: boolean;
}

/** Chromium's processes below this one (those still readable). */
function chromiumBelowUs(): Proc[] {
  const ourNamespace = readlinkSync('/proc/self/ns/user');
  const all = new Map<number, Proc>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      all.set(Number(entry), {
        pid: Number(entry),
        parent: field('PPid'),
        uid: field('Uid'),
        seccomp: field('Seccomp'),
        type: /--type=([a-z-]+)/.exec(cmdline)?.[1] ?? (cmdline.includes('chromium') ? 'browser' : ''),
        ownUserNamespace: readlinkSync(`/proc/${entry}/ns/user`) !== ourNamespace,
      });
    } catch {
      // gone, or not ours to read
    }
  }
  const below = (proc: Proc): boolean => {
    for (let p = all.get(proc.parent); p; p = all.get(p.parent)) if (p.pid === process.pid) return true;
    return false;
  };
  return [...all.values()].filter((p) => p.type !== '' && below(p));
}

test("the runner's Chromium starts with its sandbox: renderers under seccomp in their own user namespace, none as root", async () => {
  const chromium = findChromium(process.env['MESH_CHROMIUM']);
  assert.ok('path' in chromium, `this test needs Chromium: ${'reason' in chromium ? chromium.reason : ''}`);
  const runner = await ChromiumRunner.start(chromium.path);
  try {
    const processes = chromiumBelowUs();
    const renderers = processes.filter((p) => p.type === 'renderer');
    assert.ok(renderers.length > 0, `no renderer found among ${JSON.stringify(processes)}`);
    for (const renderer of renderers) {
      assert.equal(renderer.seccomp, 2, `renderer ${renderer.pid} is not under a seccomp filter`);
      assert.ok(renderer.ownUserNamespace, `renderer ${renderer.pid} shares our user namespace`);
    }
    if (process.getuid?.() === 0)
      for (const p of processes) assert.notEqual(p.uid, 0, `the ${p.type} process ${p.pid} runs as root`);
  } finally {
    await runner.close();
  }
});
