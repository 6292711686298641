// A WASI unit's verified output as files (meshctl job output --out): its folder holds `stdout`,
// `exit` (the exit code and a newline) and `out/`, the files the program left in /out, and
// `stderr`, what its provider kept of it (empty when it wrote none): a diagnostic that came back
// beside the result, no part of the output the nodes compare.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeWasiOutput } from '../node/exec/index.js';
import { CliError } from './args.js';

/**
 * A path of /out as a relative path under `out/`: its parts must be names (no "", ".", "..", "\",
 * or NUL), so no output, whoever made it, writes outside its unit's folder.
 */
function safeRelative(path: string): string {
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0')))
    throw new CliError(`an output file's path is not a plain relative path: ${JSON.stringify(path)}`);
  return join(...parts);
}

/** Writes the unit's output into `dir` (created); its exit code and how much it wrote. */
export async function writeWasiUnit(
  dir: string,
  output: Uint8Array,
  /** The unit's stderr; none is an empty file. */
  stderr: Uint8Array = new Uint8Array(),
): Promise<{ exit: number; stdoutBytes: number; stderrBytes: number; files: number }> {
  let result;
  try {
    result = decodeWasiOutput(output);
  } catch (err) {
    throw new CliError(`${dir}: the output is not a WASI unit's: ${err instanceof Error ? err.message : String(err)}`);
  }
  await mkdir(join(dir, 'out'), { recursive: true });
  await writeFile(join(dir, 'stdout'), result.stdout);
  await writeFile(join(dir, 'stderr'), stderr);
  await writeFile(join(dir, 'exit'), `${result.exitCode}\n`);
  for (const [path, bytes] of result.files) {
    const file = join(dir, 'out', safeRelative(path));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
  return {
    exit: result.exitCode,
    stdoutBytes: result.stdout.byteLength,
    stderrBytes: stderr.byteLength,
    files: result.files.length,
  };
}
