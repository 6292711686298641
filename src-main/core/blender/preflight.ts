// Preflight: what a .blend holds, read by our own Python in the same sandbox as a render (the
// file's own Python off), printed as one JSON line, validated here, and judged: refusals that name
// what is wrong, settings Debian's Blender cannot honour turned off with a warning, and whether the
// frame can be cut into tiles that stitch back exactly. Paths are reported as the file has them
// (`//` is the .blend's folder), so that a refusal names what its author sees.
import { decodeJson } from '../schemas/index.js';
import * as z from '../schemas/zod.js';
import { scenePath } from './args.js';
import { frameCheckOf, type FrameCheck } from './crop-check.js';
import { assetRefusals } from './assets.js';
import { MAX_FRAME_NUMBER } from './frames.js';

/** The line our Python prints before the report, so nothing else Blender prints is taken for it. */
export const REPORT_MARK = 'MESH_PREFLIGHT ';

/** Our Python: the report of the file loaded, as one line of JSON. */
const PREFLIGHT_EXPRESSION = [
  'import bpy, json, os',
  's = bpy.context.scene',
  // Paths as Blender resolves them: an image against the library that names it (bpy.path.abspath's
  // `library`); a library as Blender keeps it, relative to the main file (it rewrites a nested one's
  // so on load). Inside the job: under the main file's folder, the unit's, nothing else of the machine.
  'root = os.path.dirname(os.path.realpath(bpy.data.filepath))',
  'def where(p, lib=None): return bpy.path.abspath(p, library=lib) if p else ""',
  'def inside(p): return os.path.realpath(p).startswith(root + os.sep)',
  'def on_disk(i): return i.packed_file is None and i.source in ("FILE", "SEQUENCE", "MOVIE", "TILED")',
  // A UDIM image is a file a tile: each must be there.
  'def files(i): return [i.filepath.replace("<UDIM>", str(t.number)) for t in i.tiles] if i.source == "TILED" else [i.filepath]',
  'images = [{"name": i.name, "source": i.source, "packed": i.packed_file is not None, "path": i.filepath,',
  '  "library": i.library.filepath if i.library else None,',
  '  "exists": not on_disk(i) or all(os.path.exists(where(p, i.library)) for p in files(i)),',
  '  "inside": not on_disk(i) or all(inside(where(p, i.library)) for p in files(i))}',
  '  for i in bpy.data.images if i.users > 0 and i.source != "VIEWER"]',
  'libraries = [{"path": l.filepath, "packed": l.packed_file is not None, "exists": os.path.exists(where(l.filepath)),',
  '  "inside": inside(where(l.filepath)), "parent": l.parent.filepath if l.parent else None} for l in bpy.data.libraries]',
  'denoise = bool(s.cycles.use_denoising) or any(bool(v.cycles.use_denoising) for v in s.view_layers)',
  'glare = bool(s.use_nodes and s.node_tree and any(n.type == "GLARE" for n in s.node_tree.nodes))',
  // What decides whether a crop can check a frame (crop-check.ts): the compositor's nodes that run, and what draws over the whole frame.
  'tree = s.node_tree if s.use_nodes and s.render.use_compositing and s.node_tree else None',
  'nodes = sorted({n.type for n in tree.nodes if not n.mute})[:256] if tree else []',
  'others = bool(tree and any(n.type == "R_LAYERS" and n.scene is not None and n.scene != s for n in tree.nodes))',
  'strips = bool(s.render.use_sequencer and s.sequence_editor and len(s.sequence_editor.sequences_all) > 0)',
  // Which render each Render Layers node of this scene feeds the compositor: its view layer, and its outputs in use.
  'layers = [{"layer": n.layer[:64], "outputs": sorted({o.name[:64] for o in n.outputs if o.is_linked})[:64]}',
  '  for n in tree.nodes if n.type == "R_LAYERS" and not n.mute and n.scene in (None, s)][:64] if tree else []',
  'print(' +
    JSON.stringify(REPORT_MARK) +
    ' + json.dumps({"blender": list(bpy.app.version), "saved_by": list(bpy.data.version),',
  '  "engine": s.render.engine, "frame_start": s.frame_start, "frame_end": s.frame_end, "frame_step": s.frame_step,',
  '  "width": s.render.resolution_x, "height": s.render.resolution_y, "percentage": s.render.resolution_percentage,',
  '  "samples": s.cycles.samples, "denoising": denoise, "compositing": bool(s.use_nodes and s.render.use_compositing),',
  '  "glare": glare, "compositor_nodes": nodes, "other_scenes": others, "freestyle": bool(s.render.use_freestyle),',
  '  "sequencer": strips, "render_layers": layers, "images": images, "libraries": libraries}), flush=True)',
].join('\n');

const Part = z.int().check(z.minimum(0), z.maximum(10_000));
const Version = z.tuple([Part, Part, Part]);
const Path = z.string().check(z.maxLength(4096));
const Side = z.int().check(z.minimum(1), z.maximum(65_536));

export const PreflightReport = z.strictObject({
  blender: Version,
  saved_by: Version,
  engine: z.string().check(z.maxLength(64)),
  frame_start: z.int(),
  frame_end: z.int(),
  /** Absent from a report of a node of an earlier version: 1. */
  frame_step: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_FRAME_NUMBER))),
  width: Side,
  height: Side,
  percentage: z.int().check(z.minimum(1), z.maximum(32_767)),
  samples: z.int().check(z.minimum(1), z.maximum(1 << 24)),
  denoising: z.boolean(),
  compositing: z.boolean(),
  glare: z.boolean(),
  // Absent from a report of a node of an earlier version (a peer's reading): a crop is then not trusted to check.
  compositor_nodes: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(256))),
  other_scenes: z.optional(z.boolean()),
  freestyle: z.optional(z.boolean()),
  sequencer: z.optional(z.boolean()),
  /** The compositor's Render Layers nodes of this scene: the view layer each reads, and its outputs linked (absent: an earlier version's report). */
  render_layers: z.optional(
    z
      .array(
        z.strictObject({
          layer: z.string().check(z.maxLength(64)),
          outputs: z.array(z.string().check(z.maxLength(64))).check(z.maxLength(64)),
        }),
      )
      .check(z.maxLength(64)),
  ),
  images: z
    .array(
      z.strictObject({
        name: z.string().check(z.maxLength(256)),
        source: z.string().check(z.maxLength(32)),
        packed: z.boolean(),
        path: Path,
        /** The linked library that names it (its path is relative to that library's folder); null: the main file. */
        library: z.optional(z.nullable(Path)),
        exists: z.boolean(),
        /** Whether it resolves inside the job's folder (absent from an earlier version's report). */
        inside: z.optional(z.boolean()),
      }),
    )
    .check(z.maxLength(10_000)),
  libraries: z
    .array(
      z.strictObject({
        path: Path,
        packed: z.boolean(),
        // Absent from a report of an earlier version: such a library is refused unless packed.
        exists: z.optional(z.boolean()),
        inside: z.optional(z.boolean()),
        /** The library that links it (a nested library); null: the main file. */
        parent: z.optional(z.nullable(Path)),
      }),
    )
    .check(z.maxLength(10_000)),
});
export type PreflightReport = z.output<typeof PreflightReport>;

/** The longest report read: thousands of images with long paths. */
const REPORT_CHARS = 8 * 2 ** 20;

/** The report in Blender's output, validated; or why there is none. */
export function parseReport(output: string): { ok: true; report: PreflightReport } | { ok: false; error: string } {
  const line = output.split('\n').find((l) => l.startsWith(REPORT_MARK));
  if (line === undefined) return { ok: false, error: 'Blender printed no preflight report (the file did not load)' };
  const checked = decodeJson(PreflightReport, line.slice(REPORT_MARK.length), REPORT_CHARS);
  return checked.ok
    ? { ok: true, report: checked.value }
    : { ok: false, error: `preflight report: ${checked.error.message}` };
}

export interface PreflightVerdict {
  /** Why the file cannot be rendered, each naming what is wrong; empty: it can. */
  refusals: string[];
  /** What we change or cannot honour, shown before the job starts. */
  warnings: string[];
  /** How its frames are checked: by a crop re-rendered (exact for the scene), or by two providers' agreement. */
  check: FrameCheck;
  /** Whether a frame may be cut into tiles (else frames only, `tilesWhyNot` saying why): where a crop is exact, so is a tile. */
  tiles: boolean;
  tilesWhyNot?: string;
  /** The scene's frames: its range and its step (every `step`th frame of it). */
  frames: { start: number; end: number; step: number };
}

type Version = readonly [number, number, number];
const newer = (a: Version, b: Version): boolean => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

/** The refusals and warnings for a report, against the Blender that will render it. */
export function judgePreflight(report: PreflightReport): PreflightVerdict {
  const refusals: string[] = [];
  const warnings: string[] = [];
  if (newer(report.saved_by, report.blender))
    refusals.push(
      `the file was saved by Blender ${report.saved_by.slice(0, 2).join('.')}, newer than the providers' ${report.blender.slice(0, 2).join('.')}`,
    );
  if (report.engine !== 'CYCLES') refusals.push(`the render engine is ${report.engine}: only Cycles is rendered`);
  refusals.push(...assetRefusals(report));
  if (report.frame_end < report.frame_start)
    refusals.push(`the frame range ${report.frame_start}–${report.frame_end} is empty`);
  if (report.denoising) warnings.push("denoising is turned off: Debian's Blender is built without OpenImageDenoise");
  const check = frameCheckOf(report);
  return {
    refusals,
    warnings,
    check,
    tiles: check.crop,
    ...(check.crop ? {} : { tilesWhyNot: `frames only: ${check.why}` }),
    frames: { start: report.frame_start, end: report.frame_end, step: report.frame_step ?? 1 },
  };
}

/** The most a resolution percentage may be: Blender's own limit is 32767, but a frame's side is at most 65,536. */
export const MAX_PERCENTAGE = 1000;

/**
 * The frame's size in pixels at `percentage` (the file's own when not given): Blender's own rule,
 * `resolution × percentage / 100` in integers (BKE_render_resolution).
 */
export function outputSize(
  report: Pick<PreflightReport, 'width' | 'height' | 'percentage'>,
  percentage = report.percentage,
): { width: number; height: number } {
  return {
    width: Math.floor((report.width * percentage) / 100),
    height: Math.floor((report.height * percentage) / 100),
  };
}

/** Why a frame at `percentage` cannot be rendered (under a pixel, or over 65,536 on a side), or undefined. */
export function sizeRefusal(report: PreflightReport, percentage = report.percentage): string | undefined {
  const { width, height } = outputSize(report, percentage);
  if (width >= 1 && height >= 1 && width <= 65_536 && height <= 65_536) return undefined;
  return `${report.width}×${report.height} at ${percentage} % is ${width}×${height} pixels: a frame's sides are 1 to 65,536`;
}

/** Blender's arguments for a preflight of `file` in the unit's folder. */
export function preflightArgs(file: string): string[] {
  return [scenePath(file), '--python-expr', PREFLIGHT_EXPRESSION];
}
