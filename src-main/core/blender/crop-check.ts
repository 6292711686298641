// Whether a crop re-rendered by the requester can check a provider's frame exactly
// (docs/BLENDER.md, "What a check can prove"). A crop is a border render of part of the frame: it
// is the same pixels as that part of the whole frame only when every pixel of the output depends
// on that pixel's own render alone. Compositor nodes that read other pixels (glare, blur, defocus,
// lens distortion, filters, denoise, transforms, normalize, tone mapping: anything not listed in
// PIXEL_WISE) make a crop's pixels differ from the frame's, and so do Freestyle's lines (drawn over
// the whole view), the sequencer's strips and a render layer of another scene. For such a scene no
// crop of the frame can convict. Where only the compositor reads outside a crop, and it reads no
// more than one view layer's render (its Image and Alpha), that render is checked instead: the
// providers render it with the compositor off (a float EXR), a crop of it is exact, and the
// requester runs the compositor over the checked render, which makes the frame a local render
// makes, bit for bit (`raw`). Otherwise its frames are compared between two providers. Pure.

/** What a preflight report (preflight.ts) says of a scene's output that a crop could miss; absent: a node of an earlier version read it. */
export interface OutputFacts {
  compositing: boolean;
  compositor_nodes?: readonly string[] | undefined;
  other_scenes?: boolean | undefined;
  freestyle?: boolean | undefined;
  sequencer?: boolean | undefined;
  render_layers?: ReadonlyArray<{ layer: string; outputs: readonly string[] }> | undefined;
}

/**
 * Compositor nodes (Blender's `node.type`) whose output pixel is a function of the same pixel of
 * their inputs (or a constant): a crop composited by them is the same crop of the composited frame.
 */
const PIXEL_WISE: ReadonlySet<string> = new Set([
  'R_LAYERS',
  'COMPOSITE',
  'VIEWER',
  'OUTPUT_FILE',
  'REROUTE',
  'FRAME',
  'SWITCH',
  'VALUE',
  'RGB',
  'TIME',
  'MATH',
  'MIX_RGB',
  'ALPHAOVER',
  'SETALPHA',
  'PREMULKEY',
  'INVERT',
  'GAMMA',
  'EXPOSURE',
  'BRIGHTCONTRAST',
  'HUE_SAT',
  'HUECORRECT',
  'COLORBALANCE',
  'COLORCORRECTION',
  'CURVE_RGB',
  'CURVE_VEC',
  'VALTORGB',
  'RGBTOBW',
  'MAP_VALUE',
  'MAP_RANGE',
  'NORMAL',
  'SEPRGBA',
  'COMBRGBA',
  'SEPHSVA',
  'COMBHSVA',
  'SEPYUVA',
  'COMBYUVA',
  'SEPYCCA',
  'COMBYCCA',
  'SEPARATE_COLOR',
  'COMBINE_COLOR',
]);

/**
 * How a scene's frames are checked: by a crop re-rendered (exact), or not by a crop of the frame
 * (why), and then by a crop of the view layer's render before the compositor (`raw`, where the
 * requester can run the compositor), or only by two providers' agreement.
 */
export type FrameCheck = { crop: true } | { crop: false; why: string; raw?: RawCheck };

/** The compositor run by the requester over one view layer's render, checked by a crop. */
interface RawCheck {
  /** The view layer whose render the compositor reads. */
  layer: string;
}

/** The Render Layers outputs whose pixels a render's RGBA EXR holds: the compositor may read no others from it. */
const RAW_OUTPUTS: ReadonlySet<string> = new Set(['Image', 'Alpha']);

/** Node types as the author sees them: GLARE → glare, BOKEHBLUR → bokehblur. */
const named = (types: readonly string[]): string =>
  types.length === 1
    ? `a ${types[0]!.toLowerCase()} node`
    : `${types
        .slice(0, 3)
        .map((t) => t.toLowerCase())
        .join(', ')}${types.length > 3 ? ', …' : ''} nodes`;

/** Whether a crop checks the scene's frames exactly; a report of an older node, which lacks the facts, is taken as no. */
export function frameCheckOf(report: OutputFacts): FrameCheck {
  const reasons: string[] = [];
  let compositorOnly = true;
  if (report.compositing) {
    if (report.compositor_nodes === undefined) reasons.push('the compositor runs on the whole frame');
    else {
      const reading = report.compositor_nodes.filter((type) => !PIXEL_WISE.has(type));
      if (reading.length > 0)
        reasons.push(
          `the compositor has ${named(reading)}, which ${reading.length === 1 ? 'reads' : 'read'} pixels outside a crop`,
        );
    }
    if (report.other_scenes === true) {
      reasons.push('the compositor renders another scene');
      compositorOnly = false;
    }
  }
  if (report.freestyle === true) reasons.push('Freestyle draws its lines over the whole frame');
  if (report.sequencer === true) reasons.push("the sequencer's strips make the output");
  if (reasons.length === 0) return { crop: true };
  const why = reasons.join('; ');
  const raw = compositorOnly && reasons.length === 1 && report.compositor_nodes ? rawCheckOf(report) : undefined;
  return raw ? { crop: false, why, raw } : { crop: false, why };
}

/** The view layer the compositor reads, when it reads only one's Image and Alpha (a report of an older node says nothing: none). */
function rawCheckOf(report: OutputFacts): RawCheck | undefined {
  const layers = report.render_layers;
  const layer = layers?.[0]?.layer;
  if (layer === undefined || !layers) return undefined;
  const one = layers.every((l) => l.layer === layer && l.outputs.every((o) => RAW_OUTPUTS.has(o)));
  return one ? { layer } : undefined;
}

/** How a job of the scene will have its frames checked, in words (the preflight's line and the form's card). */
export function checkWords(check: FrameCheck, readByPeer: boolean): string {
  if (readByPeer) return 'each frame rendered by two providers and compared (no Blender here to re-render a crop)';
  if (check.crop)
    return 'a random quarter of each frame re-rendered here; a frame that fails it is rendered whole here before anyone is convicted';
  if (check.raw)
    return `a random quarter of each frame's render before the compositor re-rendered here, then the compositor run here over the checked render (${check.why})`;
  return `each frame rendered by two providers and compared, never by a crop (${check.why}); a disagreement convicts nobody`;
}

/** Why a job of the scene cannot have EXR frames (`readByPeer`: no Blender on the requester), or undefined. */
export function exrRefusal(check: FrameCheck, readByPeer: boolean): string | undefined {
  if (readByPeer)
    return 'EXR frames need Blender on the requester, to read them (its frames are compared by their pixels)';
  if (check.crop) return undefined;
  if (check.raw)
    return `EXR frames of this scene are not made: its compositor runs here over the checked renders and writes PNG (${check.why})`;
  return `EXR frames of this scene cannot be checked (no crop can: ${check.why}; two providers' frames are compared as 8-bit PNG)`;
}
