// The algorithm a provider with Blender advertises: `blender-cycles/<major.minor>`. Units of a job
// go only to providers whose Blender has the requester's major.minor (patch releases render alike).
// A provider renders Blender scenes only when its user turned that on, and then only for peers it
// trusts at or above the threshold it set (`blender_sharing`, `blender_min_trust` in its settings).
import * as z from '../schemas/zod.js';
import { Fraction } from '../schemas/primitives.js';
import type { ComputeCommitment } from '../schemas/commitment.js';

const BLENDER_ALGORITHM_PREFIX = 'blender-cycles/';

export function blenderAlgorithm(version: readonly number[]): string {
  return `${BLENDER_ALGORITHM_PREFIX}${version[0]}.${version[1]}`;
}

export function isBlenderAlgorithm(algorithmId: string): boolean {
  return algorithmId.startsWith(BLENDER_ALGORITHM_PREFIX);
}

/** What `status` says of Blender: the settings, and whether this node can render (`probing` until it knows). */
export const BlenderStatusSchema = z.strictObject({
  sharing: z.boolean(),
  min_trust: Fraction,
  state: z.enum(['off', 'probing', 'ready', 'unavailable']),
  /** The algorithm advertised, when ready. */
  algorithm: z.nullable(z.string().check(z.maxLength(64))),
  /** Why not, when unavailable. */
  reason: z.nullable(z.string().check(z.maxLength(1024))),
});
export type BlenderStatus = z.output<typeof BlenderStatusSchema>;

/** What decides whether I render one Blender unit for a requester. */
export interface BlenderGate {
  sharing: boolean;
  minTrust: number;
  /** My trust weight in the requester; 0 once a check convicted it. */
  trust: number;
  /** The algorithm my Blender renders, or undefined when I have none that works in the sandbox. */
  mine: string | undefined;
}

/**
 * The gate of a requester whose effective trust is `trust` (0 once a check convicted it), from my
 * settings and the Blender I render with (`mine`), if any.
 */
export function blenderGateOf(
  settings: { blender_sharing: boolean; blender_min_trust: number },
  trust: number,
  mine: string | undefined,
): BlenderGate {
  return { sharing: settings.blender_sharing, minTrust: settings.blender_min_trust, trust, mine };
}

/** Why I refuse a unit of `algorithmId` (a Blender one) from this requester, or undefined. */
export function blenderUnitRefusal(algorithmId: string, gate: BlenderGate): string | undefined {
  if (!gate.sharing) return 'I do not render Blender scenes for others';
  if (gate.trust < gate.minTrust)
    return `I render Blender scenes only for peers I trust at ${gate.minTrust} or more (you: ${gate.trust})`;
  if (gate.mine === undefined) return 'I have no Blender that runs in the sandbox';
  if (gate.mine !== algorithmId) return `my Blender renders ${gate.mine}, not ${algorithmId}`;
  return undefined;
}

/** A peer that can render my Blender units: its largest slot's cores that render them. */
export interface BlenderPeer {
  peer_id: string;
  cores: number;
}

/**
 * The peers whose commitments advertise `algorithm` (their Blender sharing is on and their Blender
 * has my major.minor) and trust me, among those `trusted` (I trust them: my units go to them). What
 * trust each asks of a requester it keeps to itself: a unit may still be refused, saying why.
 */
export function blenderPeers(
  commitments: Iterable<[string, ComputeCommitment]>,
  me: string,
  algorithm: string,
  trusted: (peer: string) => boolean,
): BlenderPeer[] {
  return peersAdvertising(commitments, me, trusted, (id) => id === algorithm);
}

/**
 * The peers, among those `trusted`, whose commitments advertise any Blender algorithm and trust
 * me: those a requester without Blender may ask to read its scene
 * (node/mesh/requester/remote-preflight.ts), the largest first (the cores of their largest slot
 * that renders Blender).
 */
export function blenderSharers(
  commitments: Iterable<[string, ComputeCommitment]>,
  me: string,
  trusted: (peer: string) => boolean,
): string[] {
  return peersAdvertising(commitments, me, trusted, isBlenderAlgorithm)
    .sort((a, b) => b.cores - a.cores)
    .map((peer) => peer.peer_id);
}

function peersAdvertising(
  commitments: Iterable<[string, ComputeCommitment]>,
  me: string,
  trusted: (peer: string) => boolean,
  advertised: (algorithmId: string) => boolean,
): BlenderPeer[] {
  const peers: BlenderPeer[] = [];
  for (const [peer, commitment] of commitments) {
    if (peer === me || !(commitment.trust_weights[me]! > 0) || !trusted(peer)) continue;
    const cores = Math.max(
      0,
      ...commitment.availability_slots
        .filter((slot) => slot.algorithms.some((a) => advertised(a.algorithm_id) && a.supported))
        .map((slot) => slot.resources.cpu_cores),
    );
    if (cores > 0) peers.push({ peer_id: peer, cores });
  }
  return peers;
}
