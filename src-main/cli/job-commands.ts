// meshctl's job commands: submit a job (a shipped kernel or your own WebAssembly module over an
// input file), follow it, fetch a unit's output, and, for jobs accepted by hand, its bids.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MAX_INPUT_BYTES, MAX_MODULE_BYTES, type MethodInput } from '../core/api/contract.js';
import { MAX_REDUNDANCY } from '../core/schemas/work.js';
import { cidOfBytes } from '../node/blobs/cid.js';
import { CliError, credits, isoTime, jsonObject, numberIn, readFileUpTo, wholeNumber } from './args.js';
import { formatAccepted, formatBids, formatJob, formatJobs, formatJobStatus } from './format.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';

const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

interface SubmitOptions extends CommonOptions {
  library?: string;
  method?: string;
  wasm?: string;
  input: string;
  chunkBytes: string;
  params?: string;
  redundancy: string;
  budget: string;
  maxPrice?: string;
  priority: string;
  deadline?: string;
  name?: string;
  manualAccept?: boolean;
}

export function registerJobCommands(program: Command): void {
  nodeCommand(program, 'submit-job', 'split an input file into units and have the mesh compute them')
    .option('--library <library>', 'a shipped kernel library, e.g. hash (with --method)')
    .option('--method <method>', 'the kernel method, e.g. sha256')
    .option('--wasm <file>', 'your own module under the unit ABI, instead of a kernel')
    .requiredOption('--input <file>', `the input (at most ${MAX_INPUT_BYTES} bytes)`)
    .requiredOption('--chunk-bytes <n>', 'bytes of input per unit')
    .option('--params <json>', "the kernel's params, a JSON object")
    .option('--redundancy <n>', `workers per unit whose outputs must agree (1..${MAX_REDUNDANCY})`, '1')
    .requiredOption('--budget <credits>', 'the most the whole job may cost, in credits (3 decimals)')
    .option('--max-price <credits>', 'the most one worker is paid for one unit, in credits')
    .option('--priority <p>', 'a number in 0..1', '0.5')
    .option('--deadline <time>', 'ISO date-time by which the job should be done')
    .option('--name <name>', 'a name to recognise the job by')
    .option('--manual-accept', 'wait for you to accept bids (see get-bids, accept-bid)')
    .action(
      act(async (options: SubmitOptions) => {
        const job = await submission(options);
        const submitted = await connect(options).call('jobs.submit', job);
        return { json: submitted, text: `submitted job ${submitted.job_id}: ${submitted.units} units` };
      }),
    );

  const job = program.command('job').description('your jobs');
  nodeCommand(job, 'status', "a job's state, progress and spending")
    .argument('<jobId>')
    .option('--units', 'also list every unit')
    .action(
      act(async (options: CommonOptions & { units?: boolean }, jobId = '') => {
        const result = await connect(options).call('jobs.status', { job_id: jobId, units: options.units === true });
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
  nodeCommand(job, 'output', "write a verified unit's output to a file")
    .argument('<jobId>')
    .argument('<unitId>')
    .requiredOption('--out <file>', 'where to write it')
    .action(
      act(async (options: CommonOptions & { out: string }, jobId = '', unitId = '') => {
        const result = await connect(options).call('jobs.output', { job_id: jobId, unit_id: unitId });
        const bytes = Buffer.from(result.output_base64, 'base64');
        // The CID names the bytes: what arrived is checked before it is written.
        if (cidOfBytes(bytes) !== result.output_cid) throw new CliError(`the output of ${unitId} does not match its CID ${result.output_cid}`);
        await writeFile(options.out, bytes);
        const summary = { output_cid: result.output_cid, bytes: bytes.length, out: options.out };
        return { json: summary, text: `wrote ${bytes.length} bytes to ${options.out} (${result.output_cid})` };
      }),
    );

  nodeCommand(program, 'get-bids', 'the offers providers made for the units of a job accepted by hand')
    .requiredOption('--job-id <jobId>')
    .action(
      act(async (options: CommonOptions & { jobId: string }) => {
        const result = await connect(options).call('bids.list', { job_id: options.jobId });
        return { json: result, text: formatBids(result) };
      }),
    );
  nodeCommand(program, 'accept-bid', "accept a provider's offers for a job")
    .requiredOption('--job-id <jobId>')
    .requiredOption('--node-id <peerId>', 'the provider')
    .action(
      act(async (options: CommonOptions & { jobId: string; nodeId: string }) => {
        const result = await connect(options).call('bids.accept', { job_id: options.jobId, node_id: options.nodeId });
        return { json: result, text: formatAccepted(result) };
      }),
    );
}

/** The jobs.submit params the options describe, every value checked and both files read. */
async function submission(options: SubmitOptions): Promise<MethodInput<'jobs.submit'>> {
  const kernel = options.library !== undefined || options.method !== undefined;
  if (kernel === (options.wasm !== undefined)) throw new CliError('name a kernel (--library and --method) or give a module (--wasm), not both');
  if (kernel && (options.library === undefined || options.method === undefined)) throw new CliError('--library and --method go together');
  // Everything typed is checked before either file is read.
  const numbers = {
    chunk_bytes: wholeNumber('--chunk-bytes', options.chunkBytes, 1, MAX_CHUNK_BYTES),
    redundancy: wholeNumber('--redundancy', options.redundancy, 1, MAX_REDUNDANCY),
    budget: credits('--budget', options.budget),
    max_price: options.maxPrice === undefined ? undefined : credits('--max-price', options.maxPrice),
    priority: numberIn('--priority', options.priority, 0, 1),
    deadline: options.deadline === undefined ? undefined : isoTime('--deadline', options.deadline),
  };
  const params = options.params === undefined ? undefined : jsonObject('--params', options.params);
  const input = await readFileUpTo('--input', options.input, MAX_INPUT_BYTES);
  const wasm = options.wasm === undefined ? undefined : await readFileUpTo('--wasm', options.wasm, MAX_MODULE_BYTES);
  return {
    ...numbers,
    name: options.name,
    library: options.library,
    method: options.method,
    wasm_base64: wasm?.toString('base64'),
    input_base64: input.toString('base64'),
    params,
    manual_accept: options.manualAccept === true,
  };
}
