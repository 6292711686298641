// Circles I do not hold yet, on their way to me: a founding that names me, or the log of a circle
// whose members voted me in (by a proposal, an accepted invite's among them). Their entries, from
// peers I trust only, are kept here until they show me a member (the log resolved as any member
// resolves it); then I join with all of them. Bounded: a few circles, each up to a circle's most.
import {
  MAX_CIRCLE_ENTRIES,
  resolveCircle,
  type Genesis,
  type LoggedEntry,
  type SignedEntry,
} from '../../core/circles/index.js';

/** A checked entry: its CID and entry, and the signed form it travels in. */
export interface CheckedEntry {
  logged: LoggedEntry;
  signed: SignedEntry;
}

/** Circles kept on their way at once; the oldest is dropped for a new one. */
const MAX_PENDING = 8;

export class Joining {
  readonly #pending = new Map<string, Map<string, CheckedEntry>>();

  constructor(
    private readonly me: () => string,
    private readonly now: () => number,
  ) {}

  /**
   * Keeps `entries` of `circle` (checked, sent by a peer I trust); returns the whole log, its
   * founding first, once it makes me a member, and forgets it.
   */
  take(circle: string, entries: readonly CheckedEntry[]): CheckedEntry[] | undefined {
    let held = this.#pending.get(circle);
    if (held === undefined) {
      if (this.#pending.size >= MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value!);
      held = new Map();
      this.#pending.set(circle, held);
    }
    for (const e of entries) if (held.size < MAX_CIRCLE_ENTRIES) held.set(e.logged.cid, e);
    const genesis = held.get(circle);
    if (genesis?.logged.entry.kind !== 'genesis') return undefined;
    const logged = [...held.values()].map((e) => e.logged);
    const { members } = resolveCircle(genesis.logged as LoggedEntry<Genesis>, logged, this.now());
    if (!members.includes(this.me())) return undefined;
    this.#pending.delete(circle);
    return [genesis, ...[...held.values()].filter((e) => e !== genesis)];
  }
}
