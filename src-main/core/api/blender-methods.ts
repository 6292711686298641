// The API's Blender methods (docs/BLENDER.md), a part of its contract (contract.ts spreads them
// into API_METHODS): whether this node has Blender and its sandbox, a scene's preflight before it
// is submitted (what `meshctl blender preflight` prints, and which peers can render it), the
// frames of a Blender job as its card shows them, a unit each, and an EXR frame's PNG preview.
import * as z from '../schemas/zod.js';
import { boundedArray, Count, Id, LIMITS, Name, PeerId } from '../schemas/index.js';
import { Side } from '../schemas/render-job.js';
import { PreflightReport } from '../blender/preflight.js';
import { BlenderSceneSchema } from '../blender/unit.js';
import { Empty, FrameNumber, method, UnitViewSchema } from './shapes.js';

const Words = z.string().check(z.maxLength(4096));
/** Refusals and warnings: one a missing image, at most. */
const MAX_VERDICT_LINES = 20_000;

/** A peer that can render a scene: it advertises my Blender's major.minor, we trust each other. */
const BlenderPeerSchema = z.strictObject({
  peer_id: PeerId,
  name: z.nullable(Name),
  /** The cores of its largest slot that renders it. */
  cores: Count,
});

const BlenderPreflightSchema = z.strictObject({
  /** What our Python read of the file (core/blender/preflight.ts). */
  report: PreflightReport,
  /** Why it cannot be rendered, each naming what is wrong; empty: it can. */
  refusals: boundedArray(Words, MAX_VERDICT_LINES),
  /** What is changed or cannot be honoured (denoising turned off…). */
  warnings: boundedArray(Words, MAX_VERDICT_LINES),
  /** Whether a frame may be cut into tiles, and why not when it may not. */
  tiles: z.boolean(),
  tiles_why_not: z.nullable(Words),
  /** The algorithm its units are: that of the Blender that read it (`blender-cycles/<major.minor>`). */
  algorithm: z.string().check(z.maxLength(64)),
  /** The peer whose Blender read it, when this node has none; null: my own Blender read it. */
  by: z.nullable(PeerId),
  peers: boundedArray(BlenderPeerSchema, LIMITS.recordEntries),
});

const BlenderFrameViewSchema = z.strictObject({
  frame: FrameNumber,
  unit_id: Id,
  /** Its unit's state: open (waiting for a provider), assigned (rendering), verified (its PNG is the unit's output), failed, cancelled. */
  status: UnitViewSchema.shape.status,
});

export const BLENDER_METHODS = {
  /** Whether this node has Blender and its sandbox (looked for on the first call): its version, or why not. */
  'blender.check': method(
    Empty,
    z.strictObject({
      found: z.boolean(),
      version: z.nullable(z.string().check(z.maxLength(64))),
      algorithm: z.nullable(z.string().check(z.maxLength(64))),
      reason: z.nullable(Words),
    }),
  ),
  /** A scene read by my Blender in its sandbox (a trusted peer's when I have none), as a submit would: nothing is journaled. */
  'blender.preflight': method(BlenderSceneSchema, BlenderPreflightSchema),
  /** A Blender job's frames (the first unitsPerPage), each its unit's id and state. */
  'blender.frames': method(
    z.strictObject({ job_id: Id }),
    z.strictObject({
      width: Side,
      height: Side,
      frames: boundedArray(BlenderFrameViewSchema, LIMITS.unitsPerPage),
      frames_total: Count,
      /** The frames' file: a verified frame's unit output is this PNG or EXR (an EXR's preview: blender.preview). */
      format: z.enum(['png', 'exr']),
    }),
  ),
  /** A verified EXR frame (its unit's output) as an 8-bit PNG, as its check mapped its pixels (docs/BLENDER.md, "EXR frames"). */
  'blender.preview': method(z.strictObject({ job_id: Id, unit_id: Id }), z.strictObject({ png_base64: z.string() })),
} as const;

export type BlenderPreflightView = z.output<typeof BlenderPreflightSchema>;
