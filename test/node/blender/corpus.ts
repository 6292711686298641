// A corpus of scenes that exercise what can break a frame's check (issue 87): compositor nodes of
// every family, render features that must stay pixel-exact in a crop, and Freestyle, the sequencer
// and another scene's render layer, which draw over the whole frame. Each recipe is Blender Python
// (3.4's API) run after the base scene of scenes.ts (makeScene's `extra`: `s` the scene, `sphere`
// the moving sphere; factory startup's Cube, Light and Camera are there too), and `crop` is what
// frameCheckOf must say of it: whether a re-rendered crop checks its frames exactly. UDIM tiles are
// here packed; linked libraries are not (a library is a file of the job's folder, not a question of
// which pixels a crop sees; libraries.test.ts renders those). Two scenes were holes until our settings reached them: a sequencer strip's scene rendered
// at its own samples, and a view layer's own samples overrode the job's (use_layer_samples).

import { join } from 'node:path';
import { makeScene } from './scenes.js';

export interface SceneRecipe {
  /** A file name's stem too: letters, digits and dashes. */
  name: string;
  /** Blender Python appended to the base scene. */
  python: string;
  /** Whether a crop checks the scene's frames exactly (frameCheckOf's `crop`). */
  crop: boolean;
  /** No crop of its frames can, but one of its render before the compositor does, the requester compositing (frameCheckOf's `raw`). */
  raw?: true;
  /** For a scene no crop can check: what the preflight's reason names. */
  why?: RegExp;
  /** What the preflight also prints of it. */
  preflight?: RegExp;
}

/**
 * The compositor on, its Render Layers → Composite link cut: `add(idname, **props)` puts a node after
 * the last (its Image socket fed by the last node's Image, or the one named by `input`), `finish()`
 * links the last to the Composite.
 */
const COMPOSITOR = [
  's.use_nodes = True',
  'tree = s.node_tree',
  "rl = tree.nodes['Render Layers']",
  "last = rl.outputs['Image']",
  "def add(idname, input='Image', **props):",
  '    global last',
  '    node = tree.nodes.new(idname)',
  '    for key, value in props.items(): setattr(node, key, value)',
  '    tree.links.new(last, node.inputs[input])',
  '    last = node.outputs[0]',
  '    return node',
  "def finish(): tree.links.new(last, tree.nodes['Composite'].inputs['Image'])",
].join('\n');

const compositor = (...lines: string[]): string => [COMPOSITOR, ...lines, 'finish()'].join('\n');

/** A material `name` on `target` (Python of an object), with its node tree as `nt` and its Principled BSDF as `bsdf`. */
const material = (name: string, target: string, ...lines: string[]): string =>
  [
    `mat = bpy.data.materials.new(${JSON.stringify(name)}); mat.use_nodes = True`,
    'nt = mat.node_tree',
    "bsdf = nt.nodes['Principled BSDF']",
    "output = nt.nodes['Material Output']",
    ...lines,
    `${target}.data.materials.clear(); ${target}.data.materials.append(mat)`,
  ].join('\n');

/** Material displacement of the plane, subdivided (a noise's height). */
const DISPLACED_PLANE = [
  "plane = bpy.data.objects['Plane']",
  "sub = plane.modifiers.new('sub', 'SUBSURF'); sub.subdivision_type = 'SIMPLE'; sub.levels = sub.render_levels = 6",
  material(
    'bumps',
    'plane',
    "mat.cycles.displacement_method = 'DISPLACEMENT'",
    "noise = nt.nodes.new('ShaderNodeTexNoise'); noise.inputs['Scale'].default_value = 0.8",
    "nt.links.new(nt.nodes.new('ShaderNodeTexCoord').outputs['Object'], noise.inputs['Vector'])",
    "disp = nt.nodes.new('ShaderNodeDisplacement'); disp.inputs['Scale'].default_value = 1.2",
    "nt.links.new(noise.outputs['Fac'], disp.inputs['Height'])",
    "nt.links.new(disp.outputs[0], output.inputs['Displacement'])",
  ),
].join('\n');

export const CORPUS: readonly SceneRecipe[] = [
  // Compositor nodes that read pixels around their own: no crop of the frame can check these; a crop
  // of the render before the compositor does, where that is all the compositor reads (not the defocus's depth).
  {
    name: 'glare',
    python: compositor("add('CompositorNodeGlare', glare_type='FOG_GLOW', quality='HIGH', threshold=0.1, size=7)"),
    crop: false,
    raw: true,
    why: /glare node/,
  },
  {
    name: 'blur',
    python: compositor("add('CompositorNodeBlur', filter_type='GAUSS', size_x=3, size_y=3)"),
    crop: false,
    raw: true,
    why: /blur node/,
  },
  {
    name: 'bokeh-blur',
    python: compositor(
      "blur = add('CompositorNodeBokehBlur', blur_max=8)",
      "blur.inputs['Size'].default_value = 8",
      "tree.links.new(tree.nodes.new('CompositorNodeBokehImage').outputs[0], blur.inputs['Bokeh'])",
    ),
    crop: false,
    raw: true,
    why: /bokehblur/,
  },
  {
    name: 'defocus',
    python: [
      's.view_layers[0].use_pass_z = True',
      "bpy.data.objects['Camera'].data.dof.focus_distance = 6",
      compositor(
        "defocus = add('CompositorNodeDefocus', use_zbuffer=True, f_stop=0.5, blur_max=8)",
        "tree.links.new(rl.outputs['Depth'], defocus.inputs['Z'])",
      ),
    ].join('\n'),
    crop: false,
    why: /defocus node/,
  },
  {
    name: 'lens-distortion',
    python: compositor(
      "lens = add('CompositorNodeLensdist')",
      "lens.inputs['Distort'].default_value = 0.2",
      "lens.inputs['Dispersion'].default_value = 0.05",
    ),
    crop: false,
    raw: true,
    why: /lensdist node/,
  },
  {
    name: 'filter',
    python: compositor(
      "add('CompositorNodeFilter', filter_type='SOFTEN')",
      "add('CompositorNodeFilter', filter_type='SHARPEN')",
    ),
    crop: false,
    raw: true,
    why: /filter node/,
  },
  {
    name: 'denoise-node',
    python: compositor("add('CompositorNodeDenoise')"),
    crop: false,
    raw: true,
    why: /denoise node/,
  },
  // Pixel-wise nodes only, two view layers mixed: a crop is exact.
  {
    name: 'pixel-wise-chain',
    python: [
      "tinted = s.view_layers.new('Tinted')",
      "flat = bpy.data.materials.new('flat'); flat.use_nodes = True",
      "flat.node_tree.nodes['Principled BSDF'].inputs['Base Color'].default_value = (0.8, 0.1, 0.1, 1)",
      'tinted.material_override = flat',
      compositor(
        "add('CompositorNodeExposure').inputs['Exposure'].default_value = 0.7",
        "hue = add('CompositorNodeHueSat')",
        "hue.inputs['Hue'].default_value = 0.6; hue.inputs['Saturation'].default_value = 1.5",
        "mix = add('CompositorNodeMixRGB', input=1, blend_type='MIX')",
        'mix.inputs[0].default_value = 0.4',
        "other = tree.nodes.new('CompositorNodeRLayers'); other.layer = 'Tinted'",
        "tree.links.new(other.outputs['Image'], mix.inputs[2])",
      ),
    ].join('\n'),
    crop: true,
  },
  // What Cycles renders pixel by pixel, however it lights them: a crop is exact.
  {
    name: 'volume',
    python: [
      material(
        'fog',
        "bpy.data.objects['Cube']",
        'nt.nodes.remove(bsdf)',
        "scatter = nt.nodes.new('ShaderNodeVolumeScatter'); scatter.inputs['Density'].default_value = 0.6",
        "absorb = nt.nodes.new('ShaderNodeVolumeAbsorption'); absorb.inputs['Density'].default_value = 0.4",
        "absorb.inputs['Color'].default_value = (0.2, 0.5, 0.9, 1)",
        "both = nt.nodes.new('ShaderNodeAddShader')",
        'nt.links.new(scatter.outputs[0], both.inputs[0]); nt.links.new(absorb.outputs[0], both.inputs[1])',
        "nt.links.new(both.outputs[0], output.inputs['Volume'])",
      ),
      "bpy.data.objects['Cube'].scale = (1.6, 1.6, 1.6)",
    ].join('\n'),
    crop: true,
  },
  {
    name: 'motion-blur',
    python: ['s.render.use_motion_blur = True', 's.render.motion_blur_shutter = 1.0'].join('\n'),
    crop: true,
  },
  {
    name: 'hair',
    python: [
      "plane = bpy.data.objects['Plane']",
      "plane.modifiers.new('hair', 'PARTICLE_SYSTEM')",
      'hair = plane.particle_systems[0].settings',
      "hair.type = 'HAIR'; hair.count = 1500; hair.hair_length = 0.8; hair.radius_scale = 0.03",
    ].join('\n'),
    crop: true,
  },
  {
    name: 'displacement',
    python: [
      DISPLACED_PLANE,
      "sphere.modifiers.new('sub', 'SUBSURF').levels = 1",
      "clouds = bpy.data.textures.new('clouds', 'CLOUDS'); clouds.noise_scale = 0.4",
      "wave = sphere.modifiers.new('displace', 'DISPLACE'); wave.texture = clouds; wave.strength = 0.4",
    ].join('\n'),
    crop: true,
  },
  {
    // Dicing by the camera (Cycles' experimental adaptive subdivision): does a border dice as the whole frame does?
    name: 'adaptive-subdivision',
    python: [
      "s.cycles.feature_set = 'EXPERIMENTAL'",
      's.cycles.dicing_rate = 2',
      DISPLACED_PLANE,
      'plane.cycles.use_adaptive_subdivision = True',
    ].join('\n'),
    crop: true,
  },
  {
    name: 'subsurface',
    python: material(
      'skin',
      'sphere',
      "bsdf.subsurface_method = 'RANDOM_WALK'",
      "bsdf.inputs['Subsurface'].default_value = 1.0",
      "bsdf.inputs['Subsurface Radius'].default_value = (0.6, 0.3, 0.15)",
      "bsdf.inputs['Subsurface Color'].default_value = (0.9, 0.5, 0.4, 1)",
    ),
    crop: true,
  },
  {
    // Two view layers rendered, no compositor: the output is one of them.
    name: 'view-layers',
    python: [
      "props = bpy.data.collections.new('Props'); s.collection.children.link(props)",
      "props.objects.link(sphere); bpy.data.collections['Collection'].objects.unlink(sphere)",
      "bare = s.view_layers.new('Bare'); bare.layer_collection.children['Props'].exclude = True",
    ].join('\n'),
    crop: true,
  },
  {
    name: 'second-camera',
    python: [
      'bpy.ops.object.camera_add(location=(0, -7, 2.5), rotation=(1.25, 0, 0))',
      's.camera = bpy.context.object',
    ].join('\n'),
    crop: true,
  },
  {
    // UDIM tiles (an image of two tiles, 1001 and 1002, written as files and packed), on the plane
    // whose UVs span both: the texture Blender reads is a tile by where a UV falls.
    name: 'udim',
    python: [
      'import os, tempfile',
      'd = tempfile.mkdtemp()',
      'for n, col in ((1001, (1.0, 0.2, 0.1, 1.0)), (1002, (0.1, 0.3, 1.0, 1.0))):',
      "    t = bpy.data.images.new('tile%d' % n, 8, 8)",
      '    t.pixels = [c for i in range(64) for c in (col if (i + i // 8) % 2 else (0.9, 0.9, 0.9, 1.0))]',
      "    t.filepath_raw = os.path.join(d, 'udim.%d.png' % n); t.file_format = 'PNG'; t.save()",
      '    bpy.data.images.remove(t)',
      "udim = bpy.data.images.load(os.path.join(d, 'udim.1001.png'))",
      "udim.source = 'TILED'; udim.filepath = os.path.join(d, 'udim.<UDIM>.png'); udim.reload()",
      'assert [t.number for t in udim.tiles] == [1001, 1002], [t.number for t in udim.tiles]',
      'udim.pack()',
      "plane = bpy.data.objects['Plane']",
      'for loop in plane.data.uv_layers.active.data: loop.uv = (loop.uv[0] * 2, loop.uv[1])',
      material(
        'udim',
        'plane',
        "tex = nt.nodes.new('ShaderNodeTexImage'); tex.image = udim; tex.interpolation = 'Closest'",
        "nt.links.new(tex.outputs['Color'], bsdf.inputs['Base Color'])",
      ),
    ].join('\n'),
    crop: true,
  },
  {
    // An image made here, packed into the .blend, on the sphere and the plane.
    name: 'packed-image',
    python: [
      "img = bpy.data.images.new('grid', 8, 8)",
      'img.pixels = [c for i in range(64) for c in ((1.0, 0.2, 0.1, 1.0) if (i + i // 8) % 2 else (0.1, 0.3, 1.0, 1.0))]',
      'img.pack()',
      material(
        'grid',
        'sphere',
        "tex = nt.nodes.new('ShaderNodeTexImage'); tex.image = img; tex.interpolation = 'Closest'",
        "nt.links.new(tex.outputs['Color'], bsdf.inputs['Base Color'])",
      ),
      "bpy.data.objects['Plane'].data.materials.append(mat)",
    ].join('\n'),
    crop: true,
    preflight: /^images: 1 \(1 packed\)/m,
  },
  // What draws over the whole frame: no crop can check these.
  {
    name: 'freestyle',
    python: ['s.render.use_freestyle = True', 's.render.line_thickness = 1.5'].join('\n'),
    crop: false,
    why: /Freestyle/,
  },
  {
    // A Render Layers node of another scene, mixed with this one's: that scene is rendered too.
    name: 'other-scene',
    python: [
      "other = bpy.data.scenes.new('Other'); other.render.engine = 'CYCLES'",
      'other.cycles.samples = 8; other.cycles.use_denoising = False',
      "other.world = bpy.data.worlds['World']",
      "for name in ('Camera', 'Light', 'Cube'): other.collection.objects.link(bpy.data.objects[name])",
      "other.camera = bpy.data.objects['Camera']",
      compositor(
        "mix = add('CompositorNodeMixRGB', input=1, blend_type='MIX')",
        'mix.inputs[0].default_value = 0.5',
        "theirs = tree.nodes.new('CompositorNodeRLayers'); theirs.scene = other",
        "tree.links.new(theirs.outputs['Image'], mix.inputs[2])",
      ),
    ].join('\n'),
    crop: false,
    why: /another scene/,
  },
  {
    // The sequencer's output: a strip of another scene (a strip of its own scene renders nothing) under a colour.
    name: 'sequencer',
    python: [
      "other = s.copy(); other.name = 'Shot'; other.cycles.use_denoising = False",
      'strips = s.sequence_editor_create().sequences',
      "strips.new_scene('shot', other, 1, 1)",
      "tint = strips.new_effect('tint', 'COLOR', 2, 1, frame_end=5)",
      "tint.color = (1, 0.5, 0); tint.blend_type = 'ADD'; tint.blend_alpha = 0.3",
    ].join('\n'),
    crop: false,
    why: /sequencer/,
  },
  {
    // A view layer's own samples, which Cycles would use instead of the job's (our settings: 'IGNORE').
    name: 'view-layer-samples',
    python: 's.view_layers[0].samples = 8',
    crop: true,
  },
];

/**
 * Every recipe's scene saved in `dir` as `<name>.blend` (`<name>-<marker>.blend` with a marker,
 * which the scene then holds: made again with another, it is another file, a job of new CIDs), all
 * by one Blender (its start is most of the making of a scene this small): the base scene saved,
 * then reopened for each recipe, the recipe's Python run on it (with `s` and `sphere` as
 * makeScene's extra has them) and saved as its own scene.
 */
export function makeCorpus(dir: string, marker?: string): Map<SceneRecipe, string> {
  const suffix = marker === undefined ? '' : `-${marker}`;
  const base = join(dir, `base${suffix}.blend`);
  const paths = new Map(CORPUS.map((recipe) => [recipe, join(dir, `${recipe.name}${suffix}.blend`)]));
  const mark = marker === undefined ? '' : `\ns['bench'] = ${JSON.stringify(marker)}`;
  const made = CORPUS.map((recipe) => [paths.get(recipe), `${recipe.python}${mark}`]);
  makeScene(
    base,
    [
      `bpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(base)})`,
      `for path, code in ${JSON.stringify(made)}:`,
      `    bpy.ops.wm.open_mainfile(filepath=${JSON.stringify(base)})`,
      "    exec(code, {'bpy': bpy, 's': bpy.context.scene, 'sphere': bpy.data.objects['Sphere']})",
      '    bpy.ops.wm.save_as_mainfile(filepath=path, compress=True)',
      `bpy.ops.wm.open_mainfile(filepath=${JSON.stringify(base)})`,
    ].join('\n'),
  );
  return paths;
}
