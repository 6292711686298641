// The relay slots a node behind a NAT holds: one mechanism for every way trust comes and goes.
// libp2p's relay discovery judges a peer once, when it connects, so a slot depended on the order
// of things (trust set before or after connecting, the relay trusting me back, the relay finding
// itself reachable). Here the rule is checked again whenever any of them may have changed:
// - I hold a slot on up to RELAY_SLOTS.max peers that I trust, that I am connected to directly,
//   that speak the relay protocol and announce a public address, while I announce none;
// - a relay that refuses (it does not trust me yet, it does not relay yet, it is full) is asked
//   again, from RELAY_SLOTS.retryFirstMs doubling to retryMaxMs: nothing tells me when it changes;
// - a slot on a peer I no longer trust is let go (its connection closed: a slot lives on it), and
//   its address withdrawn at once.
// Checked again when my trust changes (any path: invite, the API's trust.set), when a peer is
// identified or its addresses or protocols change, when my addresses change, and when a slot is
// lost (its connection closed, a refresh refused).
import type { Libp2p, Peer, PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { describeError } from '../../core/errors.js';
import { addressKind, isReachable } from '../../core/reach/addresses.js';

const RELAY_HOP = '/libp2p/circuit/relay/0.2.0/hop';

const RELAY_SLOTS = {
  /** Two: a second relay keeps me reachable while the first is away. */
  max: 2,
  retryFirstMs: 2000,
  /** A refusal costs the relay one stream; a peer that starts to relay is found within this. */
  retryMaxMs: 30_000,
} as const;

interface Reservation {
  relay: PeerId;
  details: { type: string; reservation: { addrs: Uint8Array[] } };
}

/** The part of @libp2p/circuit-relay-v2's transport reservation store this uses. */
export interface RelayClient {
  addRelay(peer: PeerId, type: 'configured'): Promise<Reservation>;
  addEventListener(
    type: 'relay:created-reservation' | 'relay:removed',
    fn: (e: CustomEvent<Reservation>) => void,
  ): void;
}

/** libp2p's address manager, where a listener's addresses are confirmed as dialable. */
interface AddressConfirmer {
  confirmObservedAddr(address: Multiaddr, options: { type: 'transport' }): void;
  removeObservedAddr(address: Multiaddr): void;
}

/**
 * The relay transport's listener for '/p2p-circuit' (reach-config.ts puts it in place of the
 * transport's own, which would set its discovery looking for any relay): its addresses are those
 * of the slots RelaySlots holds, a relay's each, announced and withdrawn as they come and go.
 */
export class RelayListener extends EventTarget {
  readonly #byRelay = new Map<string, Multiaddr[]>();

  constructor(private readonly addressManager: AddressConfirmer) {
    super();
  }

  async listen(): Promise<void> {}

  getAddrs(): Multiaddr[] {
    return [...this.#byRelay.values()].flat();
  }

  updateAnnounceAddrs(): void {}

  async close(): Promise<void> {
    for (const relay of this.#byRelay.keys()) this.withdraw(relay);
    this.dispatchEvent(new CustomEvent('close'));
  }

  relays(): string[] {
    return [...this.#byRelay.keys()];
  }

  /** `relay`'s slot made or refreshed (a refresh may bring other addresses). */
  announce(relay: string, addresses: Multiaddr[]): void {
    for (const address of addresses) this.addressManager.confirmObservedAddr(address, { type: 'transport' });
    for (const old of this.#byRelay.get(relay) ?? [])
      if (!addresses.some((a) => a.equals(old))) this.addressManager.removeObservedAddr(old);
    this.#byRelay.set(relay, addresses);
    this.dispatchEvent(new CustomEvent('listening'));
  }

  withdraw(relay: string): void {
    const addresses = this.#byRelay.get(relay);
    if (!addresses) return;
    this.#byRelay.delete(relay);
    for (const address of addresses) this.addressManager.removeObservedAddr(address);
    this.dispatchEvent(new CustomEvent('listening'));
  }
}

export class RelaySlots {
  readonly #asking = new Set<string>();
  /** Relays that refused: the attempt count, and when to ask again. */
  readonly #refused = new Map<string, { attempts: number; at: number }>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #checking = false;
  #again = false;
  #stopped = false;

  constructor(
    private readonly libp2p: Libp2p,
    private readonly client: RelayClient,
    /** The relays I hold a slot on, and the addresses announced through each. */
    private readonly listener: RelayListener,
    private readonly trusts: (peer: string) => boolean,
    private readonly log: (message: string) => void = () => {},
  ) {}

  start(): void {
    this.client.addEventListener('relay:created-reservation', (e) => this.#announce(e.detail));
    this.client.addEventListener('relay:removed', (e) => {
      this.listener.withdraw(e.detail.relay.toString());
      this.#soon(0);
    });
    this.libp2p.addEventListener('peer:identify', (e) => this.consider(e.detail.peerId.toString()));
    // A peer's addresses or protocols changed (identify push: it became reachable, it began to relay).
    this.libp2p.addEventListener('peer:update', ({ detail: { peer, previous } }) => {
      if (previous === undefined || sameKnown(peer, previous)) return; // tags and metadata change too: not news
      this.consider(peer.id.toString());
    });
    this.libp2p.addEventListener('self:peer:update', () => this.#soon(0));
    this.#soon(0);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** The relays I hold a slot on now. */
  held(): string[] {
    return this.listener.relays();
  }

  /** My trust changed (in anyone): refusals are forgiven, and the rule checked again at once. */
  trustChanged(): void {
    this.#refused.clear();
    this.#soon(0);
  }

  /** `peer` connected or changed: asked again at once, whatever it answered before. */
  consider(peer: string): void {
    this.#refused.delete(peer);
    this.#soon(0);
  }

  #soon(ms: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#checkOnce(), ms);
    this.#timer.unref();
  }

  /** One check at a time (a second would count the same free slot twice); one asked for meanwhile runs after. */
  async #checkOnce(): Promise<void> {
    if (this.#checking) return void (this.#again = true);
    this.#checking = true;
    try {
      do {
        this.#again = false;
        await this.#check().catch((err: unknown) => this.log(`relay slots: ${describeError(err)}`));
      } while (this.#again && !this.#stopped);
    } finally {
      this.#checking = false;
    }
  }

  async #check(): Promise<void> {
    for (const relay of this.held()) if (!this.trusts(relay)) await this.#letGo(relay);
    // A refusal is remembered while the peer stays trusted and connected; a reconnect asks afresh.
    for (const peer of this.#refused.keys())
      if (!this.trusts(peer) || this.libp2p.getConnections(peerIdFromString(peer)).length === 0)
        this.#refused.delete(peer);
    const now = Date.now();
    let free = RELAY_SLOTS.max - this.held().length - this.#asking.size;
    // A node reachable from anywhere needs no relay: it takes no new slot (one it holds runs out).
    if (free > 0 && !isReachable(this.libp2p.getMultiaddrs().map(String)))
      for (const id of this.libp2p.getPeers()) {
        if (free === 0) break;
        const peer = id.toString();
        if ((this.#refused.get(peer)?.at ?? 0) > now || !(await this.#mayRelay(id, peer))) continue;
        free--;
        this.#ask(id, peer);
      }
    const next = Math.min(...[...this.#refused.values()].map((r) => r.at));
    if (Number.isFinite(next)) this.#soon(Math.max(0, next - Date.now()));
  }

  /**
   * A peer I trust, hold no slot on and am not asking, connected directly, that speaks the relay
   * protocol and announces a public address: a relay only one who can reach it can use, and a
   * peer with no public address relays for nobody (mode auto), so it is not asked again and again.
   */
  async #mayRelay(id: PeerId, peer: string): Promise<boolean> {
    if (this.held().includes(peer) || this.#asking.has(peer) || !this.trusts(peer)) return false;
    // A slot is asked for over a direct connection only (the relay refuses one asked over a relay).
    const direct = this.libp2p
      .getConnections(id)
      .some((c) => c.status === 'open' && addressKind(c.remoteAddr.toString()) !== 'relayed');
    if (!direct) return false;
    const known = await this.libp2p.peerStore.get(id).catch(() => undefined);
    if (!known?.protocols.includes(RELAY_HOP)) return false;
    return isReachable(known.addresses.map((a) => a.multiaddr.toString()));
  }

  #ask(id: PeerId, peer: string): void {
    this.#asking.add(peer);
    this.client
      .addRelay(id, 'configured')
      .then(
        // its addresses are announced by the store's event (#announce), as a refresh's are
        () => void this.#refused.delete(peer),
        (err: unknown) => {
          const attempts = (this.#refused.get(peer)?.attempts ?? 0) + 1;
          const wait = Math.min(RELAY_SLOTS.retryMaxMs, RELAY_SLOTS.retryFirstMs * 2 ** (attempts - 1));
          this.#refused.set(peer, { attempts, at: Date.now() + wait });
          // Said once a peer: a home that is not a relay refuses every time, and every 30 s.
          if (attempts === 1)
            this.log(
              `relay slot on ${peer} refused (${describeError(err)}); asking again, at most every ${RELAY_SLOTS.retryMaxMs / 1000} s`,
            );
        },
      )
      .finally(() => {
        this.#asking.delete(peer);
        this.#soon(0);
      });
  }

  /** A slot made or refreshed: its addresses announced (a refresh may bring new ones), unless I no longer trust the relay. */
  #announce({ relay, details }: Reservation): void {
    if (details.type !== 'configured') return;
    const peer = relay.toString();
    if (!this.trusts(peer)) {
      this.#letGo(peer).catch(() => {});
      return;
    }
    const addresses = details.reservation.addrs.map((bytes) => multiaddr(bytes).encapsulate('/p2p-circuit'));
    this.listener.announce(peer, addresses);
  }

  /**
   * Circuit Relay v2 has no message to give a slot back: the slot lives on the connection it was
   * asked on, so the connection is closed (the store forgets the slot with it). The address goes
   * at once, whatever the close does.
   */
  async #letGo(peer: string): Promise<void> {
    this.listener.withdraw(peer);
    this.log(`relay slot on ${peer} let go: no longer trusted`);
    await this.libp2p.hangUp(peerIdFromString(peer)).catch(() => {});
  }
}

/** Whether two peer store records name the same protocols and addresses. */
function sameKnown(a: Peer, b: Peer): boolean {
  const key = (p: Peer) =>
    [...p.protocols].sort().join(' ') +
    '|' +
    p.addresses
      .map((x) => x.multiaddr.toString())
      .sort()
      .join(' ');
  return key(a) === key(b);
}
