// The API's workflow methods (core/api/workflow-methods.ts): a workflow run with its inputs stored
// as blobs first (a list of files as one more, whose CID a later run may give instead), its graph as it stands (each step's state, a fan-out's counts), a step's output
// a page of files at a time, and its cancel (node/mesh/workflows/workflow-runner.ts).
import { createHash } from 'node:crypto';
import type { ApiHandlers } from '../../../core/api/contract.js';
import { MAX_INPUT_FILES, type WorkflowView } from '../../../core/api/workflow-methods.js';
import { isFile } from '../../../core/workflow/fact-check.js';
import type { FileValue, StepOutput, Value } from '../../../core/workflow/references.js';
import { ApiError } from '../../api/errors.js';
import { cidOfBytes } from '../../blobs/cid.js';
import { HeldSets } from '../../blobs/held-sets.js';
import { iso } from '../context/node-context.js';
import { jobView } from '../views/job-view.js';
import { listOf } from '../workflows/file-lists.js';
import { unitsOf, type GivenFiles } from '../workflows/step-jobs.js';
import type { NodeApi } from './node-api.js';

/** The most bytes of a list of files given by its CID: MAX_INPUT_FILES of the longest {name, cid, bytes}. */
const MAX_LIST_BYTES = 8 * 2 ** 20;

/** A list of files given inline, as stored: its files and list's CID, and its bytes when they were decoded. */
interface StoredList {
  files: FileValue[];
  list: string;
  given: readonly { name: string; base64: string }[];
  bytes?: Buffer[];
}

/** Lists given inline that a run given them again knows by one hash (givenBefore). */
const GIVEN_LISTS = 8;

/** Files given inline, as bytes. */
const decoded = (given: readonly { base64: string }[]): Buffer[] =>
  given.map(({ base64 }) => Buffer.from(base64, 'base64'));

/**
 * The bytes of the files given inline by CID (hashed to those CIDs): the run's first steps start
 * from them, not reading them back from the store. Decoded at the first ask, if not already: a
 * rerun the memo has whole asks for none.
 */
function givenBytes(lists: readonly StoredList[]): GivenFiles {
  let byCid: Map<string, Uint8Array> | undefined;
  const all = () =>
    (byCid ??= new Map(
      lists.flatMap(({ files, given, bytes = decoded(given) }) => files.map(({ cid }, i) => [cid, bytes[i]!] as const)),
    ));
  return { get: (cid) => all().get(cid), has: (cid) => all().has(cid) };
}

/** A digest of files given inline: each file's name and base64, length-prefixed, so no two lists share one. */
function givenDigest(given: readonly { name: string; base64: string }[]): string {
  const text = given.map(({ name, base64 }) => `${name.length}:${name}${base64.length}:${base64}`).join('');
  return createHash('sha256').update(text).digest('base64');
}

/** About the most file bytes one page of a step's output carries (one file at least). */
const OUTPUT_PAGE_BYTES = 16 * 1024 * 1024;

/** The units of a step's output that came from the memo, as its fields say (0 when they do not). */
const cachedOf = (output: StepOutput | undefined): number =>
  typeof output?.fields['cached'] === 'number' ? output.fields['cached'] : 0;

type Handled = 'workflows.run' | 'workflows.status' | 'workflows.list' | 'workflows.output' | 'workflows.cancel';

export function workflowHandlers(node: NodeApi): Pick<ApiHandlers, Handled> {
  const store = async ({ name, base64 }: { name: string; base64: string }): Promise<FileValue> => {
    const bytes = Buffer.from(base64, 'base64');
    return { name, cid: await node.blobs.put(bytes), bytes: bytes.byteLength };
  };
  /**
   * Lists of files (by CID) stored or found held whole: a list given again is not asked of the store
   * file by file. Held as the store's own blobs: a unit's input inside a job's input goes with it.
   */
  const heldLists = new HeldSets(node.blobs);
  /**
   * Lists given inline lately, by the digest of what was given: a list given again (a rerun) is known
   * by one hash of it, not one a file, while it is held whole (a fan-out's 10,000 files: ~12 ms).
   */
  const givenBefore = new Map<string, { files: FileValue[]; list: string }>();
  /** A list of files given by its CID, once it is found a list, each of its files in the store at its size: ApiError `bad_request` saying why not. */
  const listed = (name: string, cid: string): FileValue[] => {
    const size = node.blobs.size(cid);
    const bytes = size !== undefined && size <= MAX_LIST_BYTES ? node.blobs.get(cid) : undefined;
    if (!bytes)
      throw new ApiError(
        'bad_request',
        size === undefined
          ? `input "${name}": no list of files ${cid} in this node's store`
          : `input "${name}": ${cid} is ${size} bytes, too large for a list of files`,
      );
    let list: unknown;
    try {
      list = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      list = undefined;
    }
    if (!Array.isArray(list) || !list.every(isFile))
      throw new ApiError(
        'bad_request',
        `input "${name}": ${cid} is not a JSON list of files ({name, cid, bytes} each)`,
      );
    const files = list as FileValue[];
    if (files.length > MAX_INPUT_FILES)
      throw new ApiError('bad_request', `input "${name}": ${cid} lists ${files.length} files, over ${MAX_INPUT_FILES}`);
    const gone = heldLists.firstMissing(cid, files);
    if (gone >= 0)
      throw new ApiError(
        'bad_request',
        `input "${name}": its file ${files[gone]!.name} (${files[gone]!.cid}, ${files[gone]!.bytes} bytes) is not in this node's store`,
      );
    return files;
  };
  /**
   * A list of files given inline, stored: its files in a few transactions, not one each (a fan-out's
   * 10,000 items took 0.6 s one by one), only those the store lacks, and the list itself as a blob
   * (the canonical JSON of its {name, cid, bytes}, so the same list is the same CID, which a later
   * run may give instead). A list known held whole (given before, nothing removed since) is not
   * stored again; one given lately is not even decoded (bytes: undefined), only hashed once whole.
   */
  const storeAll = async (given: readonly { name: string; base64: string }[]): Promise<StoredList> => {
    const digest = givenDigest(given);
    const before = givenBefore.get(digest);
    if (before && heldLists.has(before.list)) return { ...before, given };
    const mark = heldLists.mark();
    const bytes = decoded(given);
    const files = given.map(({ name }, i) => ({ name, cid: cidOfBytes(bytes[i]!), bytes: bytes[i]!.byteLength }));
    const { json, cid: list } = listOf(files);
    if (!heldLists.has(list)) {
      await node.blobs.putMissing(bytes);
      await node.blobs.put(json);
      heldLists.add(list, mark);
    }
    if (givenBefore.size >= GIVEN_LISTS) givenBefore.delete(givenBefore.keys().next().value!);
    givenBefore.set(digest, { files, list });
    return { files, list, given, bytes };
  };
  const viewOf = (workflowId: string): WorkflowView => {
    const seen = node.workflows.view(workflowId);
    if (!seen) throw new ApiError('not_found', `no workflow ${workflowId}`);
    const { live, record, plan } = seen;
    return {
      workflow_id: workflowId,
      name: live.workflow.name ?? null,
      outcome: plan.outcome,
      submitted_at: iso(live.stored.submittedAt),
      steps: live.workflow.steps.map((step) => {
        const at = record.steps.get(step.id);
        const job = at?.jobId === undefined ? undefined : node.state.jobs.get(at.jobId);
        const view = job && jobView(node.state, job);
        const { state, detail } = plan.states.get(step.id)!;
        const prepared = live.prepared.get(step.id);
        return {
          id: step.id,
          uses:
            typeof step.uses === 'string'
              ? step.uses
              : 'library' in step.uses
                ? `${step.uses.library}/${step.uses.method}`
                : `module/${step.uses.abi}`,
          needs: [...live.graph.needs.get(step.id)!],
          state,
          detail: detail ?? null,
          job_id: at?.jobId ?? null,
          attempt: at?.attempt ?? 0,
          units: prepared ? unitsOf(prepared) : (at?.output?.files.length ?? null),
          // A step taken whole from the memo journals no started fact: its output says how many.
          cached: at?.cached?.length ?? cachedOf(at?.output),
          units_verified: view?.units_verified ?? 0,
          units_failed: view?.units_failed ?? 0,
        };
      }),
    };
  };
  return {
    async 'workflows.run'({ document, inputs, no_cache }) {
      const values: Record<string, Value> = {};
      const lists: Record<string, string> = {};
      const sent: StoredList[] = [];
      // Lists given by CID first: one refused refuses the run before any file is stored.
      for (const [name, given] of Object.entries(inputs))
        if ('files_cid' in given) [values[name], lists[name]] = [listed(name, given.files_cid), given.files_cid];
      for (const [name, given] of Object.entries(inputs)) {
        if ('file' in given) values[name] = await store(given.file);
        else if ('files' in given) {
          const stored = await storeAll(given.files);
          [values[name], lists[name]] = [stored.files, stored.list];
          sent.push(stored);
        } else if ('value' in given) values[name] = given.value;
      }
      // Files found held were not put again, so a collection while others were stored may have taken
      // some: each list is held whole once nothing is awaited before the run holds them, or put again.
      for (let i = 0; i < sent.length;) {
        const { list, files, given, bytes } = sent[i]!;
        if (heldLists.firstMissing(list, files) < 0) i++;
        else {
          await node.blobs.putMany(bytes ?? decoded(given)); // fresh again: the next collection spares them
          i = 0; // and while it was awaited, any list may have lost a file
        }
      }
      const started = node.workflows.run(document, values, no_cache, givenBytes(sent));
      return Object.keys(lists).length > 0 ? { ...started, files_cids: lists } : started;
    },
    async 'workflows.status'({ workflow_id }) {
      return { workflow: viewOf(workflow_id) };
    },
    async 'workflows.list'() {
      return { workflows: node.workflows.ids().slice(-4096).map(viewOf) };
    },
    async 'workflows.output'({ workflow_id, step, from }) {
      const seen = node.workflows.view(workflow_id);
      if (!seen) throw new ApiError('not_found', `no workflow ${workflow_id}`);
      const output = seen.record.steps.get(step)?.output;
      if (!output)
        throw new ApiError(
          'not_found',
          `step "${step}" of ${workflow_id} has no output: ${seen.plan.states.get(step)?.state ?? 'no such step'}`,
        );
      // Its units' outputs, then what its programs wrote (a WASI step's), one list for the pages.
      const all = [...output.files, ...(output.written ?? [])];
      const files = [];
      let bytes = 0;
      for (const file of all.slice(from, from + 10_000)) {
        if (bytes >= OUTPUT_PAGE_BYTES) break;
        const had = node.blobs.get(file.cid);
        bytes += had?.byteLength ?? 0;
        files.push({ ...file, ...(had ? { base64: Buffer.from(had).toString('base64') } : {}) });
      }
      const next = from + files.length;
      return { fields: output.fields, files, next: next < all.length ? next : null };
    },
    async 'workflows.cancel'({ workflow_id }) {
      await node.workflows.cancel(workflow_id);
      await node.workflows.settled(workflow_id);
      return { workflow: viewOf(workflow_id) };
    },
  };
}
