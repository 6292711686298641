// My commitment: what I offer (slots) and ask for (work requests: a few units of each job and how
// many it has open, which providers pull), throttled. My topic carries the work requests of my jobs
// open to strangers only. Each connected peer that I trust and that trusts
// me (so follows me) gets all of them, my whole commitment sent directly, whenever they changed
// since it last took them. A peer I trust whose trust in me I have not heard (its topic may never
// reach me: gossip can lose a peer after a reconnection) gets it once when it connects or my trust
// in it changes: if it follows me, it answers with its own. The topics I follow are following.ts's.
import { commitmentTopic } from '../../../core/protocol/messages.js';
import {
  type AvailabilitySlot,
  type ComputeCommitment,
  type ContributionFields,
  type WorkRequest,
} from '../../../core/schemas/index.js';
import type { MeshNetwork } from '../../p2p/index.js';
import { iso, type NodeContext } from '../context/node-context.js';
import { trustInMe } from './following.js';
import { RoundTimer } from '../basics/round-timer.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type CommitmentNeeds = Pick<NodeContext, 'background' | 'commitments' | 'events' | 'me' | 'now' | 'send' | 'state'>;

const PUBLISH_INTERVAL_MS = 250;
/**
 * A peer that took my work requests for the same jobs hears of their listed units and counts
 * moving on at most this often: it pulls what it needs, and every verdict changes them (a direct
 * commitment, signed, checked and answered, four times a second in the event_loop benchmark).
 */
const SAME_JOBS_RESEND_MS = 2_000;

export interface CommitmentSource {
  slots(): AvailabilitySlot[];
  /** For the peers I trust, every job's; for anyone, those of jobs open to strangers. */
  workRequests(audience: 'trusted' | 'strangers'): WorkRequest[];
  /** My contribution history and damping (the provider's). */
  contribution(): ContributionFields;
  /** After each publication (the provider's round follows the commitments). */
  published(): void;
}

/** What a peer checks to tell whether my work requests changed: jobs, their listed units and open counts, not the times. */
interface Fingerprint {
  jobs: string;
  units: string;
}

function fingerprint(requests: readonly WorkRequest[]): Fingerprint {
  return {
    jobs: requests.map((r) => r.job_id).join(';'),
    units: requests.map((r) => `${r.open_units}:${r.work_units.map((u) => u.unit_id).join(',')}`).join(';'),
  };
}

function sameRequests(a: Fingerprint, b: Fingerprint): boolean {
  return a.jobs === b.jobs && a.units === b.units;
}

export class CommitmentPublisher {
  readonly #publications = new RoundTimer(PUBLISH_INTERVAL_MS, 5, () =>
    this.ctx.background('publishing my commitment failed', this.#publish()),
  );
  #againTimer: NodeJS.Timeout | undefined;
  #clock = 0;
  /** The work requests (fingerprint) each trusted peer last took from me directly, and when I sent them. */
  readonly #taken = new Map<string, { print: Fingerprint; at: number }>();
  /** Peers a direct commitment is on its way to: one at a time each. */
  readonly #sending = new Set<string>();
  /** Trusted peers that get my commitment at my next publication, whatever I know of their trust in me. */
  readonly #introducing = new Set<string>();
  /** The fingerprint of my latest work requests. */
  #latest: Fingerprint = { jobs: '', units: '' };

  constructor(
    private readonly ctx: CommitmentNeeds,
    private readonly network: MeshNetwork,
    private readonly source: CommitmentSource,
  ) {
    ctx.events.on('peer.connected', (peer) => this.resend(peer)); // it may have lost what it took (a restart)
    ctx.events.on('commitment.changed', (newJob) => this.soon(newJob));
  }

  /**
   * `peer` gets my whole commitment at my next publication, whatever it took before and whatever I
   * know of its trust in me, if I trust it (it connected, its trust in me or mine in it changed).
   */
  resend(peer: string): void {
    this.#taken.delete(peer);
    this.#introducing.add(peer);
    this.soon();
  }

  /**
   * Publishes my commitment soon: at once when the last one went out a while ago, else when
   * PUBLISH_INTERVAL_MS has passed since it: sending one per result would spend the CPU on signing
   * and validating what barely changed. `now` (a new job) publishes at the end of this turn: its
   * first units would otherwise wait out up to 250 ms of the interval before a provider heard of them.
   */
  soon(now = false): void {
    this.#publications.soon(now);
  }

  stop(): void {
    this.#publications.stop();
    clearTimeout(this.#againTimer);
  }

  /** A publication `ms` from now, whatever is published meanwhile (a change sooner goes sooner). */
  #publishAgainIn(ms: number): void {
    if (this.#againTimer) return;
    this.#againTimer = setTimeout(() => {
      this.#againTimer = undefined;
      this.soon();
    }, ms);
  }

  async #publish(): Promise<void> {
    this.#clock++;
    const { state, me } = this.ctx;
    const commitment: ComputeCommitment = {
      peer_id: me,
      availability_slots: this.source.slots(),
      work_requests: this.source.workRequests('trusted'),
      trust_weights: Object.fromEntries(
        [...state.trust].filter(([, t]) => t.weight > 0).map(([peer, t]) => [peer, t.weight]),
      ),
      ...this.source.contribution(),
      timestamp: iso(this.ctx.now()),
      vector_clock: { [me]: this.#clock },
    };
    await this.network.publish(commitmentTopic(me), 'commitment', {
      ...commitment,
      work_requests: this.source.workRequests('strangers'),
    });
    this.#sendToTrusted(commitment);
    this.source.published();
  }

  /**
   * My whole commitment, directly, to each connected peer that I trust and whose commitment says it
   * trusts me, unless it took these work requests already.
   */
  #sendToTrusted(commitment: ComputeCommitment): void {
    const { me, state, commitments } = this.ctx;
    this.#latest = fingerprint(commitment.work_requests);
    const connected = new Set(this.network.connectedPeers());
    const trusted = new Set(
      [...state.trust]
        .filter(
          ([peer, t]) =>
            t.weight > 0 &&
            connected.has(peer) &&
            (trustInMe(commitments.get(peer), me) > 0 || this.#introducing.has(peer)),
        )
        .map(([peer]) => peer),
    );
    this.#introducing.clear();
    for (const peer of this.#taken.keys()) if (!trusted.has(peer)) this.#taken.delete(peer);
    const nowMs = this.ctx.now();
    for (const peer of trusted) {
      const taken = this.#taken.get(peer);
      if (this.#sending.has(peer) || (taken && sameRequests(taken.print, this.#latest))) continue;
      if (taken?.print.jobs === this.#latest.jobs && nowMs - taken.at < SAME_JOBS_RESEND_MS) {
        this.#publishAgainIn(taken.at + SAME_JOBS_RESEND_MS - nowMs); // then it hears how they moved on
        continue;
      }
      this.#sending.add(peer);
      this.ctx.background(`sending my commitment to ${peer}`, this.#send(peer, commitment, this.#latest, nowMs));
    }
  }

  /** A peer that follows me answers `ack`; until it does, it gets my commitment at every publication. */
  async #send(peer: string, commitment: ComputeCommitment, print: Fingerprint, at: number): Promise<void> {
    const reply = await this.ctx.send(peer, 'commitment', commitment); // never throws
    this.#sending.delete(peer);
    if (reply?.type !== 'ack') {
      this.#taken.delete(peer);
      return;
    }
    this.#taken.set(peer, { print, at });
    // They changed while this one travelled: at once if a job came.
    if (!sameRequests(print, this.#latest)) this.soon(print.jobs !== this.#latest.jobs);
  }
}
