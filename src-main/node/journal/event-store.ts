// Where the journal's events are kept: one row per group commit (a batch), not one per event. A
// batch's events are its rows' JSON, one a line, brotli-compressed: a work unit's events repeat the
// same peer ids, job id and CIDs, so a batch shrinks about tenfold (5.3 KB of JSON a tiny unit →
// about 0.55 KB). At quality 1: 6 µs a unit on the test VM, where quality 4 took 18 for 7 % less. Each event keeps its own `seq` (a batch holds first_seq .. first_seq + count - 1),
// which the derived tables and snapshots name. Event ids are kept as the first 8 bytes of their
// sha256 (an integer key: ~15 bytes a row, where the text id and its index took ~150); a lookup
// that hits checks the id itself in its batch, and the rare id whose hash another id already has
// goes to `event_id_spill` under its full text.
import { hash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { NodeEvent } from '../../core/schemas/index.js';
import type { Db } from './database.js';

/** Events read per query while streaming: batches hold up to a few hundred each. */
const BATCHES_PER_PAGE = 64;
/** Decoded batches kept for lookups (a re-delivered event's batch is usually a recent one). */
const DECODED_KEPT = 8;

/** The 64-bit key an id (an event's, a ledger entry's) is stored under: the first 8 bytes of its sha256. */
export function idKey(id: string): bigint {
  return hash('sha256', id, 'buffer').readBigInt64BE(0);
}

/**
 * A batch this large is a big job's units (`units.created`: their inputs' sha256 in base64), which
 * brotli hardly compresses: at quality 0 in half the time of 1, about 1 % larger, on the main
 * thread while the job is submitted.
 */
const LARGE_BATCH_BYTES = 1024 * 1024;

function encodeBatch(bodies: readonly string[]): Buffer {
  const raw = Buffer.from(bodies.join('\n'));
  const quality = raw.length >= LARGE_BATCH_BYTES ? 0 : 1;
  return brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
}

/** A batch's events' JSON, in order. */
function decodeBatch(body: Buffer): string[] {
  return brotliDecompressSync(body).toString().split('\n');
}

export class EventStore {
  readonly #lastBatch;
  readonly #batchAt;
  readonly #batchesFrom;
  readonly #insertBatch;
  readonly #seqOfKey;
  readonly #insertKey;
  readonly #seqOfSpilled;
  readonly #insertSpilled;
  /** Recently decoded batches by first_seq, oldest first (Map order). */
  readonly #decoded = new Map<number, string[]>();

  constructor(db: Db) {
    this.#lastBatch = db.prepare<[], { first_seq: number; count: number }>(
      'SELECT first_seq, count FROM event_batches ORDER BY first_seq DESC LIMIT 1',
    );
    this.#batchAt = db.prepare<[number], { first_seq: number; body: Buffer }>(
      'SELECT first_seq, body FROM event_batches WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1',
    );
    this.#batchesFrom = db
      .prepare<[number, number], [number, Buffer]>(
        'SELECT first_seq, body FROM event_batches WHERE first_seq >= ? ORDER BY first_seq LIMIT ?',
      )
      .raw();
    this.#insertBatch = db.prepare<[number, number, Buffer]>(
      'INSERT INTO event_batches (first_seq, count, body) VALUES (?, ?, ?)',
    );
    this.#seqOfKey = db.prepare<[bigint], number>('SELECT seq FROM event_ids WHERE id_key = ?').pluck();
    this.#insertKey = db.prepare<[bigint, number]>(
      'INSERT INTO event_ids (id_key, seq) VALUES (?, ?) ON CONFLICT DO NOTHING',
    );
    this.#seqOfSpilled = db.prepare<[string], number>('SELECT seq FROM event_id_spill WHERE event_id = ?').pluck();
    this.#insertSpilled = db.prepare<[string, number]>('INSERT INTO event_id_spill (event_id, seq) VALUES (?, ?)');
  }

  /** The seq of the last event stored (0 when none). */
  lastSeq(): number {
    const last = this.#lastBatch.get();
    return last ? last.first_seq + last.count - 1 : 0;
  }

  /** Opens a batch to be written in the current transaction, after the last stored event. */
  begin(): BatchWriter {
    return new BatchWriter(this, this.lastSeq() + 1);
  }

  /** The seq of the event with this id, stored or in `pending`; undefined when there is none. */
  seqOf(eventId: string, pending?: BatchWriter): number | undefined {
    return this.find(eventId, pending).seq;
  }

  /** The seq (as seqOf), and the key the id is (to be) stored under, for BatchWriter.add. */
  find(eventId: string, pending?: BatchWriter): { seq: number | undefined; key: bigint } {
    const key = idKey(eventId);
    const inPending = pending?.seqOf(eventId);
    if (inPending !== undefined) return { seq: inPending, key };
    const seq = this.#seqOfKey.get(key);
    if (seq === undefined || this.#idAt(seq, pending) === eventId) return { seq, key };
    return { seq: this.#seqOfSpilled.get(eventId), key };
  }

  /** The event stored at `seq`, or undefined. */
  eventAt(seq: number): NodeEvent | undefined {
    const body = this.#bodyAt(seq);
    return body === undefined ? undefined : (JSON.parse(body) as NodeEvent);
  }

  /** The events after seq `from`, in order, read a page of batches at a time. */
  *events(from = 0): Generator<{ seq: number; event: NodeEvent }> {
    let next = this.#batchAt.get(from + 1)?.first_seq ?? 0;
    for (;;) {
      const page = this.#batchesFrom.all(next, BATCHES_PER_PAGE);
      for (const [first, body] of page) {
        const bodies = decodeBatch(body);
        for (let i = 0; i < bodies.length; i++)
          if (first + i > from) yield { seq: first + i, event: JSON.parse(bodies[i]!) as NodeEvent };
      }
      const last = page.at(-1);
      if (last === undefined || page.length < BATCHES_PER_PAGE) return;
      next = last[0] + 1;
    }
  }

  /** Called by BatchWriter.commit, inside the transaction. */
  write(first: number, items: readonly PendingEvent[]): void {
    if (items.length === 0) return;
    for (let i = 0; i < items.length; i++) {
      const { eventId, key } = items[i]!;
      // Another id with the same key (about one chance in 2^64 a pair): that id keeps the key.
      if (this.#insertKey.run(key, first + i).changes === 0) this.#insertSpilled.run(eventId, first + i);
    }
    this.#insertBatch.run(first, items.length, encodeBatch(items.map((item) => item.body)));
  }

  #idAt(seq: number, pending: BatchWriter | undefined): string | undefined {
    const body = pending?.bodyAt(seq) ?? this.#bodyAt(seq);
    return body === undefined ? undefined : (JSON.parse(body) as NodeEvent).event_id;
  }

  #bodyAt(seq: number): string | undefined {
    const row = this.#batchAt.get(seq);
    if (!row) return undefined;
    let bodies = this.#decoded.get(row.first_seq);
    if (bodies) this.#decoded.delete(row.first_seq);
    else bodies = decodeBatch(row.body);
    this.#decoded.set(row.first_seq, bodies);
    if (this.#decoded.size > DECODED_KEPT) this.#decoded.delete(this.#decoded.keys().next().value!);
    return bodies[seq - row.first_seq];
  }
}

interface PendingEvent {
  eventId: string;
  key: bigint;
  body: string;
}

/** The events of one transaction, numbered from `first`, written as one batch by `commit`. */
export class BatchWriter {
  readonly #items: PendingEvent[] = [];
  readonly #seqById = new Map<string, number>();

  constructor(
    private readonly store: EventStore,
    readonly first: number,
  ) {}

  /** Adds the event (`key`: from EventStore.find); returns its seq. */
  add(eventId: string, body: string, key = idKey(eventId)): number {
    const seq = this.first + this.#items.length;
    this.#items.push({ eventId, key, body });
    this.#seqById.set(eventId, seq);
    return seq;
  }

  seqOf(eventId: string): number | undefined {
    return this.#seqById.get(eventId);
  }

  bodyAt(seq: number): string | undefined {
    return this.#items[seq - this.first]?.body;
  }

  commit(): void {
    this.store.write(this.first, this.#items);
  }
}
