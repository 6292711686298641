// The command lines of a sandboxed Blender: bubblewrap's (no network, nothing of the user's, a
// clean environment, its own session, no capabilities, killed with its parent), prlimit's resource
// limits and nice inside it, then Blender headless with the file's own Python off (-Y) and factory
// settings, our settings going in by a --python-expr of ours. Pure: the node runs what this builds.
import { borderOf, type PixelRect } from './tiles.js';

/** A frame's file: 8-bit RGBA PNG, or OpenEXR (RGBA, half float, ZIP): core/blender/exr.ts. */
export type FrameFormat = 'png' | 'exr';

/** Where the unit's own folder is seen inside the sandbox: the only place Blender can write. */
const UNIT_MOUNT = '/unit';
/** The paths of /etc Blender needs to start (alternatives: BLAS/LAPACK; ld.so.cache: the loader). */
const ETC_PATHS = ['/etc/alternatives', '/etc/ld.so.cache'];

export interface SandboxLimits {
  /** Address space (RLIMIT_AS), bytes. */
  memoryBytes: number;
  /** Largest file it may write (RLIMIT_FSIZE), bytes. */
  fileBytes: number;
}

export interface SandboxPlan {
  /** Blender's executable: under /usr, or its folder is bound read-only too. */
  blender: string;
  /** The unit's folder on the host, bound read-write at UNIT_MOUNT. */
  unitDir: string;
  limits: SandboxLimits;
}

/** The folders bound read-only: /usr, and a Blender installed elsewhere (its own folder). */
function readOnlyBinds(blender: string): string[] {
  const binds = ['--ro-bind', '/usr', '/usr'];
  if (!blender.startsWith('/usr/')) {
    const folder = blender.slice(0, blender.lastIndexOf('/'));
    binds.push('--ro-bind', folder, folder);
  }
  for (const path of ETC_PATHS) binds.push('--ro-bind', path, path);
  return binds;
}

/** bwrap's argv (after the program's name) running Blender with `blenderArgs` in the sandbox. */
export function sandboxArgv(plan: SandboxPlan, blenderArgs: readonly string[]): string[] {
  return [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--cap-drop',
    'ALL',
    ...readOnlyBinds(plan.blender),
    // /usr-merged Debian: the loader and libraries are found through these.
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/bin',
    '/bin',
    // Its own /proc (its own PIDs), a bare /dev, an empty /tmp.
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--bind',
    plan.unitDir,
    UNIT_MOUNT,
    '--chdir',
    UNIT_MOUNT,
    '--setenv',
    'HOME',
    UNIT_MOUNT,
    '--setenv',
    'PATH',
    '/usr/bin',
    '--setenv',
    'TMPDIR',
    '/tmp',
    '--',
    '/usr/bin/prlimit',
    `--as=${plan.limits.memoryBytes}`,
    `--fsize=${plan.limits.fileBytes}`,
    '--core=0',
    '--',
    '/usr/bin/nice',
    '-n',
    '19',
    plan.blender,
    '-b',
    '-Y',
    '--factory-startup',
    ...blenderArgs,
  ];
}

/** What one render is: a frame, at the job's samples and seed, the whole frame or one tile. */
export interface RenderSettings {
  /** The .blend's name inside the unit's folder. */
  file: string;
  frame: number;
  samples: number;
  seed: number;
  /** The file written; PNG when not said. */
  format?: FrameFormat;
  /** The resolution percentage; 100 when not said. */
  percentage?: number;
  /** A tile of the frame (its width × height as the scene has it); none: the whole frame. */
  tile?: { rect: PixelRect; width: number; height: number };
  /** This view layer's render with the compositor off, as a 32-bit float EXR (core/blender/crop-check.ts `raw`); none: the file's output. */
  rawLayer?: string;
}

/** The file a render writes, in the unit's folder: `out` + the frame number, four digits, and the format's extension. */
export function outputName(frame: number, format: FrameFormat = 'png'): string {
  return `out${String(frame).padStart(4, '0')}.${format}`;
}

function assertInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new RangeError(`${name} ${value} is not an integer in [${min}, ${max}]`);
}

/**
 * Our settings as Python, for every scene of the file: Cycles on the CPU, the samples (a view
 * layer's own ignored) and seed, no denoising,
 * no dither, one thread with the BVH2 layout (the same bits run after run), the tile's border,
 * PNG 8-bit RGBA (or OpenEXR RGBA, half float, ZIP) to the unit's folder. Only numbers checked here
 * go into the code.
 */
export function renderExpression(settings: RenderSettings): string {
  const lines = settingsLines(settings);
  const tile = settings.tile;
  if (tile) lines.push('s.render.use_border = True', 's.render.use_crop_to_border = True', ...borderLines(tile));
  else lines.push('s.render.use_border = False');
  return lines.join('\n');
}

/** Our settings, the same for a whole frame and for tiles (renderExpression). */
function settingsLines(settings: Omit<RenderSettings, 'tile'>): string[] {
  assertInt('frame', settings.frame, 0, 1_048_574);
  assertInt('samples', settings.samples, 1, 1 << 24);
  assertInt('seed', settings.seed, 0, 2 ** 31 - 1);
  const percentage = settings.percentage ?? 100;
  assertInt('percentage', percentage, 1, 32_767);
  return [
    'import bpy',
    's = bpy.context.scene',
    // Cycles reads its debug settings (the BVH layout) only with these two preferences on.
    'bpy.context.preferences.view.show_developer_ui = True',
    'bpy.context.preferences.experimental.use_cycles_debug = True',
    // Every scene, not only the one rendered: a sequencer strip's scene, or another scene's render
    // layer in the compositor, renders with its own settings otherwise (its samples, its denoiser).
    'for sc in bpy.data.scenes:',
    "    sc.render.engine = 'CYCLES'",
    "    sc.cycles.device = 'CPU'",
    `    sc.cycles.samples = ${settings.samples}`,
    // A view layer's own samples would override the job's (a file could ask providers for any number).
    "    sc.cycles.use_layer_samples = 'IGNORE'",
    '    sc.cycles.use_adaptive_sampling = False',
    `    sc.cycles.seed = ${settings.seed}`,
    '    sc.cycles.use_animated_seed = False',
    '    sc.cycles.use_denoising = False',
    '    for layer in sc.view_layers: layer.cycles.use_denoising = False',
    "    sc.cycles.debug_bvh_layout = 'BVH2'",
    "    sc.render.threads_mode = 'FIXED'",
    '    sc.render.threads = 1',
    '    sc.render.dither_intensity = 0',
    `s.render.resolution_percentage = ${percentage}`,
    ...(settings.rawLayer === undefined ? [] : rawLines(settings.rawLayer)),
    ...formatLines(settings.format ?? 'png', settings.rawLayer === undefined ? '16' : '32'),
    `s.render.filepath = '${UNIT_MOUNT}/out'`,
  ];
}

/**
 * The view layer's render as the compositor would read it: the compositor off, no other layer
 * rendered (the output is then that layer's). Full float, so that the requester's compositor reads
 * the same bits as in a render of the whole file. The name goes in as a JSON string, which Python reads alike.
 */
function rawLines(layer: string): string[] {
  if (layer.length === 0 || layer.length > 64 || /\p{Cc}/u.test(layer))
    throw new RangeError(`a view layer's name is 1 to 64 characters, none a control: ${JSON.stringify(layer)}`);
  return ['s.render.use_compositing = False', `for vl in s.view_layers: vl.use = vl.name == ${JSON.stringify(layer)}`];
}

function formatLines(format: FrameFormat, depth: '16' | '32' = '16'): string[] {
  if (format === 'exr')
    return [
      "s.render.image_settings.file_format = 'OPEN_EXR'",
      "s.render.image_settings.color_mode = 'RGBA'",
      `s.render.image_settings.color_depth = '${depth}'`,
      "s.render.image_settings.exr_codec = 'ZIP'",
    ];
  return [
    "s.render.image_settings.file_format = 'PNG'",
    "s.render.image_settings.color_mode = 'RGBA'",
    "s.render.image_settings.color_depth = '8'",
  ];
}

/**
 * Python that loads the EXR at `from` (in the unit's folder) with Blender's own reader and, when it
 * is `width` × `height` with four channels, writes its float pixels (RGBA, rows from the bottom,
 * float32 in the machine's order) to `to`; anything else writes nothing.
 */
function pixelsLines(from: string, to: string, width: number, height: number): string[] {
  assertInt('width', width, 1, 65_536);
  assertInt('height', height, 1, 65_536);
  return [
    `im = bpy.data.images.load('${UNIT_MOUNT}/${from}')`,
    `if tuple(im.size) == (${width}, ${height}) and im.channels == 4:`,
    `    px = array.array('f', bytes(${width * height * 16}))`,
    '    im.pixels.foreach_get(px)',
    `    px.tofile(open('${UNIT_MOUNT}/${to}', 'wb'))`,
    'bpy.data.images.remove(im)',
  ];
}

/** The EXR a decode reads, and the float pixels it writes, in the unit's folder (decodeExrArgs). */
export const EXR_INPUT = 'frame.exr';
export const PIXELS_OUTPUT = 'frame.f32';

/**
 * Blender's arguments (after -b -Y --factory-startup, no scene) that decode EXR_INPUT to its float
 * pixels in PIXELS_OUTPUT, when it is an RGBA image of `width` × `height`: a frame from another
 * peer is read by Blender's OpenEXR in the sandbox, never by this process.
 */
export function decodeExrArgs(width: number, height: number): string[] {
  const lines = ['import array', 'import bpy', ...pixelsLines(EXR_INPUT, PIXELS_OUTPUT, width, height)];
  return ['--python-expr', lines.join('\n')];
}

/** The border of a tile, as Python setting it (its fractions are numbers computed here). */
function borderLines(tile: NonNullable<RenderSettings['tile']>): string[] {
  const b = borderOf(tile.rect, tile.width, tile.height);
  return [
    `s.render.border_min_x = ${b.minX}`,
    `s.render.border_max_x = ${b.maxX}`,
    `s.render.border_min_y = ${b.minY}`,
    `s.render.border_max_y = ${b.maxY}`,
  ];
}

/** The file of tile `i` a render of several tiles in one start writes, in the unit's folder. */
export function tileOutputName(i: number, format: FrameFormat = 'png'): string {
  return `tile${i}.${format}`;
}

/** The float pixels of tile `i`'s EXR, decoded by the Blender that rendered it (pixelsLines). */
export function tilePixelsName(i: number): string {
  return `tile${i}.f32`;
}

/**
 * Several tiles rendered by one Blender, one start for all (Blender's start is most of a small
 * tile's time): our settings, then each tile's frame set and its border rendered and saved with the
 * scene's output settings as tileOutputName(i), as `-f` would write it (an EXR tile is then read
 * back by the same Blender, its float pixels written as tilePixelsName(i)). A tile's frame is
 * `frames[i]` (a requester's check crops of several frames), or the settings' frame. Blender's
 * arguments after -b -Y --factory-startup, as renderArgs's.
 */
export function tilesRenderArgs(
  settings: Omit<RenderSettings, 'tile'>,
  tiles: { rects: readonly PixelRect[]; frames?: readonly number[]; width: number; height: number },
): string[] {
  if (tiles.frames && tiles.frames.length !== tiles.rects.length)
    throw new RangeError(`${tiles.frames.length} frames for ${tiles.rects.length} tiles`);
  const lines = [
    'import array',
    ...settingsLines(settings),
    's.render.use_border = True',
    's.render.use_crop_to_border = True',
  ];
  const format = settings.format ?? 'png';
  let frame: number | undefined;
  for (const [i, rect] of tiles.rects.entries()) {
    const next = tiles.frames?.[i] ?? settings.frame;
    assertInt('frame', next, 0, 1_048_574);
    if (next !== frame) lines.push(`s.frame_set(${next})`);
    frame = next;
    lines.push(
      ...borderLines({ rect, width: tiles.width, height: tiles.height }),
      'bpy.ops.render.render()',
      `bpy.data.images['Render Result'].save_render('${UNIT_MOUNT}/${tileOutputName(i, format)}')`,
    );
    if (format === 'exr')
      lines.push(...pixelsLines(tileOutputName(i, format), tilePixelsName(i), rect.x1 - rect.x0, rect.y1 - rect.y0));
  }
  return [scenePath(settings.file), '--python-expr', lines.join('\n')];
}

/** The scene's path inside the sandbox: `file` must be a plain .blend name in the unit's folder. */
export function scenePath(file: string): string {
  if (!/^[\w-][\w.-]*\.blend$/.test(file))
    throw new RangeError(`a scene's name must be a plain .blend file name, not ${JSON.stringify(file)}`);
  return `${UNIT_MOUNT}/${file}`;
}

/** The checked render before the compositor that a composite reads, in the unit's folder (compositeArgs). */
export const RAW_INPUT = 'raw.exr';

/**
 * Blender's arguments (after -b -Y --factory-startup) that run the file's compositor over RAW_INPUT,
 * a view layer's render checked already, and write the frame as the file would (PNG, our settings):
 * each Render Layers node is replaced by an Image node of that EXR, linked by its outputs' names
 * (Image, Alpha: the only ones a raw check allows), so nothing is rendered (Blender renders only for
 * a Render Layers node) and the compositor reads the bits a render of the whole file gives it. A
 * provider's render, not yet checked, is decoded by the same start (`decode`) and composited ahead.
 */
export function compositeArgs(
  settings: Omit<RenderSettings, 'tile'>,
  /** Also RAW_INPUT's float pixels to PIXELS_OUTPUT, when it is an RGBA image of this size (decodeExrArgs): one start for both. */
  decode?: { width: number; height: number },
): string[] {
  const { file, frame, samples, seed, percentage } = settings;
  // What cannot be decoded writes no pixels; the composite then fails to load it, and Blender exits
  // (--python-exit-code) before `-f`, which would otherwise render the whole scene.
  const decoding = decode ? pixelsLines(RAW_INPUT, PIXELS_OUTPUT, decode.width, decode.height) : [];
  const lines = [
    ...settingsLines({
      file,
      frame,
      samples,
      seed,
      format: 'png',
      ...(percentage !== undefined ? { percentage } : {}),
    }),
    ...(decode ? ['import array', 'try:', ...decoding.map((l) => `    ${l}`), 'except Exception:', '    pass'] : []),
    's.render.use_border = False',
    `raw = bpy.data.images.load('${UNIT_MOUNT}/${RAW_INPUT}')`,
    'tree = s.node_tree',
    'for n in [n for n in tree.nodes if n.type == "R_LAYERS"]:',
    "    m = tree.nodes.new('CompositorNodeImage'); m.image = raw; m.mute = n.mute",
    '    for o in n.outputs:',
    '        for l in list(o.links): tree.links.new(m.outputs[o.name], l.to_socket)',
    '    tree.nodes.remove(n)',
  ];
  return [scenePath(settings.file), '--python-exit-code', '1', '--python-expr', lines.join('\n'), '-f', String(frame)];
}

/** Blender's arguments for one render (after -b -Y --factory-startup): the file, our Python, the frame. */
export function renderArgs(settings: RenderSettings): string[] {
  return [scenePath(settings.file), '--python-expr', renderExpression(settings), '-f', String(settings.frame)];
}
