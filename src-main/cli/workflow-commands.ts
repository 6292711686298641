// meshctl's workflow commands (docs/WORKFLOWS.md): run a workflow document with its inputs (`--input
// k=PATH`: a file, a folder's files, a list a run stored (`cid:CID`), or a value, as the document declares each input), its graph as
// text (`workflow status`), a step's output written as files, cancel, and the list.
import { readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve as resolvePath, sep } from 'node:path';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import type { MethodInput, MethodResult } from '../core/api/contract.js';
import type { WorkflowView } from '../core/api/workflow-methods.js';
import { CliError, readFileUpTo } from './args.js';
import { act, connect, nodeCommand, type CommonOptions } from './node-command.js';
import { collect } from './wasi-submit.js';

/** A workflow document's most bytes, as the node reads it (core/workflow/document.ts MAX_WORKFLOW_CHARS). */
const MAX_DOCUMENT_BYTES = 256 * 1024;
/** An input file's most bytes, as the API carries it inline. */
const MAX_INPUT_FILE_BYTES = 32 * 1024 * 1024;

type Inputs = NonNullable<MethodInput<'workflows.run'>['inputs']>;

interface RunOptions extends CommonOptions {
  input: string[];
  cache: boolean;
  wait?: boolean;
}

export function registerWorkflowCommands(program: Command): void {
  const workflow = program.command('workflow').description('workflows: steps that feed each other, each a job');
  nodeCommand(workflow, 'run', 'run a workflow document (JSON, or YAML by a .yaml or .yml name) with its inputs')
    .argument('<file>')
    .option(
      '--input <name=path>',
      'an input: a file, a folder (its files, in name order), a list a run stored (cid:CID), or a value',
      collect,
      [],
    )
    .option('--no-cache', 'run every unit, even those whose output the memo has')
    .option('--wait', 'wait for it to end, then print its graph')
    .action(
      act(async (options: RunOptions, file = '') => {
        const text = (await readFileUpTo('the workflow', file, MAX_DOCUMENT_BYTES)).toString('utf8');
        const document = /\.ya?ml$/i.test(file) ? jsonOfYaml(text) : text;
        const inputs = await inputsOf(declaredInputs(document), options.input);
        const client = connect(options);
        const started = await client.call('workflows.run', { document, inputs, no_cache: !options.cache });
        const lists = Object.entries(started.files_cids ?? {}).map(([name, cid]) => `--input ${name}=cid:${cid}`);
        const again = lists.length > 0 ? ` (the same files again: ${lists.join(' ')})` : '';
        if (!options.wait)
          return { json: started, text: `workflow ${started.workflow_id}: ${started.steps} steps, running${again}` };
        for (;;) {
          const { workflow: view } = await client.call('workflows.status', { workflow_id: started.workflow_id });
          if (view.outcome !== 'running') return { json: view, text: formatWorkflow(view) };
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }),
    );
  nodeCommand(workflow, 'status', "a workflow's graph: each step's state, and a fan-out's counts")
    .argument('<workflowId>')
    .action(
      act(async (options, workflowId = '') => {
        const { workflow: view } = await connect(options).call('workflows.status', { workflow_id: workflowId });
        return { json: view, text: formatWorkflow(view) };
      }),
    );
  nodeCommand(workflow, 'list', 'every workflow run from this node').action(
    act(async (options) => {
      const { workflows } = await connect(options).call('workflows.list', {});
      const lines = workflows.map(
        (w) => `${w.workflow_id}  ${w.outcome.padEnd(9)}  ${w.submitted_at}  ${w.name ?? ''}`,
      );
      return { json: { workflows }, text: lines.length > 0 ? lines.join('\n') : 'no workflows' };
    }),
  );
  nodeCommand(workflow, 'output', "a done step's output: its values, and its files written to --out")
    .argument('<workflowId>')
    .argument('<step>')
    .option('--out <dir>', 'write its files here, each by its name')
    .action(
      act(async (options: CommonOptions & { out?: string }, workflowId = '', step = '') => {
        const client = connect(options);
        const files: { name: string; cid: string; bytes: number }[] = [];
        let fields: Record<string, string | number | boolean> = {};
        if (options.out) await mkdir(options.out, { recursive: true });
        for (let from: number | null = 0; from !== null;) {
          const page: MethodResult<'workflows.output'> = await client.call('workflows.output', {
            workflow_id: workflowId,
            step,
            from,
          });
          fields = page.fields;
          for (const { base64, ...file } of page.files) {
            files.push(file);
            if (options.out && base64 === undefined)
              throw new CliError(`${file.name} (${file.cid}) is not on the node`);
            if (options.out) await writeBelow(options.out, file.name, Buffer.from(base64!, 'base64'));
          }
          from = page.next;
        }
        const values = Object.entries(fields).map(([key, value]) => `${key}: ${String(value)}`);
        const listed = files.map((file) => `${file.name}  ${file.cid}  ${file.bytes} bytes`);
        const written = options.out ? [`${files.length} files written to ${options.out}`] : [];
        return { json: { fields, files }, text: [...values, ...listed, ...written].join('\n') };
      }),
    );
  nodeCommand(workflow, 'cancel', 'stop a workflow: no step starts, running jobs are cancelled')
    .argument('<workflowId>')
    .action(
      act(async (options, workflowId = '') => {
        const { workflow: view } = await connect(options).call('workflows.cancel', { workflow_id: workflowId });
        return { json: view, text: formatWorkflow(view) };
      }),
    );
}

/** The workflow's graph as text: a line a step, in the document's order, with what it needs. */
function formatWorkflow(view: WorkflowView): string {
  const head = `workflow ${view.workflow_id}${view.name ? ` (${view.name})` : ''}: ${view.outcome}`;
  const width = Math.max(...view.steps.map((step) => step.id.length));
  const lines = view.steps.map((step) => {
    const needs = step.needs.length > 0 ? `after ${step.needs.join(', ')}` : 'first';
    const counts =
      step.units === null
        ? ''
        : `  ${step.units} units: ${step.units_verified} verified, ${step.cached} from the memo${step.units_failed > 0 ? `, ${step.units_failed} failed` : ''}`;
    const retry = step.attempt > 1 ? `  attempt ${step.attempt}` : '';
    const detail = step.detail ? `  (${step.detail})` : '';
    return `  ${step.id.padEnd(width)}  ${step.state.padEnd(9)}  ${step.uses}  ${needs}${counts}${retry}${detail}`;
  });
  return [head, ...lines].join('\n');
}

/**
 * A YAML workflow as the JSON document the node reads (and checks): one document, no tags beyond
 * YAML's core schema, unique keys, at most 100 aliases (a "billion laughs" stops there), within
 * the JSON's size limit.
 */
export function jsonOfYaml(text: string): string {
  let value: unknown;
  try {
    const parsed = parseDocument(text, { uniqueKeys: true, schema: 'core', prettyErrors: true });
    // A warning (an unknown tag, read as a string) is as wrong as an error here.
    const problem = parsed.errors[0] ?? parsed.warnings[0];
    if (problem) throw problem;
    value = parsed.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new CliError(`the workflow is not YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const json = JSON.stringify(value);
  if (json === undefined || typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError('the workflow is not a YAML mapping (a document with inputs and steps)');
  if (json.length > MAX_DOCUMENT_BYTES)
    throw new CliError(`the workflow is ${json.length} characters as JSON, over ${MAX_DOCUMENT_BYTES}`);
  return json;
}

/** Each input's type as the document declares it; the node checks the document itself. */
function declaredInputs(document: string): Record<string, string> {
  try {
    const parsed = JSON.parse(document) as { inputs?: Record<string, { type?: string }> };
    return Object.fromEntries(Object.entries(parsed.inputs ?? {}).map(([name, input]) => [name, String(input.type)]));
  } catch (err) {
    throw new CliError(`the workflow is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `--input name=path` (or `name=value`) as the API carries it, by the input's declared type. */
async function inputsOf(declared: Record<string, string>, given: readonly string[]): Promise<Inputs> {
  const inputs: Inputs = {};
  for (const pair of given) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--input ${pair}: expected name=path or name=value`);
    const name = pair.slice(0, at);
    const text = pair.slice(at + 1);
    const type = declared[name];
    if (type === undefined) throw new CliError(`--input ${name}: the workflow declares no such input`);
    if (type === 'file') inputs[name] = { file: await fileOf(text) };
    // A list a run stored (its files_cids), by its CID: its files are in the node's store already.
    else if (type === 'files' && text.startsWith('cid:')) inputs[name] = { files_cid: text.slice(4) };
    else if (type === 'files') inputs[name] = { files: await filesIn(text) };
    else if (type === 'number') {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw new CliError(`--input ${name}: ${text} is not a number`);
      inputs[name] = { value };
    } else if (type === 'boolean') {
      if (text !== 'true' && text !== 'false') throw new CliError(`--input ${name}: expected true or false`);
      inputs[name] = { value: text === 'true' };
    } else inputs[name] = { value: text };
  }
  return inputs;
}

async function fileOf(path: string): Promise<{ name: string; base64: string }> {
  const bytes = await readFileUpTo(`--input ${path}`, path, MAX_INPUT_FILE_BYTES);
  return { name: path.split(/[\\/]/).at(-1)!, base64: bytes.toString('base64') };
}

/** A folder's files in name order, or one file. */
async function filesIn(path: string): Promise<{ name: string; base64: string }[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CliError(`--input: cannot read ${path}`);
  if (!info.isDirectory()) return [await fileOf(path)];
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(names.map((name) => fileOf(join(path, name))));
}

/** A file of a step's output written at its name under `dir` (a WASI step's `0/result.txt` in its folder); a name that climbs out is refused. */
async function writeBelow(dir: string, name: string, bytes: Uint8Array): Promise<void> {
  const path = resolvePath(dir, name);
  if (!path.startsWith(resolvePath(dir) + sep))
    throw new CliError(`a file named ${JSON.stringify(name)} would lie outside ${dir}`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}
