// The Jobs page's "Run a workflow" form (docs/WORKFLOWS.md): a workflow document (JSON) picked, its
// declared inputs each given as the document says — a file, files (a folder's, or several), a
// number, a boolean or a string — and the workflows.run request they make, as `meshctl workflow run
// FILE --input k=PATH` makes it. The node checks the document itself; the form reads only what it
// needs to ask for the inputs. A document in YAML is meshctl's (the page takes JSON).
import type { MethodInput } from '../../src-main/core/api/contract.js';
import { base64OfBytes } from '../base64.js';
import type { Parsed } from '../format.js';
import type { NamedBytes } from '../kinds/wasi/program-form.js';

export type WorkflowRequest = MethodInput<'workflows.run'>;
type Inputs = NonNullable<WorkflowRequest['inputs']>;

/** A workflow document's most characters (core/workflow/document.ts MAX_WORKFLOW_CHARS). */
const MAX_DOCUMENT_CHARS = 256 * 1024;
const INPUT_TYPES = ['file', 'files', 'number', 'boolean', 'string'] as const;
type InputType = (typeof INPUT_TYPES)[number];

export interface WorkflowDocument {
  /** The document as the node reads it. */
  text: string;
  name: string | null;
  steps: number;
  inputs: Array<{ name: string; type: InputType }>;
}

/** What a value given for an input is: files picked, or text typed. */
export type InputValue = NamedBytes[] | string;

/** The document picked, with its name, steps and declared inputs; or why it is none. */
export function workflowDocument(file: NamedBytes): Parsed<WorkflowDocument> {
  if (!file.name.endsWith('.json'))
    return { ok: false, error: `${file.name}: the page takes a workflow in JSON (meshctl workflow run reads YAML)` };
  if (file.bytes.byteLength > MAX_DOCUMENT_CHARS)
    return { ok: false, error: `${file.name} is over ${MAX_DOCUMENT_CHARS} bytes, a workflow's most` };
  const text = new TextDecoder().decode(file.bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${file.name} is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, error: `${file.name} is not a workflow: a JSON object with its inputs and steps` };
  const { name, steps, inputs } = parsed as { name?: unknown; steps?: unknown; inputs?: unknown };
  const declared: WorkflowDocument['inputs'] = [];
  for (const [input, spec] of Object.entries(typeof inputs === 'object' && inputs !== null ? inputs : {})) {
    const type = (spec as { type?: unknown } | null)?.type;
    if (!INPUT_TYPES.includes(type as InputType))
      return { ok: false, error: `input "${input}": its type is one of ${INPUT_TYPES.join(', ')}` };
    declared.push({ name: input, type: type as InputType });
  }
  return {
    ok: true,
    value: {
      text,
      name: typeof name === 'string' ? name : null,
      steps: Array.isArray(steps) ? steps.length : 0,
      inputs: declared,
    },
  };
}

const file = ({ name, bytes }: NamedBytes) => ({ name, base64: base64OfBytes(bytes) });

/** The workflows.run request for the document and the values given; or the first input that is wrong. */
export function workflowRequest(
  doc: WorkflowDocument,
  values: Readonly<Record<string, InputValue>>,
  noCache: boolean,
): Parsed<WorkflowRequest> {
  const inputs: Inputs = {};
  for (const { name, type } of doc.inputs) {
    const value = values[name];
    if (type === 'file' || type === 'files') {
      const files = Array.isArray(value) ? value : [];
      if (files.length === 0)
        return { ok: false, error: `${name}: choose ${type === 'file' ? 'a file' : 'the files'}` };
      if (type === 'file' && files.length > 1) return { ok: false, error: `${name}: one file, not ${files.length}` };
      inputs[name] = type === 'file' ? { file: file(files[0]!) } : { files: files.map(file) };
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (type === 'number') {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) return { ok: false, error: `${name}: expected a number` };
      inputs[name] = { value: n };
    } else if (type === 'boolean') {
      if (text !== 'true' && text !== 'false') return { ok: false, error: `${name}: expected true or false` };
      inputs[name] = { value: text === 'true' };
    } else inputs[name] = { value: typeof value === 'string' ? value : '' };
  }
  return { ok: true, value: { document: doc.text, inputs, no_cache: noCache } };
}
