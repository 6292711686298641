// A scene's preflight read by a peer (docs/BLENDER.md, "A requester without Blender: the
// preflight"): a requester with no Blender of its own asks a provider sharing Blender to read the
// scene in its sandbox. The two bodies on the wire (`blender_preflight` and its reply
// `blender_report`, core/protocol/messages.ts), and the requester's reading of a reply: checked
// against the schema, its algorithm that of the Blender that read it, and judged by the same rules
// as a preflight of my own (judgePreflight), never by the provider's word on what it means.
import * as z from '../schemas/zod.js';
import { validate } from '../schemas/decode.js';
import { Id } from '../schemas/primitives.js';
import { blenderAlgorithm } from './algorithm.js';
import { judgePreflight, PreflightReport, type PreflightVerdict } from './preflight.js';
import { BlendName, MAX_BLENDER_SCENE_BYTES } from './unit.js';

/**
 * Requester → provider: read my scene. It is a blob of mine (`cid`, `bytes` long, at most the scene
 * cap), which the provider fetches from me; `file` and `zip` as a job names its scene.
 */
export const BlenderPreflightRequestSchema = z.strictObject({
  cid: Id,
  bytes: z.int().check(z.minimum(0), z.maximum(MAX_BLENDER_SCENE_BYTES)),
  file: BlendName,
  zip: z.boolean(),
});
export type BlenderPreflightRequest = z.output<typeof BlenderPreflightRequestSchema>;

const Reason = z.string().check(z.minLength(1), z.maxLength(1024));
const BlenderAlgorithmId = z.string().check(z.regex(/^blender-cycles\/\d{1,4}\.\d{1,4}$/));

/** Provider → requester, the reply: the report and the algorithm of the Blender that read it, or why not. */
export const BlenderReportSchema = z.union([
  z.strictObject({ report: PreflightReport, algorithm: BlenderAlgorithmId }),
  /** Not read for this requester (sharing off, its trust, no Blender, busy, the scene not fetched): ask another. */
  z.strictObject({ refused: Reason }),
  /** Read, and Blender could not load it (or its report is too large to send): the scene's own fault. */
  z.strictObject({ unreadable: Reason }),
]);
export type BlenderReportBody = z.output<typeof BlenderReportSchema>;

/** A scene read: by my own Blender (`by` null) or by the peer `by`; or why it was not. */
export type SceneRead =
  | { ok: true; report: PreflightReport; verdict: PreflightVerdict; algorithm: string; by: string | null }
  | { ok: false; reason: string };

/** What a peer's reply to `blender_preflight` tells: the scene read, the scene unreadable, or nothing (ask another). */
export type PeerReading =
  | { kind: 'read'; report: PreflightReport; verdict: PreflightVerdict; algorithm: string }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'refused'; reason: string };

/** A peer's reply (undefined: none came), checked and judged here. */
export function readPeerReply(reply: { type: string; body: unknown } | undefined): PeerReading {
  if (reply === undefined) return { kind: 'refused', reason: 'no answer' };
  if (reply.type !== 'blender_report') return { kind: 'refused', reason: `answered ${reply.type}, not blender_report` };
  const checked = validate(BlenderReportSchema, reply.body);
  if (!checked.ok)
    return { kind: 'refused', reason: `its report is malformed: ${checked.error.message.slice(0, 300)}` };
  const body = checked.value;
  if ('refused' in body) return { kind: 'refused', reason: body.refused };
  if ('unreadable' in body) return { kind: 'unreadable', reason: body.unreadable };
  const { report, algorithm } = body;
  if (algorithm !== blenderAlgorithm(report.blender))
    return {
      kind: 'refused',
      reason: `it names ${algorithm}, but its report was read by Blender ${report.blender.join('.')}`,
    };
  return { kind: 'read', report, verdict: judgePreflight(report), algorithm };
}
