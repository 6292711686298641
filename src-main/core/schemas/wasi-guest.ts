// What a WASI program's host needs of a job's shapes, as plain values: kept apart from the schemas
// (wasi-dirs.ts, wasi-job.ts) so the pool's worker threads load no schema library, since a worker's
// start is on the path of a first unit (node/exec/prepare.ts).

/**
 * The most bytes of a unit's stderr kept (its first; the rest is counted, not kept): a diagnostic
 * for the person who ran it, carried back beside its result and never part of the output compared.
 */
export const MAX_WASI_STDERR_BYTES = 64 * 1024;

/** `.` and `/` are one place to wasi-libc: the root. */
const isRoot = (guest: string): boolean => guest === '.' || guest === '/';

/** Where a guest path is to wasi-libc, which starts in `/`: a relative name lies under it. */
export const placeOf = (guest: string): string => (isRoot(guest) ? '/' : guest.startsWith('/') ? guest : `/${guest}`);

/**
 * Where a writable folder's files come back in the unit's output (its `files`, written under
 * `out/` by `meshctl job output`): the root's at the top, `/a/b`'s (and `a/b`'s) under `a/b/`.
 */
export const outputPrefixOf = (guest: string): string => (isRoot(guest) ? '' : `${placeOf(guest).slice(1)}/`);

/** Where mapping `index`'s files lie in the job's input tree. */
export const treePrefixOf = (index: number): string => `${index}/`;
