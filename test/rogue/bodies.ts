// Message bodies as docs/PROTOCOL.md describes them (Vocabulary; "Messages"), valid unless an
// attack bends them: the rogue's own commitment and its offer for one of T's units.
import { offerGroupsOf } from '../../src-main/core/protocol/messages.js';
import type { Offer } from '../../src-main/core/schemas/index.js';
import { NO_RECORD } from '../core/scheduler-fixtures.js';
import type { Arena } from './arena.js';

/** The one slot a rogue's commitment offers. */
export const ROGUE_SLOT = 'r';

export function commitmentOf(peer: string, trust: Record<string, number>, clock = 1): Record<string, unknown> {
  const now = Date.now();
  return {
    peer_id: peer,
    availability_slots: [
      {
        slot_id: ROGUE_SLOT,
        start_time: new Date(now - 1000).toISOString(),
        end_time: new Date(now + 3600_000).toISOString(),
        resources: { cpu_cores: 8, ram_gb: 8 },
        algorithms: [],
        priority: 1,
      },
    ],
    work_requests: [],
    trust_weights: trust,
    ...NO_RECORD,
    timestamp: new Date(now).toISOString(),
    vector_clock: { [peer]: clock },
  };
}

let offers = 0;

/** An offer of R's for T's open unit, with fresh id; `overrides` bend it. */
export function offerFor(arena: Arena, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  const n = ++offers;
  return {
    offer_id: `${arena.rogue.peerId}#900.${n}`,
    round: 900,
    unit_id: arena.openUnitId,
    job_id: arena.openJobId,
    requester_peer: arena.t.node.peerId,
    provider_peer: arena.rogue.peerId,
    slot_id: ROGUE_SLOT,
    tier: 1,
    price: 10,
    estimated_seconds: 1,
    performance_score: 1,
    expected_start: new Date(now).toISOString(),
    expected_end: new Date(now + 1000).toISOString(),
    timestamp: new Date(now).toISOString(),
    ...overrides,
  };
}

/** An `offers` body carrying these offers (bent or not), grouped by their terms as a node sends them. */
export function offersBody(...bodies: Record<string, unknown>[]): { groups: unknown[] } {
  return { groups: offerGroupsOf(bodies as unknown as Offer[]) };
}

/** The offers T lists for its open unit. */
export async function listedOffers(arena: Arena): Promise<{ offer_id: string; provider: string }[]> {
  const { offers: listed } = await arena.t.api['offers.list']({ job_id: arena.openJobId });
  return listed;
}
