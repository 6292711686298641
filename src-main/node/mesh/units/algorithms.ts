// The algorithms a node runs: the kernels shipped in wasm/ (a unit names a library and method, and
// the kernel behind it travels by CID like any module) and users' own modules under the unit ABI
// ("wasm"). A unit names its algorithm; the kernel's method travels in the unit's params, as the
// kernel reads it.
import { CUSTOM_WASM, RENDER_ALGORITHM, SHADER_ALGORITHM, WASI_PROGRAM } from '../../../core/protocol/algorithm-ids.js';
import { validate } from '../../../core/schemas/index.js';
import * as z from '../../../core/schemas/zod.js';
import { loadKernel, type KernelName } from '../../exec/kernels.js';

interface Library {
  kernel: KernelName;
  /** The params key the kernel reads its method from. */
  methodParam: string;
  /** Each method's params as docs/KERNELS.md has them, less the method's own key. */
  methods: Record<string, z.ZodMiniType<Record<string, unknown>>>;
  /** The bytes of one unit's input, when the params fix it (an image's): its chunk must be that. */
  unitBytes?: (params: Record<string, unknown>) => number;
  /** Reference seconds per input MiB: the unit's time estimate (calibration measures only the render kernel). */
  secondsPerMiB: number;
}

const ImageSide = z.int().check(z.minimum(1), z.maximum(16_384));
const IMAGE = { width: ImageSide, height: ImageSide };

const LIBRARIES: Record<string, Library> = {
  hash: {
    kernel: 'hash',
    methodParam: 'algorithm',
    methods: { sha256: z.strictObject({}), blake3: z.strictObject({}) },
    secondsPerMiB: 0.02,
  },
  image: {
    kernel: 'image',
    methodParam: 'op',
    methods: {
      resize: z.strictObject({
        ...IMAGE,
        out_width: ImageSide,
        out_height: ImageSide,
        filter: z.enum(['lanczos3', 'bilinear']),
      }),
      blur: z.strictObject({ ...IMAGE, sigma: z.number().check(z.positive(), z.maximum(100)) }),
      grayscale: z.strictObject(IMAGE),
    },
    unitBytes: (params) => (params.width as number) * (params.height as number) * 4,
    secondsPerMiB: 0.2,
  },
};

export interface ResolvedAlgorithm {
  algorithmId: string;
  module: Uint8Array;
  params: Record<string, unknown>;
  secondsPerMiB: number;
  /** Every unit must be exactly `chunk_bytes` (an image of the params' size): the input is whole units. */
  wholeUnits: boolean;
}

/**
 * The kernel behind `library/method`, with its params checked as the kernel would check them (a
 * job the kernel refuses would be paid for and fail, unit by unit), or an error message a user can
 * act on.
 */
export function resolveLibrary(
  library: string,
  method: string,
  params: Record<string, unknown>,
  chunkBytes: number,
): ResolvedAlgorithm | string {
  const lib = Object.hasOwn(LIBRARIES, library) ? LIBRARIES[library] : undefined;
  if (!lib) return `unknown library "${library}": expected one of ${Object.keys(LIBRARIES).join(', ')}`;
  const schema = Object.hasOwn(lib.methods, method) ? lib.methods[method] : undefined;
  if (!schema)
    return `unknown method "${method}" of ${library}: expected one of ${Object.keys(lib.methods).join(', ')}`;
  const algorithmId = `${library}/${method}`;
  // The method's key may be given too (KERNELS.md writes it in the params), if it names the method.
  const { [lib.methodParam]: named, ...rest } = params;
  if (named !== undefined && named !== method)
    return `params.${lib.methodParam}: ${JSON.stringify(named)} is not the method, ${method}`;
  const checked = validate(schema, rest);
  if (!checked.ok) return `params of ${algorithmId} (docs/KERNELS.md): ${checked.error.message}`;
  const unitBytes = lib.unitBytes?.(checked.value);
  if (unitBytes !== undefined && unitBytes !== chunkBytes)
    return `a unit of ${algorithmId} is one image of width × height × 4 = ${unitBytes} bytes: the chunk size must be that, not ${chunkBytes}`;
  return {
    algorithmId,
    module: loadKernel(lib.kernel),
    params: { ...checked.value, [lib.methodParam]: method },
    secondsPerMiB: lib.secondsPerMiB,
    wholeUnits: unitBytes !== undefined,
  };
}

/**
 * Every algorithm id this node can run, for its slots: shaders only when it takes them
 * (GpuService.acceptsShaderUnits), Blender's only when it renders Blender scenes (BlenderProbe).
 */
export function supportedAlgorithms(shaders = false, blender?: string): string[] {
  return [
    ...Object.entries(LIBRARIES).flatMap(([library, lib]) => Object.keys(lib.methods).map((m) => `${library}/${m}`)),
    RENDER_ALGORITHM,
    CUSTOM_WASM,
    WASI_PROGRAM,
    ...(shaders ? [SHADER_ALGORITHM] : []),
    ...(blender !== undefined ? [blender] : []),
  ];
}

/** The shipped kernel modules, so a node can seed its blob store with them. */
export function shippedModules(): Uint8Array[] {
  return [...new Set([...Object.values(LIBRARIES).map((lib) => lib.kernel), 'render' as const])].map((kernel) =>
    loadKernel(kernel),
  );
}
