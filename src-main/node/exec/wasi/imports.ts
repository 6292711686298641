// Which imports a WASI unit may have: the functions of wasi_snapshot_preview1, each with its type,
// and the memory the metering adds. Anything else is refused before the program runs, with what it
// is named: an older WASI, wasi-threads, or an import of something no host here provides.
export const WASI_MODULE = 'wasi_snapshot_preview1';
/** The export a WASI command runs. */
export const WASI_ENTRY = '_start';

/** Each call's parameter types ("i": i32, "I": i64) and whether it returns an errno. */
export const WASI_SIGNATURES: Readonly<Record<string, string>> = {
  args_get: 'ii',
  args_sizes_get: 'ii',
  environ_get: 'ii',
  environ_sizes_get: 'ii',
  clock_res_get: 'ii',
  clock_time_get: 'iIi',
  fd_advise: 'iIIi',
  fd_allocate: 'iII',
  fd_close: 'i',
  fd_datasync: 'i',
  fd_fdstat_get: 'ii',
  fd_fdstat_set_flags: 'ii',
  fd_fdstat_set_rights: 'iII',
  fd_filestat_get: 'ii',
  fd_filestat_set_size: 'iI',
  fd_filestat_set_times: 'iIIi',
  fd_pread: 'iiiIi',
  fd_prestat_get: 'ii',
  fd_prestat_dir_name: 'iii',
  fd_pwrite: 'iiiIi',
  fd_read: 'iiii',
  fd_readdir: 'iiiIi',
  fd_renumber: 'ii',
  fd_seek: 'iIii',
  fd_sync: 'i',
  fd_tell: 'ii',
  fd_write: 'iiii',
  path_create_directory: 'iii',
  path_filestat_get: 'iiiii',
  path_filestat_set_times: 'iiiiIIi',
  path_link: 'iiiiiii',
  path_open: 'iiiiiIIii',
  path_readlink: 'iiiiii',
  path_remove_directory: 'iii',
  path_rename: 'iiiiii',
  path_symlink: 'iiiii',
  path_unlink_file: 'iii',
  poll_oneoff: 'iiii',
  proc_exit: 'i',
  proc_raise: 'i',
  sched_yield: '',
  random_get: 'ii',
  sock_accept: 'iii',
  sock_recv: 'iiiiii',
  sock_send: 'iiiii',
  sock_shutdown: 'ii',
};

/** proc_exit is the one call that returns nothing (it never returns at all). */
export const NO_RESULT = new Set(['proc_exit']);

/**
 * Why a compiled module cannot run as a WASI unit, or null when its imports and exports allow it.
 * Types are checked by the metering, which reads them (binaryen); V8's JS API does not show them.
 */
export function wasiViolation(module: WebAssembly.Module): string | null {
  for (const imp of WebAssembly.Module.imports(module)) {
    const what = `"${imp.module}.${imp.name}"`;
    if (imp.module === 'wasi' && imp.name === 'thread-spawn')
      return `imports ${what}: wasi-threads, which WASI units do not support (build without threads)`;
    if (imp.module === 'wasi_unstable')
      return `imports ${what} from WASI's preview 0 (wasi_unstable); WASI units speak preview 1 (wasi_snapshot_preview1): rebuild with a current toolchain`;
    if (imp.kind === 'memory')
      return `imports its memory ${what}; a WASI unit must define its own (do not link with --import-memory)`;
    if (imp.module !== WASI_MODULE || imp.kind !== 'function' || !(imp.name in WASI_SIGNATURES))
      return `imports ${imp.kind} ${what}, which WASI preview 1 does not provide`;
  }
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  if (exports.get('memory') !== 'memory') return 'does not export its memory as "memory"';
  if (exports.get(WASI_ENTRY) !== 'function')
    return `does not export the function "${WASI_ENTRY}": it is not a WASI command (a library or reactor cannot run as a unit)`;
  return null;
}
