// meshctl's job commands: submit a job (a shipped kernel or your own WebAssembly module over an
// input file: job-submit.ts, or a render job: render-commands.ts), or quote it first (`--dry-run`: what it would
// cost, hold and need, and take, with nothing submitted), follow it, fetch its outputs
// (output-commands.ts), and, for jobs accepted by hand, its offers.
import { Option, type Command } from 'commander';
import { MAX_STREAMED_INPUT_BYTES, type MethodResult } from '../core/api/contract.js';
import { everyUnit } from '../core/api/unit-pages.js';
import { MAX_REDUNDANCY, MAX_UNITS_PER_PACK } from '../core/schemas/work.js';
import { MIN_UNIT_SECONDS } from '../core/render/unit-side.js';
import { budgetCredits, CliError, wholeNumber } from './args.js';
import { estimateLines } from '../core/scheduler/quote-words.js';
import { counted, formatAccepted, formatJob, formatJobs, formatJobStatus, formatOffers, keyValues } from './format.js';
import { act, connect, nodeCommand, type CommonOptions, type Printed } from './node-command.js';
import { registerOutputCommands } from './output-commands.js';
import { progressOnStderr } from './progress.js';
import { followRender, registerResultCommands, renderSubmission, type RenderOptions } from './render-commands.js';
import { blenderSubmission, tilesOption } from './blender-submit.js';
import { tilesPerFrame } from '../core/schemas/blender-tiles.js';
import { MAX_PERCENTAGE } from '../core/blender/preflight.js';
import { collect, firstUnit, wasiSubmission } from './wasi-submit.js';
import { firstBytes, jobTerms, submission, withModulePut, type InputJobOptions } from './job-submit.js';

interface SubmitOptions extends CommonOptions, Partial<RenderOptions>, InputJobOptions {
  blend?: string;
  samples?: string;
  tiles?: string;
  format?: 'png' | 'exr';
  resolutionPercentage?: string;
  out?: string;
  dryRun?: boolean;
}

export function registerJobCommands(program: Command): void {
  nodeCommand(
    program,
    'submit-job',
    'have the mesh compute a job: an input file split into units, or the frames of a scene',
  )
    .option('--library <library>', 'a shipped kernel library, e.g. hash (with --method)')
    .option('--method <method>', 'the kernel method, e.g. sha256')
    .option('--wasm <file>', 'your own module under the unit ABI, instead of a kernel')
    .option(
      '--wgsl <file>',
      'a WGSL compute shader, run on GPU workers (params: workgroup_size, workgroups, buffer_size)',
    )
    .option('--wasi <file>', 'a WASI preview 1 program (docs/UNIT_ABI.md, section 15): a job of it, one unit per item')
    .option('--args <args>', "wasi: its args, words or a JSON array; {index} and {name} become the unit's")
    .option('--env <NAME=VALUE>', 'wasi: an environment variable (repeatable)', collect)
    .option('--files <dir>', 'wasi: a folder mounted read-only at /input in every unit')
    .option(
      '--dir <HOST[:GUEST][:ro|rw]>',
      'wasi: HOST[:GUEST][:ro|rw], a folder where the program expects it (. for relative paths), instead of /input, /tmp and /out; :rw changes come back (repeatable)',
      collect,
    )
    .option(
      '--for-each <glob>',
      'wasi: a unit per file matching, e.g. "inputs/*.txt": the file as stdin, its name as {name}',
    )
    .option('--items <n>', 'wasi: n units, stdin empty, {index} and {name} their index')
    .option('--input <file>', `the input, streamed to the node (at most ${MAX_STREAMED_INPUT_BYTES} bytes)`)
    .option('--chunk-bytes <n>', 'bytes of input per unit')
    .option(
      '--units-per-pack <n>',
      `units that travel as one pack (1..${MAX_UNITS_PER_PACK}; default: sized by the node for a kernel's tiny units, 1 for --wasm)`,
    )
    .option('--params <json>', "the kernel's params, a JSON object")
    .option('--render <scene>', 'a render job: this scene file (docs/SCENE.md), one unit per tile')
    .option(
      '--blend <scene>',
      'a Blender job: a .blend, or a zip of its folder (docs/BLENDER.md), one unit per frame (or per tile: --tiles)',
    )
    .option('--samples <n>', "blend: samples per pixel (default: the scene's)")
    .option(
      '--tiles <CxR>',
      'blend: cut each frame into C×R border tiles, a unit each, stitched back into the frame (e.g. 2x2)',
    )
    .addOption(
      new Option('--format <format>', 'blend: each frame an 8-bit PNG, or OpenEXR (RGBA, half float; frames only)')
        .choices(['png', 'exr'])
        .default('png'),
    )
    .option(
      '--resolution-percentage <n>',
      "blend: render at this percentage of the scene's resolution (default: the file's own)",
    )
    .option(
      '--frames <frames>',
      "render: a frame or a range (1-4, default 0); blend: Blender's syntax, 1-10,20,30-40, ranges by the file's frame step (default: the scene's frames)",
    )
    .option('--width <px>', 'render: frame width', '640')
    .option('--height <px>', 'render: frame height', '360')
    .option('--spp <n>', 'render: samples per pixel', '16')
    .option(
      '--tile <px>',
      'render: tile size (a unit a tile, or n×n tiles a unit when a tile alone would take under 15 ms)',
      '64',
    )
    .option('--exact-tiles', 'render: one unit a tile, however small')
    .option('--seed <n>', 'render, blend: the seed (render-local --seed reproduces a frame)', '0')
    .option('--gpu <mode>', 'render: GPU allowed, required or forbidden (forbidden: CPU only, bit-exact)', 'allowed')
    .option('--out <dir>', 'render: wait, writing each frame to DIR/frame-####.png as it is finished')
    .option('--redundancy <n>', `workers per unit whose outputs must agree (1..${MAX_REDUNDANCY})`, '1')
    .requiredOption('--budget <credits>', 'the most the whole job may cost, in credits (3 decimals)')
    .option('--max-price <credits>', 'the most one worker is paid for one unit, in credits')
    .option('--priority <p>', 'a number in 0..1', '0.5')
    .option('--deadline <time>', 'ISO date-time by which the job should be done')
    .option('--name <name>', 'a name to recognise the job by')
    .option('--manual-accept', 'wait for you to accept offers (see offers, offers accept)')
    .option('--open-to-strangers', 'peers you have not trusted may compute this job (by default only peers you trust)')
    .option('--circle <id>', "a circle of yours it runs in: only its members compute it, by the circle's policy")
    .option(
      '--dry-run',
      'submit nothing: print its units, what it would cost and hold, the budget it needs, and how long it would take',
    )
    .action(
      act(async (options: SubmitOptions) => {
        if (options.blend !== undefined) return submitBlend(options, options.blend);
        if (options.render === undefined) {
          if (options.out !== undefined) throw new CliError('--out goes with --render');
          // The input streams from the file to the node: a job may be a million units (upload.ts).
          if (
            options.wasi !== undefined &&
            [options.library, options.method, options.wasm, options.wgsl].some((o) => o)
          )
            throw new CliError('--wasi is the program: not with --library, --method, --wasm or --wgsl');
          const made =
            options.wasi === undefined ? await submission(options) : await wasiSubmission(options, jobTerms(options));
          const { input, size } = made;
          const client = connect(options);
          const terms = await withModulePut(client, made.terms); // a big program goes first, by itself
          if (options.dryRun) {
            // A WASI job's input is made here (its items framed): its first unit's, from that.
            const first =
              options.wasi === undefined ? await firstBytes(terms, options.input!) : await firstUnit(input, terms);
            const estimate = await client.call('jobs.estimate', { ...terms, input_bytes: size, ...first });
            return { json: estimate, text: formatEstimate(estimate) };
          }
          const submitted = await client.submitStream(terms, input, size);
          return { json: submitted, text: `submitted job ${submitted.job_id}: ${counted(submitted.units, 'unit')}` };
        }
        if (
          options.input !== undefined ||
          options.library !== undefined ||
          options.wasm !== undefined ||
          options.wgsl !== undefined ||
          options.wasi !== undefined
        )
          throw new CliError('--render takes a scene, not --input, --library, --wasm, --wgsl or --wasi');
        const client = connect(options);
        const asked = { ...options, frames: options.frames ?? '0' } as SubmitOptions & RenderOptions;
        const render = { ...(await renderSubmission(asked)), ...jobTerms(options) };
        if (options.dryRun) {
          const estimate = await client.call('render.estimate', render);
          return { json: estimate, text: formatEstimate(estimate) };
        }
        const submitted = await client.call('render.submit', render);
        const text = `submitted job ${submitted.job_id}: ${counted(submitted.frames, 'frame')}, ${counted(submitted.units, 'tile')}${submitted.tile === Number(options.tile) ? '' : ` of ${submitted.tile} px (${options.tile}-px tiles would take under ${MIN_UNIT_SECONDS * 1000} ms each: --exact-tiles keeps them)`}`;
        if (options.out === undefined) return { json: submitted, text };
        if (!options.json) process.stdout.write(`${text}\n`);
        const progress = progressOnStderr();
        const files = await followRender(client, submitted.job_id, options.out, (line) => {
          if (!options.json) progress.update(line);
        });
        progress.done();
        return { json: { ...submitted, files }, text: files.join('\n') };
      }),
    );

  const job = program.command('job').description('your jobs');
  nodeCommand(job, 'status', "a job's state, progress and spending")
    .argument('<jobId>')
    .option('--units', 'also list every unit')
    .action(
      act(async (options: CommonOptions & { units?: boolean }, jobId = '') => {
        const client = connect(options);
        if (!options.units) {
          const result = await client.call('jobs.status', { job_id: jobId });
          return { json: result, text: formatJobStatus(result) };
        }
        let view: MethodResult<'jobs.status'>['job'] | undefined; // from the first page's answer
        const units = await everyUnit(async (from) => {
          const page = await client.call('jobs.status', { job_id: jobId, units: true, units_from: from });
          view ??= page.job;
          return page.units;
        });
        const result = { job: view!, units };
        return { json: result, text: formatJobStatus(result) };
      }),
    );
  nodeCommand(job, 'list', 'every job submitted from this node').action(
    act(async (options) => {
      const result = await connect(options).call('jobs.list', {});
      return { json: result, text: formatJobs(result) };
    }),
  );
  nodeCommand(job, 'cancel', 'stop a job; what is held for units not yet done is refunded')
    .argument('<jobId>')
    .action(
      act(async (options, jobId = '') => {
        const result = await connect(options).call('jobs.cancel', { job_id: jobId });
        return { json: result, text: formatJob(result.job) };
      }),
    );
  nodeCommand(
    job,
    'budget',
    "set a running job's budget anew, in credits: a job paused short of budget goes on (job status says what it needs); lowered, not under what it has held or spent",
  )
    .argument('<jobId>')
    .argument('<credits>')
    .action(
      act(async (options, jobId = '', amount = '') => {
        const budget = budgetCredits('<credits>', amount);
        const result = await connect(options).call('jobs.set_budget', { job_id: jobId, budget });
        return { json: result, text: formatJob(result.job) };
      }),
    );
  nodeCommand(job, 'delete', 'forget a finished job: its outputs go at the next garbage collection')
    .argument('<jobId>')
    .action(
      act(async (options, jobId = '') => {
        const result = await connect(options).call('jobs.delete', { job_id: jobId });
        return { json: result, text: `deleted job ${result.deleted}` };
      }),
    );
  registerOutputCommands(job);

  registerResultCommands(program);

  // `offers <jobId>` runs the default subcommand, `list`, rather than an action on `offers` itself:
  // options on the parent would be taken there before `offers accept` saw its `--data-dir`.
  const offers = program
    .command('offers')
    .description('what providers offered for the units of a job you accept by hand (--manual-accept)');
  nodeCommand(offers, 'list', 'the open offers on a job (the default: meshctl offers <jobId>)', { isDefault: true })
    .argument('<jobId>')
    .action(
      act(async (options, jobId = '') => {
        const result = await connect(options).call('offers.list', { job_id: jobId });
        return { json: result, text: formatOffers(result) };
      }),
    );
  nodeCommand(offers, 'accept', 'accept every open offer of one provider on a job')
    .argument('<jobId>')
    .argument('<peerId>', 'the provider')
    .action(
      act(async (options, jobId = '', peerId = '') => {
        const result = await connect(options).call('offers.accept', { job_id: jobId, node_id: peerId });
        return { json: result, text: formatAccepted(result) };
      }),
    );
}

/**
 * `--blend`: the scene preflighted here and printed, then submitted, a unit a frame (blender-submit.ts);
 * with `--dry-run`, quoted by jobs.estimate instead (the node preflights it again), nothing submitted.
 */
async function submitBlend(options: SubmitOptions, scene: string): Promise<Printed> {
  const other = (['render', 'input', 'library', 'method', 'wasm', 'wgsl', 'wasi', 'out'] as const).find(
    (o) => options[o] !== undefined,
  );
  if (other) throw new CliError(`--blend is the job's scene: not with --${other.replace('R', '-r')}`);
  const { params, lines } = await blenderSubmission(
    scene,
    options.frames,
    {
      seed: wholeNumber('--seed', options.seed ?? '0', 0, 2 ** 31 - 1),
      ...(options.samples !== undefined ? { samples: wholeNumber('--samples', options.samples, 1, 1 << 24) } : {}),
      ...(options.tiles !== undefined ? { tiles: tilesOption(options.tiles) } : {}),
      ...(options.resolutionPercentage !== undefined
        ? { percentage: wholeNumber('--resolution-percentage', options.resolutionPercentage, 1, MAX_PERCENTAGE) }
        : {}),
      format: options.format ?? 'png',
    },
    jobTerms(options),
    (sent) => connect(options).call('blender.preflight', sent),
  );
  if (options.dryRun) {
    const { input_base64: input, ...terms } = params;
    const estimate = await connect(options).call('jobs.estimate', {
      ...terms,
      input_bytes: Buffer.from(input, 'base64').byteLength,
    });
    return { json: { ...estimate, preflight: lines }, text: [...lines, formatEstimate(estimate)].join('\n') };
  }
  const submitted = await connect(options).call('jobs.submit', params);
  const grid = params.blender?.tiles;
  const units = grid
    ? `${counted(submitted.units / tilesPerFrame(grid), 'frame')}, ${counted(submitted.units, 'tile')}`
    : counted(submitted.units, 'frame');
  const text = [...lines, `submitted job ${submitted.job_id}: ${units}`].join('\n');
  return { json: { ...submitted, preflight: lines }, text };
}

/** A quote as `--dry-run` prints it: the lines the UI shows too (core/scheduler/quote-words.ts). */
function formatEstimate(estimate: MethodResult<'jobs.estimate'>): string {
  return `dry run: nothing submitted\n${keyValues(estimateLines(estimate))}`;
}
