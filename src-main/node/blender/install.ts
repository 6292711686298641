// Finding Blender and the sandbox it must run in: Linux, bubblewrap, user namespaces that work, and
// a Blender (on PATH or at a configured path) that starts inside it. Its version and build come from
// Blender itself, run in the sandbox. Where any part is missing the node says which and takes no
// Blender units: Blender is never run outside the sandbox.
import { access, constants, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { blenderAlgorithm } from '../../core/blender/algorithm.js';
import { decodeJson } from '../../core/schemas/index.js';
import * as z from '../../core/schemas/zod.js';
import type { SandboxLimits } from '../../core/blender/args.js';
import { BWRAP, runSandboxed } from './run.js';

export interface BlenderInstall {
  /** The executable, links resolved. */
  path: string;
  version: [number, number, number];
  /** Blender's build hash and platform, as it reports them ("Unknown" in Debian's build). */
  build: string;
  /** The algorithm id it renders: blender-cycles/<major.minor>. */
  algorithm: string;
}

export type BlenderFound = { ok: true; install: BlenderInstall } | { ok: false; reason: string };

/** Limits for short runs (the version probe, a preflight): a file is read, nothing rendered. Blender
 * starts by sizing a 64 MiB file (ftruncate), so the file limit is above that. */
export const PROBE_LIMITS: SandboxLimits = { memoryBytes: 4 * 2 ** 30, fileBytes: 256 * 2 ** 20 };
const MARK = 'MESH_BLENDER ';
const Probe = z.tuple([
  z.tuple([z.int(), z.int(), z.int()]),
  z.string().check(z.maxLength(256)),
  z.string().check(z.maxLength(256)),
]);
const VERSION_EXPRESSION = [
  'import bpy, json',
  `print(${JSON.stringify(MARK)} + json.dumps([list(bpy.app.version), bpy.app.build_hash.decode(), bpy.app.build_platform.decode()]), flush=True)`,
].join('\n');

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder && (await executable(join(folder, name)))) return join(folder, name);
  }
  return undefined;
}

/**
 * Blender's executable (links resolved) and bubblewrap, without starting Blender: for a run that
 * says Blender's version itself (a preflight's report does), one start fewer than findBlender.
 */
export async function locateBlender(
  configured?: string,
): Promise<{ ok: true; path: string } | { ok: false; reason: string }> {
  if (process.platform !== 'linux')
    return { ok: false, reason: `no sandbox for Blender on ${process.platform}: Linux only` };
  if (!(await executable(BWRAP)))
    return { ok: false, reason: `no sandbox for Blender: bubblewrap (${BWRAP}) is not installed` };
  const given = configured ?? (await onPath('blender'));
  if (given === undefined || !(await executable(given)))
    return { ok: false, reason: configured ? `Blender is not at ${configured}` : 'Blender is not on PATH' };
  return { ok: true, path: await realpath(given) };
}

/** Blender and its sandbox, or why this node cannot render Blender scenes. */
export async function findBlender(configured?: string): Promise<BlenderFound> {
  const located = await locateBlender(configured);
  if (!located.ok) return located;
  const path = located.path;
  const unitDir = await mkdtemp(join(tmpdir(), 'mesh-blender-probe-'));
  try {
    const run = await runSandboxed(
      { blender: path, unitDir, limits: PROBE_LIMITS },
      ['--python-expr', VERSION_EXPRESSION],
      { wallMs: 60_000, stallMs: 30_000 },
    );
    const line = run.output.split('\n').find((l) => l.startsWith(MARK));
    if (line === undefined) {
      const why = run.output.trim().split('\n').slice(-2).join(' / ') || `exit ${run.code ?? run.signal}`;
      return { ok: false, reason: `Blender does not start in the sandbox (no user namespaces?): ${why}` };
    }
    const probe = decodeJson(Probe, line.slice(MARK.length));
    if (!probe.ok) return { ok: false, reason: `Blender's version report: ${probe.error.message}` };
    const [v, hash, platform] = probe.value;
    return { ok: true, install: { path, version: v, build: `${hash} ${platform}`, algorithm: blenderAlgorithm(v) } };
  } finally {
    await rm(unitDir, { recursive: true, force: true });
  }
}
