// The simulator's bookkeeping of a million units in typed arrays: per unit its state and wants,
// per result (a vote slot, `perUnit` of them for each unit) who computed it, what it says, whether
// a check covered it and whether its escrow is closed. Outputs are small codes; the strings
// judgeUnit compares are made only when it is asked.

export const PENDING = 255;
/** A result's output: the truth, the colluders' shared wrong output, a liar's own wrong output. */
export const TRUE = 0;
export const SHARED_LIE = 1;
export const OWN_LIE = 2;

/** A unit's state: not handed out yet, open (waiting for results or a judgement), accepted. */
export const OPEN = 1;
export const ACCEPTED = 2;

export class UnitTable {
  // Per unit.
  readonly state: Uint8Array;
  readonly wanted: Uint8Array;
  readonly nVotes: Uint8Array;
  /** Assignments the unit has had, all told (beyond r: replicas and recomputations). */
  readonly assigned: Uint16Array;
  readonly suspect: Uint8Array;
  readonly truthKnown: Uint8Array;
  readonly wrongAccepted: Uint8Array;
  // Per vote slot (unit * perUnit + k).
  readonly id: Int32Array;
  /** The assignment's serial: its offer and assignment id is `o<serial>`, its result id `<serial>`. */
  readonly serial: Int32Array;
  readonly out: Uint8Array;
  /** 0 unchecked, 1 matched the truth, -1 contradicted it. */
  readonly checked: Int8Array;
  /** 0 held in escrow, 1 paid, 2 refunded (or thrown out after it was paid). */
  readonly closed: Uint8Array;

  constructor(
    units: number,
    readonly perUnit: number,
  ) {
    this.state = new Uint8Array(units);
    this.wanted = new Uint8Array(units);
    this.nVotes = new Uint8Array(units);
    this.assigned = new Uint16Array(units);
    this.suspect = new Uint8Array(units);
    this.truthKnown = new Uint8Array(units);
    this.wrongAccepted = new Uint8Array(units);
    const size = units * perUnit;
    this.id = new Int32Array(size);
    this.serial = new Int32Array(size);
    this.out = new Uint8Array(size);
    this.checked = new Int8Array(size);
    this.closed = new Uint8Array(size);
  }

  first(unit: number): number {
    return unit * this.perUnit;
  }

  end(unit: number): number {
    return unit * this.perUnit + this.nVotes[unit]!;
  }

  /** A new assignment of the unit to identity `id`; its result is pending. */
  add(unit: number, id: number, serial: number): void {
    if (this.nVotes[unit]! >= this.perUnit) throw new Error(`unit ${unit}: more than ${this.perUnit} results`);
    const k = this.end(unit);
    this.nVotes[unit]!++;
    this.id[k] = id;
    this.serial[k] = serial;
    this.out[k] = PENDING;
    this.checked[k] = 0;
    this.closed[k] = 0;
  }

  /** The slot of a result of this unit, by its result id. */
  find(unit: number, resultId: string): number {
    const serial = Number(resultId);
    for (let k = this.first(unit); k < this.end(unit); k++) if (this.serial[k] === serial) return k;
    throw new Error(`unit ${unit} has no result ${resultId}`);
  }

  /** Whether an accepted unit stands on a paid result of this identity that no check covered. */
  reliedOn(unit: number, id: number): boolean {
    for (let k = this.first(unit); k < this.end(unit); k++)
      if (this.id[k] === id && this.checked[k] === 0 && this.closed[k] === 1) return true;
    return false;
  }

  /** Drops the results `drops` picks, after `close` has seen each; the others keep their order. */
  compact(unit: number, drops: (k: number) => boolean, close: (k: number) => void): void {
    let kept = this.first(unit);
    for (let k = kept; k < this.end(unit); k++) {
      if (drops(k)) {
        close(k);
        continue;
      }
      if (kept !== k) {
        this.id[kept] = this.id[k]!;
        this.serial[kept] = this.serial[k]!;
        this.out[kept] = this.out[k]!;
        this.checked[kept] = this.checked[k]!;
        this.closed[kept] = this.closed[k]!;
      }
      kept++;
    }
    this.nVotes[unit] = kept - this.first(unit);
  }
}

/** A unit's true output: a deterministic function of its index. */
export function trueHash(unit: number): string {
  return `t${unit}`;
}

/** The hash a result carries: the truth, the colluders' wrong output for the unit, or a liar's own. */
export function outputHash(unit: number, out: number, id: number): string {
  if (out === TRUE) return trueHash(unit);
  return out === SHARED_LIE ? `c${unit}` : `w${unit}.${id}`;
}

/** A queue of unit numbers, oldest first. */
export class Fifo {
  #items: number[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: number): void {
    this.#items.push(item);
  }

  shift(): number {
    const item = this.#items[this.#head++]!;
    if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
