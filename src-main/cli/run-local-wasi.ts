// `meshctl run-local --wasi prog.wasm` with submit-job's WASI options (wasi-submit.ts): a job of
// programs run on this machine, each unit as a provider runs it (exec/wasi/job-unit.ts: its argv,
// stdin, files and seed), so `--job-id J` reproduces the units of the mesh's job J byte for byte.
// Each unit's exit code, output CID (what `job outputs` lists) and fuel are printed; `--out DIR`
// writes each unit's folder as `job output --out` does, with its stderr beside it, which runs here
// keep.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Id, validate } from '../core/schemas/index.js';
import { cidOfBytes } from '../node/blobs/cid.js';
import { CliError, wholeNumber } from './args.js';
import { counted } from './format.js';
import { writeWasiUnit } from './wasi-output.js';
import { wasiSubmission, type WasiOptions } from './wasi-submit.js';

export interface RunLocalWasiOptions extends WasiOptions {
  jobId?: string;
  out?: string;
  workers?: string;
}

/** Units run at a time: a worker's hop is 64, so every worker finds one waiting. */
const WINDOW_UNITS = 64;

/** The stream cut into pieces of exactly `chunk` bytes, the last one shorter. */
async function* chunksOf(source: AsyncIterable<Uint8Array>, chunk: number): AsyncGenerator<Uint8Array> {
  let held = Buffer.alloc(0);
  for await (const piece of source) {
    held = Buffer.concat([held, piece]);
    for (; held.byteLength >= chunk; held = held.subarray(chunk)) yield Uint8Array.from(held.subarray(0, chunk));
  }
  if (held.byteLength > 0) yield Uint8Array.from(held);
}

export async function runLocalWasi(options: RunLocalWasiOptions): Promise<number> {
  const workers = options.workers === undefined ? undefined : wholeNumber('--workers', options.workers, 1, 1024);
  const jobId = options.jobId ?? 'local';
  const id = validate(Id, jobId);
  if (!id.ok) throw new CliError(`--job-id: not a job id: ${id.error.message}`);
  const { terms, input } = await wasiSubmission(options, { budget: 1 });
  const module = Buffer.from(terms.wasm_base64!, 'base64');
  const files = terms.wasi?.files_base64 === undefined ? undefined : Buffer.from(terms.wasi.files_base64, 'base64');
  const params = {
    program: terms.wasi!.program!,
    args: terms.wasi!.args!,
    env: terms.wasi!.env!,
    items: terms.wasi!.items!,
    ...(terms.wasi!.dirs ? { dirs: terms.wasi!.dirs } : {}),
  };
  if (options.out !== undefined) await mkdir(options.out, { recursive: true });
  // Loaded here, not at the top: the sandbox (binaryen, piscina) would slow every other meshctl command.
  const { Executor, ExecError, wasiRunOf } = await import('../node/exec/index.js');
  const executor = Executor.start(workers === undefined ? {} : { workers });
  const started = performance.now();
  try {
    // The check submit-job's node makes (jobs/module-check.ts), said the same way.
    await executor.checkModule(module, 'wasi').catch((err: unknown) => {
      if (!(err instanceof ExecError)) throw err;
      throw new CliError(
        `--wasi: ${options.wasi} cannot run as a WASI unit: ${err.message}; a WASI job's module must be a WASI preview 1 command (docs/UNIT_ABI.md, section 15)`,
      );
    });
    let units = 0;
    let failed = 0;
    let fuel = 0;
    const run = async (index: number, unitInput: Uint8Array) => {
      const unit = { unit_id: `${jobId}/${index}`, job_id: jobId, params };
      try {
        return await executor.run({ module, ...wasiRunOf(unit, unitInput, files) });
      } catch (err) {
        if (err instanceof ExecError) return err;
        throw err;
      }
    };
    const report = async (index: number, ran: Awaited<ReturnType<typeof run>>) => {
      if (ran instanceof ExecError) {
        failed++;
        fuel += ran.fuel ?? 0;
        return `unit ${index}: failed${ran.fuel === undefined ? '' : `, fuel ${ran.fuel}`}: ${ran.message}`;
      }
      fuel += ran.fuel;
      const head = `unit ${index}: exit ${ran.exitCode}, output ${cidOfBytes(ran.output)}, fuel ${ran.fuel}`;
      if (options.out === undefined) return head;
      const folder = join(options.out, String(index));
      const wrote = await writeWasiUnit(folder, ran.output, ran.stderr);
      return `${head} → ${folder} (${wrote.stdoutBytes} bytes of stdout, ${wrote.files} files in out/)`;
    };
    // WINDOW_UNITS run together, then are reported in unit order.
    let window: Array<Promise<Awaited<ReturnType<typeof run>>>> = [];
    const flush = async () => {
      const first = units - window.length;
      for (const [k, ran] of (await Promise.all(window)).entries()) console.log(await report(first + k, ran));
      window = [];
    };
    for await (const unitInput of chunksOf(input, terms.chunk_bytes)) {
      window.push(run(units++, unitInput));
      if (window.length === WINDOW_UNITS) await flush();
    }
    await flush();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.log(
      `${counted(units, 'unit')} of job ${jobId}: ${units - failed} ran, ${failed} failed; fuel ${fuel} in all; ${seconds} s on ${counted(executor.workers, 'worker')}`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    await executor.close();
  }
}
