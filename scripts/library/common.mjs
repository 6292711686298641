// What the library's builds share (scripts/build-library.mjs): pinned sources, Debian source
// packages fetched with `apt-get source --download-only` and patched as Debian builds them, and the
// system's clang-14 for wasm32-wasi.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the fetched source packages are kept between builds. */
export const SOURCES = process.env.LIBRARY_SOURCES ?? join(homedir(), '.cache', 'mesh-library-sources');
/** The system's toolchain alone: under npm, PATH starts with node_modules/.bin, whose wasm-opt clang would run. */
export const ENV = { ...process.env, PATH: '/usr/bin:/bin' };

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
export const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: ENV });

export function verified(path, expected) {
  const actual = sha256(readFileSync(path));
  if (actual !== expected) throw new Error(`${path} has SHA-256 ${actual}, not the pinned ${expected}`);
  return path;
}

/**
 * The tarballs of Debian source package `name=version` in SOURCES, fetched unless all are there,
 * each checked against its pinned SHA-256 (`pinned`: file name to hash). apt-get also fetches the
 * .dsc and any upstream signature, which are not pinned: a mirror without a signature (mpg123's
 * .asc) makes apt-get fail after the tarballs are in, so its status is not what decides.
 */
export function debianTarballs(name, version, pinned) {
  mkdirSync(SOURCES, { recursive: true });
  if (!Object.keys(pinned).every((f) => existsSync(join(SOURCES, f)))) {
    try {
      run('apt-get', ['source', '--download-only', `${name}=${version}`], SOURCES);
    } catch (error) {
      if (!Object.keys(pinned).every((f) => existsSync(join(SOURCES, f)))) throw error;
    }
  }
  for (const [file, hash] of Object.entries(pinned)) verified(join(SOURCES, file), hash);
}

/**
 * Source package `name=version`'s tree in `work` as Debian builds it: the upstream tarball (the
 * pinned file whose name has `.orig.`) unpacked to `dir`, the Debian tarball over it, and the
 * patches of debian/patches/series applied in order (commented-out lines skipped).
 */
export function debianSource(work, name, version, pinned, dir) {
  debianTarballs(name, version, pinned);
  const files = Object.keys(pinned);
  const orig = files.find((f) => f.includes('.orig.'));
  const debian = files.find((f) => f.includes('.debian.'));
  run('tar', ['xf', join(SOURCES, orig), '-C', work]);
  const tree = join(work, dir);
  run('tar', ['xf', join(SOURCES, debian), '-C', tree]);
  const series = join(tree, 'debian/patches/series');
  if (existsSync(series))
    for (const patch of readFileSync(series, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')))
      run('patch', ['-p1', '-i', join(tree, 'debian/patches', patch)], tree);
  return tree;
}

/** Every C file under `dir`, in one order everywhere (the link order is part of the bytes). */
export function cFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.c'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((f) => join(dir, f));
}
