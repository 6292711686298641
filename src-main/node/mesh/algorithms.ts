// The algorithms a node runs: the kernels shipped in wasm/ (a unit names a library and method, and
// the kernel behind it travels by CID like any module) and users' own modules under the unit ABI
// ("wasm"). A unit names its algorithm; the kernel's method travels in the unit's params, as the
// kernel reads it.
import { CUSTOM_WASM, RENDER_ALGORITHM, SHADER_ALGORITHM } from '../../core/protocol/algorithm-ids.js';
import { loadKernel, type KernelName } from '../exec/kernels.js';

interface Library {
  kernel: KernelName;
  /** The params key the kernel reads its method from. */
  methodParam: string;
  methods: readonly string[];
  /** Reference seconds per input MiB: the unit's time estimate (calibration measures only the render kernel). */
  secondsPerMiB: number;
}

const LIBRARIES: Record<string, Library> = {
  hash: { kernel: 'hash', methodParam: 'algorithm', methods: ['sha256', 'blake3'], secondsPerMiB: 0.02 },
  image: { kernel: 'image', methodParam: 'op', methods: ['resize', 'blur', 'grayscale'], secondsPerMiB: 0.2 },
};

export interface ResolvedAlgorithm {
  algorithmId: string;
  module: Uint8Array;
  params: Record<string, unknown>;
  secondsPerMiB: number;
}

/** The kernel behind `library/method`, or an error message a user can act on. */
export function resolveLibrary(
  library: string,
  method: string,
  params: Record<string, unknown> = {},
): ResolvedAlgorithm | string {
  const lib = Object.hasOwn(LIBRARIES, library) ? LIBRARIES[library] : undefined;
  if (!lib) return `unknown library "${library}": expected one of ${Object.keys(LIBRARIES).join(', ')}`;
  if (!lib.methods.includes(method))
    return `unknown method "${method}" of ${library}: expected one of ${lib.methods.join(', ')}`;
  return {
    algorithmId: `${library}/${method}`,
    module: loadKernel(lib.kernel),
    params: { ...params, [lib.methodParam]: method },
    secondsPerMiB: lib.secondsPerMiB,
  };
}

/** Every algorithm id this node can run, for its slots: shaders only when it takes them (GpuService.acceptsShaderUnits). */
export function supportedAlgorithms(shaders = false): string[] {
  return [
    ...Object.entries(LIBRARIES).flatMap(([library, lib]) => lib.methods.map((m) => `${library}/${m}`)),
    RENDER_ALGORITHM,
    CUSTOM_WASM,
    ...(shaders ? [SHADER_ALGORITHM] : []),
  ];
}

/** The shipped kernel modules, so a node can seed its blob store with them. */
export function shippedModules(): Uint8Array[] {
  return [...new Set([...Object.values(LIBRARIES).map((lib) => lib.kernel), 'render' as const])].map((kernel) =>
    loadKernel(kernel),
  );
}
