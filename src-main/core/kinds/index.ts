// The kinds of work the mesh does, as one closed list: what each is called, which algorithm ids are
// its units', and what its output is to the person who asked (units, a render's tiles, Blender's
// frames). A table keyed by KindName is a type error until every kind has its entry, so the
// compiler finds every place a new kind must fill in. How a kind is planned, run and checked on a
// node is node/kinds (docs/ARCHITECTURE.md, "Kinds of work").
import { isBlenderAlgorithm } from '../blender/algorithm.js';
import { CUSTOM_WASM, RENDER_ALGORITHM, SHADER_ALGORITHM, WASI_PROGRAM } from '../protocol/algorithm-ids.js';

/**
 * The WASI host's behaviour (node/exec/wasi): 2 since descriptors report their own rights and
 * flags, a listing's cookies survive removals, a poll of stdin at its end hangs up, trailing
 * slashes and writes through a folder answer as on Linux, and a folder may be mapped at a relative
 * name, told as written (1: before).
 */
export const WASI_HOST_VERSION = '2';

export const KIND_NAMES = ['library', 'module', 'wasi', 'shader', 'render', 'blender'] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** The shipped kernels' libraries (node/mesh/units/algorithms.ts): a unit of theirs is `library/method`. */
export const KERNEL_LIBRARIES = ['hash'] as const;

export interface KindSpec {
  /** What the UI calls it. */
  title: string;
  /** Whether a unit of this algorithm id is this kind's. */
  recognises(algorithmId: string): boolean;
  /**
   * The version of its engine's behaviour a unit names (`algorithm_version`) and a provider offers:
   * a unit goes only to providers whose engine gives its output byte for byte as the requester's
   * own does, so a node of another version is never convicted over a difference of engines. Raised
   * whenever a unit's output could change. Absent: ALGORITHM_VERSION, the protocol's.
   */
  version?: string;
  /** What its job's results are, as a person counts them. */
  noun: 'units' | 'tiles' | 'frames';
  /**
   * How its results make frames: `render`, tiles of the path tracer's frames; `blender`, Blender's
   * frames (a unit each, or tiles of one); `none`, a unit's output is all there is.
   */
  frames: 'none' | 'render' | 'blender';
  /**
   * What a unit's output is: bytes, or a program's run (its stdout, the files it wrote; its stderr
   * kept beside: node/exec/wasi/program.ts), which a workflow's step keeps whole.
   */
  outputs: 'bytes' | 'program';
  /**
   * How its results are checked before their consensus (node/mesh/verdicts/pre-checks.ts):
   * `results`, by their hash (or the unit's comparator), against the requester's own run where it
   * reruns them; `frames`, by their pixels, a crop the requester's Blender re-renders or two
   * providers' agreement (Blender's).
   */
  verifier: 'results' | 'frames';
  /** Whether the requester can run a unit itself to check it (its CPU's workers run it alike everywhere). */
  requesterReruns: boolean;
  /**
   * Whether its units, as a workflow's steps, wait a moment for a provider that holds their data:
   * a render's or a Blender job's units share their frame's scene instead, which crosses once.
   */
  dataLocality: boolean;
}

export const KINDS: Record<KindName, KindSpec> = {
  library: {
    title: 'Library method',
    recognises: (id) => KERNEL_LIBRARIES.some((library) => id.startsWith(`${library}/`)),
    noun: 'units',
    frames: 'none',
    outputs: 'bytes',
    verifier: 'results',
    requesterReruns: true,
    dataLocality: true,
  },
  module: {
    title: 'Your module',
    recognises: (id) => id === CUSTOM_WASM,
    noun: 'units',
    frames: 'none',
    outputs: 'bytes',
    verifier: 'results',
    requesterReruns: true,
    dataLocality: true,
  },
  wasi: {
    title: 'WASI program',
    recognises: (id) => id === WASI_PROGRAM,
    version: WASI_HOST_VERSION,
    noun: 'units',
    frames: 'none',
    outputs: 'program',
    verifier: 'results',
    requesterReruns: true,
    dataLocality: true,
  },
  shader: {
    title: 'WGSL shader',
    recognises: (id) => id === SHADER_ALGORITHM,
    noun: 'units',
    frames: 'none',
    outputs: 'bytes',
    verifier: 'results',
    requesterReruns: false, // a GPU's: the requester's CPU cannot run it
    dataLocality: true,
  },
  render: {
    title: 'Render',
    recognises: (id) => id === RENDER_ALGORITHM,
    noun: 'tiles',
    frames: 'render',
    outputs: 'bytes',
    verifier: 'results',
    requesterReruns: true,
    dataLocality: false,
  },
  blender: {
    title: 'Blender scene',
    recognises: isBlenderAlgorithm,
    noun: 'frames',
    frames: 'blender',
    outputs: 'bytes',
    verifier: 'frames',
    requesterReruns: false, // Blender's: checked by a crop or by two providers (core/blender/crop-check.ts)
    dataLocality: false,
  },
};

/**
 * The spec of the kind whose units have this algorithm id; undefined for one no built-in kind has
 * (a kind a node registered itself).
 */
export function specOf(algorithmId: string): KindSpec | undefined {
  const name = KIND_NAMES.find((kind) => KINDS[kind].recognises(algorithmId));
  return name === undefined ? undefined : KINDS[name];
}
