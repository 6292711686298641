// Invites, both sides. The inviter makes a code (node/invites/code.ts) naming its addresses now,
// relayed ones included, and keeps the invite (node/invites/store.ts); the invited node checks the
// code, dials the inviter (directly, through its relay, then maybe hole punching), proves the
// secret (/mesh/1/invite/1.0.0), and on the inviter's yes trusts it at the weight its person
// chose, as the inviter trusts it at the weight chosen when inviting. The inviter's person hears
// of it (`invite.accepted`: the event feed, a desktop notification).
import type { ApiEvent, ApiEventType, MethodResult } from '../../../core/api/contract.js';
import { describeError } from '../../../core/errors.js';
import { inviteAddresses, isReachable } from '../../../core/reach/addresses.js';
import { INVITE_LIMITS, type RedeemReply, type RedeemRequest } from '../../../core/reach/invite.js';
import { ApiError } from '../../api/errors.js';
import type { Identity } from '../../identity/identity.js';
import { decodeInvite, encodeInvite, InviteError } from '../../invites/code.js';
import { InviteStore } from '../../invites/store.js';
import type { Reach } from '../../p2p/index.js';
import type { NewEvent } from '../context/node-context.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { Circles } from '../../circles/index.js';

const DIAL_TIMEOUT_MS = 20_000;
const REDEEM_TIMEOUT_MS = 10_000;

export interface InviteDeps {
  dataDir: string;
  identity: Identity;
  name: string;
  reach: Reach;
  record(events: NewEvent[]): Promise<void>;
  emit(type: ApiEventType, data: ApiEvent['data']): void;
  /** My trust in `peer` (0: none). */
  trustIn(peer: string): number;
  /** The addresses the journal keeps for `peer` (identify told them). */
  addressesOf(peer: string): string[];
  /** Trust changed: follow, republish, keep the peer connected (redial), relay slots (MeshNode.followTrusted). */
  trusted(): void;
  /** My circles: an invite may carry a membership, proposed (with my approval) when it is redeemed. */
  circles: Pick<Circles, 'isMember' | 'propose' | 'vote' | 'me'>;
  log(message: string): void;
}

/** What of a node its invites read: MeshNode's own members. */
export interface InvitingNode {
  identity: Identity;
  circles: InviteDeps['circles'];
  state: Pick<MeshState, 'myTrustIn' | 'peers'>;
  options: { dataDir: string; name?: string };
  record(events: NewEvent[]): Promise<void>;
  emit(type: ApiEventType, data: ApiEvent['data']): void;
  followTrusted(): void;
  publishSoon(): void;
}

export class Invites {
  readonly #store: InviteStore;

  constructor(private readonly deps: InviteDeps) {
    this.#store = new InviteStore(deps.dataDir);
  }

  /** A node's invites, in its data dir, under its name (the end of its peer id when it has none). */
  static of(node: InvitingNode, reach: Reach, log: (message: string) => void): Invites {
    const { identity, state, options } = node;
    return new Invites({
      dataDir: options.dataDir,
      identity,
      name: options.name ?? identity.peerId.slice(-8),
      reach,
      record: (events) => node.record(events),
      emit: (type, data) => node.emit(type, data),
      trustIn: (peer) => state.myTrustIn(peer),
      addressesOf: (peer) => state.peers.get(peer)?.addresses ?? [],
      trusted: () => (node.followTrusted(), node.publishSoon()),
      circles: node.circles,
      log,
    });
  }

  async create(trust: number, expiresSeconds: number, circle?: string): Promise<MethodResult<'invites.create'>> {
    const { identity, reach } = this.deps;
    if (circle !== undefined && !this.deps.circles.isMember(circle, identity.peerId))
      throw new ApiError('bad_request', `circle ${circle}: you are not a member of it (meshctl circle list)`);
    const now = Date.now();
    const addrs = inviteAddresses(reach.addresses(), identity.peerId, INVITE_LIMITS.addresses);
    const { record, secret } = this.#store.create(trust, expiresSeconds, now, circle);
    const code = await encodeInvite(
      {
        v: 1,
        peer: identity.peerId,
        addrs,
        id: record.id,
        secret,
        expires: Math.floor(Date.parse(record.expires_at) / 1000),
        name: this.deps.name.slice(0, INVITE_LIMITS.nameChars),
      },
      identity,
    );
    return {
      code,
      invite_id: record.id,
      expires_at: record.expires_at,
      addresses: addrs,
      reachable: isReachable(addrs) || addrs.some((a) => a.includes('/p2p-circuit')),
    };
  }

  list(): MethodResult<'invites.list'> {
    const now = Date.now();
    return {
      invites: this.#store.list().map((r) => ({
        invite_id: r.id,
        trust: r.trust,
        created_at: r.created_at,
        expires_at: r.expires_at,
        state: r.accepted_by !== null ? 'accepted' : Date.parse(r.expires_at) <= now ? 'expired' : 'pending',
        accepted_by: r.accepted_by,
      })),
    };
  }

  async accept(code: string, trust: number): Promise<MethodResult<'invites.accept'>> {
    const { identity, reach } = this.deps;
    let invite;
    try {
      invite = await decodeInvite(code, Date.now());
    } catch (err) {
      if (err instanceof InviteError)
        throw new ApiError(err.code === 'expired' ? 'conflict' : 'bad_request', err.message);
      throw err;
    }
    if (invite.peer === identity.peerId) throw new ApiError('bad_request', 'this is an invite of your own node');
    try {
      await reach.dial(invite.peer, invite.addrs, AbortSignal.timeout(DIAL_TIMEOUT_MS));
    } catch (err) {
      const where = invite.addrs.length > 0 ? invite.addrs.join(', ') : 'no address (the code has none)';
      throw new ApiError('unavailable', `could not reach the inviter at ${where}: ${describeError(err)}`);
    }
    const request: RedeemRequest = {
      v: 1,
      id: invite.id,
      secret: invite.secret,
      name: this.deps.name.slice(0, INVITE_LIMITS.nameChars),
    };
    let reply: RedeemReply;
    try {
      reply = await reach.redeem(invite.peer, request, AbortSignal.timeout(REDEEM_TIMEOUT_MS));
    } catch (err) {
      throw new ApiError('unavailable', `the inviter did not answer: ${describeError(err)}`);
    }
    if (!reply.ok)
      throw new ApiError(
        reply.code === 'bad_request' ? 'bad_request' : 'conflict',
        `the inviter refused: ${reply.message} (${reply.code})`,
      );
    const name = reply.name ?? invite.name;
    // This node accepted the code before (the inviter says when): done already, and said so, unless
    // it does not trust the inviter now (the first reply was lost, or the trust was set to 0 since).
    const trusted = this.deps.trustIn(invite.peer);
    if (reply.accepted_at !== undefined && trusted > 0)
      throw new ApiError(
        'conflict',
        `this node accepted this invite already, at ${reply.accepted_at}: you and ${name ?? invite.peer} trust each other (you at ${trusted}; trust set changes it)`,
      );
    await this.deps.record([
      { type: 'peer.seen', peer_id: invite.peer, ...(name !== undefined ? { name } : {}), addresses: invite.addrs },
      { type: 'trust.set', peer_id: invite.peer, weight: trust },
    ]);
    this.deps.emit('trust.changed', { peer_id: invite.peer, weight: trust });
    this.deps.trusted();
    return { peer_id: invite.peer, name: name ?? null, link: reach.link(invite.peer) };
  }

  /** Whoever redeemed an invite that carries a circle is proposed as its member, with my approval. */
  async #proposeMember(circle: string, peer: string, name: string | undefined): Promise<void> {
    const { circles } = this.deps;
    try {
      const who = name ?? peer;
      const proposal = await circles.propose(circle, { add_members: [peer] }, `${who} accepted an invite to join`);
      await circles.vote(circle, proposal.cid, 'approve');
    } catch (err) {
      this.deps.log(`proposing ${peer} as a member of circle ${circle}: ${describeError(err)}`);
    }
  }

  /** The inviter's side of /mesh/1/invite/1.0.0. */
  readonly redeem = async (peer: string, request: RedeemRequest): Promise<RedeemReply> => {
    if (peer === this.deps.identity.peerId) return { ok: false, code: 'bad_request', message: 'an invite of my own' };
    const decision = this.#store.redeem(request.id, request.secret, peer, Date.now());
    if (!decision.ok) return { ok: false, code: decision.code, message: decision.message };
    if (!decision.again) {
      const weight = decision.trust ?? 0;
      await this.deps.record([
        ...(request.name !== undefined
          ? [{ type: 'peer.seen' as const, peer_id: peer, name: request.name, addresses: this.deps.addressesOf(peer) }]
          : []),
        { type: 'trust.set', peer_id: peer, weight },
      ]);
      this.deps.emit('trust.changed', { peer_id: peer, weight });
      this.deps.emit('invite.accepted', { peer, invite_id: request.id, weight, name: request.name ?? null });
      this.deps.trusted();
      if (decision.circle !== undefined) await this.#proposeMember(decision.circle, peer, request.name);
    }
    const name = this.deps.name.slice(0, INVITE_LIMITS.nameChars);
    return decision.again ? { ok: true, name, accepted_at: decision.accepted_at } : { ok: true, name };
  };
}
