// A requester's workflows in the node's database (migration 19), on the journal's connection: each
// workflow's document and inputs, its facts in order (core/workflow/facts.ts), each written before
// what it says is done, and the memo of verified unit outputs that lets a unit with the same
// module, params and input go unrun. Facts are read back validated: a restart plans from them.
import { validate } from '../../core/schemas/index.js';
import { checkFact } from '../../core/workflow/fact-check.js';
import { WorkflowFactSchema, type WorkflowFact } from '../../core/workflow/facts.js';
import type { Db } from './database.js';

/** A workflow as stored: its document as submitted, its inputs' values (JSON), and whether it ended. */
export interface StoredWorkflow {
  workflowId: string;
  document: string;
  inputs: string;
  noCache: boolean;
  submittedAt: number;
  endedAt?: number;
}

interface Row {
  workflow_id: string;
  document: string;
  inputs: string;
  no_cache: number;
  submitted_at: number;
  ended_at: number | null;
}

/** Keys asked at once by memoAll. */
const MEMO_BATCH = 4096;

/**
 * How long remembered memo rows wait in memory before they are written (lookups read them there):
 * a step's end does not wait on them (a fan-out's 10,000 rows, ~25 ms), nor does a run of the same
 * workflow just after it.
 */
const MEMO_WRITE_DELAY_MS = 250;

/** Memo rows written a turn once writing starts (about 5 ms of a turn). */
const MEMO_WRITE_ROWS = 2048;

type MemoRow = { key: string; cid: string; bytes: number };

const fromRow = (row: Row): StoredWorkflow => ({
  workflowId: row.workflow_id,
  document: row.document,
  inputs: row.inputs,
  noCache: row.no_cache === 1,
  submittedAt: row.submitted_at,
  ...(row.ended_at !== null ? { endedAt: row.ended_at } : {}),
});

export class WorkflowStore {
  readonly #add;
  readonly #one;
  readonly #all;
  readonly #ended;
  readonly #facts;
  readonly #lastSeq;
  readonly #append;
  readonly #memoGet;
  readonly #memoAll;
  readonly #memoPut;
  readonly #appendAll;
  readonly #rememberAll;
  /** Memo rows remembered and not written yet, by key, and the timer that writes the next of them. */
  readonly #unwritten = new Map<string, MemoRow>();
  #writing: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db) {
    this.#add = db.prepare(
      'INSERT INTO workflows (workflow_id, document, inputs, no_cache, submitted_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#one = db.prepare<[string], Row>('SELECT * FROM workflows WHERE workflow_id = ?');
    this.#all = db.prepare<[], Row>('SELECT * FROM workflows ORDER BY submitted_at, workflow_id');
    this.#ended = db.prepare('UPDATE workflows SET ended_at = ? WHERE workflow_id = ? AND ended_at IS NULL');
    this.#facts = db.prepare<[string], { fact: string }>(
      'SELECT fact FROM workflow_facts WHERE workflow_id = ? ORDER BY seq',
    );
    this.#lastSeq = db
      .prepare<[string], number>('SELECT COALESCE(MAX(seq), 0) FROM workflow_facts WHERE workflow_id = ?')
      .pluck();
    this.#append = db.prepare('INSERT INTO workflow_facts (workflow_id, seq, fact) VALUES (?, ?, ?)');
    this.#memoGet = db.prepare<[string], { output_cid: string; bytes: number }>(
      'SELECT output_cid, bytes FROM workflow_memo WHERE key = ?',
    );
    this.#memoAll = db
      .prepare<[string], [number, string, number]>(
        'SELECT j.key, m.output_cid, m.bytes FROM json_each(?) AS j JOIN workflow_memo AS m ON m.key = j.value',
      )
      .raw();
    this.#memoPut = db.prepare(
      'INSERT INTO workflow_memo (key, output_cid, bytes) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
    );
    this.#rememberAll = db.transaction((outputs: readonly MemoRow[]) => {
      for (const { key, cid, bytes } of outputs) this.#memoPut.run(key, cid, bytes);
    });
    this.#appendAll = db.transaction((workflowId: string, facts: readonly WorkflowFact[]) => {
      let seq = this.#lastSeq.get(workflowId)!;
      for (const fact of facts) this.#append.run(workflowId, ++seq, JSON.stringify(fact));
    });
  }

  add(workflow: Omit<StoredWorkflow, 'endedAt'>): void {
    const { workflowId, document, inputs, noCache, submittedAt } = workflow;
    this.#add.run(workflowId, document, inputs, noCache ? 1 : 0, submittedAt);
  }

  get(workflowId: string): StoredWorkflow | undefined {
    const row = this.#one.get(workflowId);
    return row && fromRow(row);
  }

  /** Every workflow, oldest first. */
  all(): StoredWorkflow[] {
    return this.#all.all().map(fromRow);
  }

  ended(workflowId: string, at: number): void {
    this.#ended.run(at, workflowId);
  }

  /** Appends facts in one transaction: all of them are journaled, or none (nor any that is not a fact). */
  append(workflowId: string, facts: readonly WorkflowFact[]): void {
    for (const fact of facts) {
      const checked = checkFact(fact); // the schema's answer, its long lists checked by hand
      if (!checked.ok) throw new Error(`workflow ${workflowId}: not a fact: ${checked.message}`);
    }
    if (facts.length > 0) this.#appendAll(workflowId, facts);
  }

  /** The workflow's facts in order; a row that is not a fact throws (the database was altered). */
  facts(workflowId: string): WorkflowFact[] {
    return this.#facts.all(workflowId).map(({ fact }) => {
      const decoded = validate(WorkflowFactSchema, JSON.parse(fact));
      if (!decoded.ok) throw new Error(`workflow ${workflowId}: a journaled fact is invalid: ${decoded.error.message}`);
      return decoded.value;
    });
  }

  memo(key: string): { cid: string; bytes: number } | undefined {
    const unwritten = this.#unwritten.get(key);
    if (unwritten) return { cid: unwritten.cid, bytes: unwritten.bytes };
    const row = this.#memoGet.get(key);
    return row && { cid: row.output_cid, bytes: row.bytes };
  }

  /** memo() of each key, asked in batches (a lookup each cost ~5 µs a key, a batch under half). */
  memoAll(keys: readonly string[]): ({ cid: string; bytes: number } | undefined)[] {
    const found: ({ cid: string; bytes: number } | undefined)[] = Array.from({ length: keys.length });
    for (let at = 0; at < keys.length; at += MEMO_BATCH)
      for (const [place, cid, bytes] of this.#memoAll.all(JSON.stringify(keys.slice(at, at + MEMO_BATCH))))
        found[at + place] = { cid, bytes };
    if (this.#unwritten.size > 0)
      keys.forEach((key, i) => {
        const unwritten = found[i] ? undefined : this.#unwritten.get(key);
        if (unwritten) found[i] = { cid: unwritten.cid, bytes: unwritten.bytes };
      });
    return found;
  }

  /**
   * Remembers verified outputs by their units' memo keys: kept in memory, where lookups find them,
   * and written MEMO_WRITE_DELAY_MS later, MEMO_WRITE_ROWS a turn. A cache: rows a crash loses are
   * units run again; a stop writes them (flush).
   */
  remember(outputs: readonly MemoRow[]): void {
    for (const row of outputs) if (!this.#unwritten.has(row.key)) this.#unwritten.set(row.key, row);
    if (this.#unwritten.size > 0) this.#writing ??= setTimeout(this.#writeSome, MEMO_WRITE_DELAY_MS).unref();
  }

  /** Writes every memo row remembered and not written yet (a stop's last step). */
  flush(): void {
    clearTimeout(this.#writing);
    this.#writing = undefined;
    if (this.#unwritten.size > 0) this.#rememberAll([...this.#unwritten.values()]);
    this.#unwritten.clear();
  }

  readonly #writeSome = (): void => {
    this.#writing = undefined;
    if (!this.db.open) return; // closed without a flush (a test's): a cache's rows, lost as to a crash
    const rows: MemoRow[] = [];
    for (const row of this.#unwritten.values()) if (rows.push(row) === MEMO_WRITE_ROWS) break;
    this.#rememberAll(rows);
    for (const { key } of rows) this.#unwritten.delete(key);
    if (this.#unwritten.size > 0) this.#writing = setTimeout(this.#writeSome, 0).unref();
  };
}
