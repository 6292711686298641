// Keeping in touch with the peers a node wants (those it trusts): at start, each is dialled at the
// addresses the journal kept; one that cannot be reached, or goes away, is dialled again after a
// growing, jittered wait (core/reach/network-config.ts, redialDelayMs). When this machine's network
// changes (an interface or address comes or goes: a laptop joins another Wi-Fi), every wait starts
// over and they are all dialled at once. The network is looked at only while a peer I want is
// away: with all of them connected, or none wanted, nothing here wakes the node.
import { networkInterfaces } from 'node:os';
import { redialDelayMs } from '../../core/reach/network-config.js';
import type { Reach } from './reach.js';

const DIAL_TIMEOUT_MS = 15_000;
const NETWORK_POLL_MS = 5000;

interface Wanted {
  addresses: string[];
  attempt: number;
  timer?: NodeJS.Timeout;
  dialling: boolean;
}

/** This machine's interfaces and addresses, as one string that changes when they do. */
function networkShape(): string {
  return Object.entries(networkInterfaces())
    .flatMap(([name, infos]) => (infos ?? []).filter((i) => !i.internal).map((i) => `${name}=${i.address}`))
    .sort()
    .join(',');
}

export class Redialer {
  readonly #wanted = new Map<string, Wanted>();
  #shape = networkShape();
  #poll: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly reach: Reach,
    private readonly connected: (peer: string) => boolean,
    private readonly log: (message: string) => void,
  ) {}

  /** Keep `peer` connected, dialling it at `addresses` (and whatever libp2p learned) when it is not. */
  private want(peer: string, addresses: string[]): void {
    const known = this.#wanted.get(peer);
    if (known) {
      known.addresses = addresses;
      return;
    }
    this.#wanted.set(peer, { addresses, attempt: 0, dialling: false });
    if (!this.connected(peer)) this.#schedule(peer, 0);
  }

  /** Keep exactly these peers connected (the ones I trust), each with the addresses known for it. */
  keep(peers: Array<[peer: string, addresses: string[]]>): void {
    const kept = new Set(peers.map(([peer]) => peer));
    for (const [peer, wanted] of this.#wanted)
      if (!kept.has(peer)) {
        clearTimeout(wanted.timer);
        this.#wanted.delete(peer);
      }
    for (const [peer, addresses] of peers) this.want(peer, addresses);
  }

  /** The peer connected (however): its backoff starts over. */
  connectedTo(peer: string): void {
    const wanted = this.#wanted.get(peer);
    if (!wanted) return;
    clearTimeout(wanted.timer);
    wanted.timer = undefined;
    wanted.attempt = 0;
  }

  /** The peer went away: dial it again soon. */
  disconnectedFrom(peer: string): void {
    const wanted = this.#wanted.get(peer);
    if (wanted && wanted.timer === undefined && !wanted.dialling)
      this.#schedule(peer, redialDelayMs(wanted.attempt++, Math.random()));
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#poll);
    for (const wanted of this.#wanted.values()) clearTimeout(wanted.timer);
  }

  #schedule(peer: string, delayMs: number): void {
    const wanted = this.#wanted.get(peer);
    if (!wanted || this.#stopped) return;
    clearTimeout(wanted.timer);
    wanted.timer = setTimeout(() => {
      wanted.timer = undefined;
      this.#dial(peer, wanted);
    }, delayMs);
    wanted.timer.unref();
    this.#watchNetwork();
  }

  /** Looks at the network every few seconds while a peer I want is not connected. */
  #watchNetwork(): void {
    if (this.#poll || this.#stopped) return;
    this.#poll = setTimeout(() => {
      this.#poll = undefined;
      this.#checkNetwork();
      if ([...this.#wanted.keys()].some((peer) => !this.connected(peer))) this.#watchNetwork();
    }, NETWORK_POLL_MS);
    this.#poll.unref();
  }

  #dial(peer: string, wanted: Wanted): void {
    if (this.#stopped || this.connected(peer) || wanted.dialling) return;
    wanted.dialling = true;
    this.reach
      .dial(peer, wanted.addresses, AbortSignal.timeout(DIAL_TIMEOUT_MS))
      .then(
        () => {
          wanted.attempt = 0;
        },
        (err: unknown) => {
          const delay = redialDelayMs(wanted.attempt++, Math.random());
          if (wanted.attempt === 1 || wanted.attempt % 5 === 0)
            this.log(
              `redial ${peer}: ${err instanceof Error ? err.message : String(err)}; next in ${Math.round(delay / 1000)} s`,
            );
          if (this.#wanted.get(peer) === wanted) this.#schedule(peer, delay);
        },
      )
      .finally(() => {
        wanted.dialling = false;
      });
  }

  #checkNetwork(): void {
    const shape = networkShape();
    if (shape === this.#shape) return;
    this.#shape = shape;
    this.log('the network changed: dialling the peers I trust again');
    for (const [peer, wanted] of this.#wanted) {
      wanted.attempt = 0;
      if (!this.connected(peer)) this.#schedule(peer, 0);
    }
  }
}
