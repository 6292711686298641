// meshctl's commands that bring a job's results back as files: `job output` writes one unit's
// output to a file, or every unit's, a file each in a folder named by its index (a WASI job's: a
// folder each, wasi-output.ts; a tiled Blender job's: its stitched frames, blender-output.ts) or
// all of them in unit order in one file; `job outputs` writes
// every unit's outcome and output as JSON Lines. They page through jobs.outputs (10,000 units or ~16 MiB a page), and each output is checked against
// its CID before it is written.
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { MethodResult } from '../core/api/contract.js';
import { unitIdOf } from '../core/mesh/state/unit-table.js';
import type { ApiClient } from '../node/api/index.js';
import { cidOfBytes } from '../node/blobs/cid.js';
import { CliError } from './args.js';
import { writeWasiUnit } from './wasi-output.js';
import { blenderFrameName, framesByUnit, writeStitchedFrames } from './blender-output.js';
import { specOf } from '../core/kinds/index.js';
import { isExr } from '../core/blender/exr.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';

type UnitOutput = MethodResult<'jobs.outputs'>['outputs'][number];

interface OutputOptions extends CommonOptions {
  out?: string;
  concat?: string;
}

/** What a unit argument names: an index alone (`3`) is that unit of the job (`JOB/3`); anything else is a unit id. */
function unitNamed(jobId: string, unit: string): string {
  return /^\d+$/.test(unit) ? unitIdOf(jobId, Number(unit)) : unit;
}

/** The file name of unit `index` of a job of `units`: its index, zero-padded to the last one's width, so names sort in unit order. */
function outputName(index: number, units: number): string {
  return String(index).padStart(String(Math.max(units - 1, 0)).length, '0');
}

export function registerOutputCommands(job: Command): void {
  nodeCommand(
    job,
    'output',
    "write a unit's verified output to a file; without a unit, every unit's: a file each in a folder (--out), or all in one file (--concat)",
  )
    .argument('<jobId>')
    .argument('[unit]', 'the unit: its index (0, 1, …) or its id (JOB/0)')
    .option(
      '--out <path>',
      "with a unit, the file to write (a WASI job's: a folder); without, the folder (created if missing): a file (or folder) a unit, named by its index, zero-padded",
    )
    .option('--concat <file>', "without a unit: every unit's output, in unit order, one after the other in one file")
    .action(
      act(async (options: OutputOptions, jobId = '', unit?: string) => {
        const client = connect(options);
        if (unit !== undefined) {
          if (options.concat !== undefined) throw new CliError('--concat writes every unit of the job: name no unit');
          if (options.out === undefined) throw new CliError('--out <file>: where to write the unit’s output');
          return writeOne(client, jobId, unitNamed(jobId, unit), options.out);
        }
        if ((options.out === undefined) === (options.concat === undefined))
          throw new CliError('every unit: --out <dir> (a file each) or --concat <file> (one file), one of them');
        if (options.out !== undefined) return writeEach(client, jobId, options.out);
        return writeConcatenated(client, jobId, options.concat!);
      }),
    );

  nodeCommand(job, 'outputs', "write every unit's outcome and output to a file, a JSON line each")
    .argument('<jobId>')
    .requiredOption('--out <file>', 'where to write them (JSON Lines, in unit order)')
    .action(
      act(async (options: CommonOptions & { out: string }, jobId = '') => {
        const written = await writeOutputs(connect(options), jobId, options.out);
        const { units, verified, failed, unavailable } = written;
        const missing = unavailable > 0 ? `, ${unavailable} verified but unavailable` : '';
        const text = `wrote ${units} units to ${options.out}: ${verified} with their output, ${failed} failed${missing}, ${units - verified - failed - unavailable} not done`;
        return { json: { ...written, out: options.out }, text };
      }),
    );
}

async function writeOne(client: ApiClient, jobId: string, unitId: string, out: string) {
  const result = await client.call('jobs.output', { job_id: jobId, unit_id: unitId });
  const bytes = Buffer.from(result.output_base64, 'base64');
  // The CID names the bytes: what arrived is checked before it is written.
  if (cidOfBytes(bytes) !== result.output_cid)
    throw new CliError(`the output of ${unitId} does not match its CID ${result.output_cid}`);
  // A WASI job's unit is a folder (wasi-output.ts), as every unit's is in `--out DIR`.
  const { job } = await client.call('jobs.status', { job_id: jobId });
  if (specOf(job.algorithm)?.outputs === 'program') {
    const ran = await writeWasiUnit(out, bytes, stderrOf(result));
    const summary = { output_cid: result.output_cid, out, ...ran };
    const text = `wrote ${unitId} to ${out}/ (stdout, stderr, exit, out/): exit ${ran.exit}, ${ran.stdoutBytes} bytes of stdout, ${ran.stderrBytes} of stderr, ${ran.files} files in out/ (${result.output_cid})`;
    return { json: summary, text };
  }
  await writeFile(out, bytes);
  const summary = { output_cid: result.output_cid, bytes: bytes.length, out };
  return { json: summary, text: `wrote ${bytes.length} bytes to ${out} (${result.output_cid})` };
}

/** The unit's output, checked against its CID; undefined when it has none here. */
export function outputOf(unit: UnitOutput): Buffer | undefined {
  if (unit.output_base64 === undefined) return undefined;
  const bytes = Buffer.from(unit.output_base64, 'base64');
  if (cidOfBytes(bytes) !== unit.output_cid)
    throw new CliError(`the output of ${unit.unit_id} does not match its CID ${unit.output_cid}`);
  return bytes;
}

/** A WASI unit's stderr as the API gave it (base64), when it wrote any. */
const stderrOf = ({ stderr_base64: base64 }: { stderr_base64?: string }) =>
  base64 === undefined ? undefined : Buffer.from(base64, 'base64');

/** Why a unit has no output here, in a few words. */
export function noOutput(unit: UnitOutput): string {
  if (unit.status === 'failed') return `failed: ${unit.failure ?? 'unknown'}`;
  if (unit.unavailable !== undefined) return `unavailable: ${unit.unavailable}`;
  return unit.status === 'cancelled' ? 'cancelled' : 'not done yet';
}

/** Every unit of the job, a page of jobs.outputs at a time. */
export async function* unitsOf(client: ApiClient, jobId: string): AsyncGenerator<UnitOutput> {
  for (let from: number | null = 0; from !== null;) {
    const page: MethodResult<'jobs.outputs'> = await client.call('jobs.outputs', { job_id: jobId, from });
    yield* page.outputs;
    from = page.next;
  }
}

/**
 * Every unit's output as a file of `dir`, named by its index (outputName), a Blender job's frames
 * by their numbers (blender-output.ts). A unit without one is
 * left out and named in the result, which is then a failure (exit status 1): the folder does not
 * hold the whole job.
 */
async function writeEach(client: ApiClient, jobId: string, dir: string) {
  const { job } = await client.call('jobs.status', { job_id: jobId });
  await mkdir(dir, { recursive: true });
  // A Blender job cut into tiles, or composited here: its frames, stitched or composited (blender-output.ts).
  const stitched =
    specOf(job.algorithm)?.frames === 'blender' ? await client.call('jobs.frames', { job_id: jobId }) : undefined;
  if (stitched?.tiles || (stitched && stitched.frames.length > 0))
    return writeStitchedFrames(client, jobId, dir, stitched);
  // A Blender job of whole frames: each named by its frame (blender-output.ts).
  const frames = stitched ? await framesByUnit(client, jobId) : undefined;
  const names: string[] = [];
  const missing = new Map<string, string[]>(); // why → units
  // A WASI job's unit is a folder: its stdout, stderr, exit code and /out files (wasi-output.ts).
  const wasi = specOf(job.algorithm)?.outputs === 'program';
  const exits: string[] = [];
  let written = 0;
  for await (const unit of unitsOf(client, jobId)) {
    const bytes = outputOf(unit);
    if (bytes !== undefined) {
      // A Blender job's EXR frame (its bytes say so, and its check read it as one) is named .exr.
      const exr = stitched !== undefined && isExr(bytes);
      const frame = frames?.get(unit.unit_id);
      const name =
        frame !== undefined
          ? blenderFrameName(frame, exr ? 'exr' : 'png')
          : outputName(unit.index, job.units_total) + (exr ? '.exr' : '');
      names.push(name);
      const path = join(dir, name);
      if (!wasi) await writeFile(path, bytes);
      else {
        const ran = await writeWasiUnit(path, bytes, stderrOf(unit));
        exits.push(
          `${unit.index}: exit ${ran.exit}, ${ran.stdoutBytes} bytes of stdout, ${ran.stderrBytes} of stderr, ${ran.files} files in out/`,
        );
      }
      written++;
    } else {
      const why = noOutput(unit);
      missing.set(why, [...(missing.get(why) ?? []), unit.unit_id]);
    }
  }
  const seen = written + [...missing.values()].reduce((n, units) => n + units.length, 0);
  if (seen < job.units_total) missing.set('not made yet', [`${job.units_total - seen} units`]);
  const [first, last] = frames
    ? [names[0] ?? '', names.at(-1) ?? ''].map((name) => join(dir, name))
    : [0, job.units_total - 1].map((i) => join(dir, outputName(i, job.units_total)));
  const each = wasi ? `, a folder each (stdout, stderr, exit, out/):\n${exits.join('\n')}` : '';
  const text = `wrote the outputs of ${written} of the job's ${job.units_total} units to ${first} … ${last}${each}`;
  const json = {
    out: dir,
    units: job.units_total,
    written,
    missing: Object.fromEntries([...missing].map(([why, units]) => [why, units.length])),
  };
  if (missing.size === 0) return { json, text };
  const which = (units: string[]) => (units.length === 1 ? units[0] : `${units[0]} and ${units.length - 1} more`);
  const said = [...missing].map(([why, units]) => `${which(units)}: ${why}`).join('; ');
  return { json, text, failure: `${job.units_total - written} units have no output there (${said})` };
}

/**
 * Every unit's output, in unit order, one after the other in `file`. Written beside it first and
 * renamed once whole: a unit without an output stops it, and nothing is left at `file`.
 */
async function writeConcatenated(client: ApiClient, jobId: string, file: string) {
  const { job } = await client.call('jobs.status', { job_id: jobId });
  const partial = `${file}.partial`;
  const handle = await open(partial, 'w');
  let units = 0;
  let bytes = 0;
  try {
    for await (const unit of unitsOf(client, jobId)) {
      const output = outputOf(unit);
      if (output === undefined)
        throw new CliError(
          `unit ${unit.unit_id} has no output (${noOutput(unit)}): --concat needs every unit's; --out <dir> writes those there are`,
        );
      await handle.write(output);
      units++;
      bytes += output.length;
    }
    if (units < job.units_total)
      throw new CliError(
        `${job.units_total - units} of the job's ${job.units_total} units are not made yet: --concat needs every unit's`,
      );
    await handle.close();
    await rename(partial, file);
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(partial, { force: true });
    throw err;
  }
  return {
    json: { out: file, units, bytes },
    text: `wrote the outputs of the job's ${units} units, ${bytes} bytes in unit order, to ${file}`,
  };
}

/**
 * Writes the job's units, a page of jobs.outputs at a time, as JSON Lines: each verified output
 * checked against its CID first. Counts what was written.
 */
async function writeOutputs(client: ApiClient, jobId: string, out: string) {
  const counts = { units: 0, verified: 0, failed: 0, unavailable: 0 };
  const file = await open(out, 'w');
  try {
    for (let from: number | null = 0; from !== null;) {
      const page: MethodResult<'jobs.outputs'> = await client.call('jobs.outputs', { job_id: jobId, from });
      for (const unit of page.outputs) {
        outputOf(unit);
        counts.units++;
        if (unit.output_base64 !== undefined) counts.verified++;
        else if (unit.status === 'failed') counts.failed++;
        else if (unit.unavailable !== undefined) counts.unavailable++;
      }
      await file.write(page.outputs.map((unit) => `${JSON.stringify(unit)}\n`).join(''));
      from = page.next;
    }
  } finally {
    await file.close();
  }
  return counts;
}
