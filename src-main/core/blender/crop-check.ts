// Whether a crop re-rendered by the requester can check a provider's frame exactly
// (docs/BLENDER.md, "What a check can prove"). A crop is a border render of part of the frame: it
// is the same pixels as that part of the whole frame only when every pixel of the output depends
// on that pixel's own render alone. Compositor nodes that read other pixels (glare, blur, defocus,
// lens distortion, filters, denoise, transforms, normalize, tone mapping: anything not listed in
// PIXEL_WISE) make a crop's pixels differ from the frame's, and so do Freestyle's lines (drawn over
// the whole view), the sequencer's strips and a render layer of another scene. For such a scene no
// crop can convict: its frames are compared between two providers instead. Pure.

/** What a preflight report (preflight.ts) says of a scene's output that a crop could miss; absent: a node of an earlier version read it. */
export interface OutputFacts {
  compositing: boolean;
  compositor_nodes?: readonly string[] | undefined;
  other_scenes?: boolean | undefined;
  freestyle?: boolean | undefined;
  sequencer?: boolean | undefined;
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

/** How a scene's frames are checked: by a crop re-rendered (exact), or only by two providers' agreement (and why). */
export type FrameCheck = { crop: true } | { crop: false; why: string };

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
  if (report.compositing) {
    if (report.compositor_nodes === undefined) reasons.push('the compositor runs on the whole frame');
    else {
      const reading = report.compositor_nodes.filter((type) => !PIXEL_WISE.has(type));
      if (reading.length > 0)
        reasons.push(
          `the compositor has ${named(reading)}, which ${reading.length === 1 ? 'reads' : 'read'} pixels outside a crop`,
        );
    }
    if (report.other_scenes === true) reasons.push('the compositor renders another scene');
  }
  if (report.freestyle === true) reasons.push('Freestyle draws its lines over the whole frame');
  if (report.sequencer === true) reasons.push("the sequencer's strips make the output");
  return reasons.length === 0 ? { crop: true } : { crop: false, why: reasons.join('; ') };
}

/** How a job of the scene will have its frames checked, in words (the preflight's line and the form's card). */
export function checkWords(check: FrameCheck, readByPeer: boolean): string {
  if (readByPeer) return 'each frame rendered by two providers and compared (no Blender here to re-render a crop)';
  if (check.crop)
    return 'a random quarter of each frame re-rendered here; a frame that fails it is rendered whole here before anyone is convicted';
  return `each frame rendered by two providers and compared, never by a crop (${check.why}); a disagreement convicts nobody`;
}
