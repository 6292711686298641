// The library's methods: the kernels shipped in wasm/ (a unit names a library and method, and
// the kernel behind it travels by CID like any module), the library's WASI programs built from real
// libraries (wasm/library/: a method of theirs is a WASI job of the program, core/library/methods.ts).
// A unit names its algorithm; the kernel's method travels in the unit's params, as the kernel reads
// it, a program's in its args.
import { PROGRAM_LIBRARIES, programArgs } from '../../../core/library/methods.js';
import type { ProgramLibrary } from '../../../core/library/program.js';
import { WASI_PROGRAM } from '../../../core/protocol/algorithm-ids.js';
import type { KERNEL_LIBRARIES } from '../../../core/kinds/index.js';
import { describeError } from '../../../core/errors.js';
import { validate, type WasiUnitParams } from '../../../core/schemas/index.js';
import * as z from '../../../core/schemas/zod.js';
import { decodeInputFiles, framedBytes, MAX_ITEM_NAME_BYTES } from '../../exec/index.js';
import { loadKernel, loadLibraryModule, type KernelName } from '../../exec/kernels.js';

interface Library {
  kernel: KernelName;
  /** The params key the kernel reads its method from. */
  methodParam: string;
  /** Each method's params as docs/KERNELS.md has them, less the method's own key. */
  methods: Record<string, z.ZodMiniType<Record<string, unknown>>>;
  /** Reference seconds per input MiB: the unit's time estimate (calibration measures only the render kernel). */
  secondsPerMiB: number;
}

/** The shipped kernels' libraries, a table keyed by core/kinds' list of them. */
const LIBRARIES: Record<(typeof KERNEL_LIBRARIES)[number], Library> = {
  hash: {
    kernel: 'hash',
    methodParam: 'algorithm',
    methods: { sha256: z.strictObject({}), blake3: z.strictObject({}) },
    secondsPerMiB: 0.02,
  },
};

export interface ResolvedAlgorithm {
  algorithmId: string;
  /** What the job is called when not named: `library/method`. */
  label: string;
  module: Uint8Array;
  params: Record<string, unknown>;
  secondsPerMiB: number;
  /** A program's files (an input tree), mounted at /input in every unit. */
  files?: Uint8Array;
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
  /** A program's units: chunks of the input (the default), or framed items, a file each. */
  items?: WasiUnitParams['items'],
  /** A program's files, an input tree (files_base64): what its method's file params name. */
  files?: Uint8Array,
): ResolvedAlgorithm | string {
  const program = Object.hasOwn(PROGRAM_LIBRARIES, library) ? PROGRAM_LIBRARIES[library] : undefined;
  if (program) return resolveProgram(library, program, method, params, chunkBytes, items, files);
  const lib = Object.hasOwn(LIBRARIES, library) ? LIBRARIES[library as keyof typeof LIBRARIES] : undefined;
  if (!lib) return `unknown library "${library}": expected one of ${libraryNames().join(', ')}`;
  if (items === 'framed') return `items: ${library} is a kernel, whose units are chunks of the input, not framed items`;
  if (files) return `files_base64: ${library} is a kernel, which reads no files`;
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
  return {
    algorithmId,
    label: algorithmId,
    module: loadKernel(lib.kernel),
    params: { ...checked.value, [lib.methodParam]: method },
    secondsPerMiB: lib.secondsPerMiB,
  };
}

const libraryNames = () => [...Object.keys(LIBRARIES), ...Object.keys(PROGRAM_LIBRARIES)];

/** A method of a library's WASI program: a WASI job of the program, its args the method and params. */
function resolveProgram(
  library: string,
  lib: ProgramLibrary,
  method: string,
  params: Record<string, unknown>,
  chunkBytes: number,
  items: WasiUnitParams['items'] = 'chunks',
  files?: Uint8Array,
): ResolvedAlgorithm | string {
  const spec = Object.hasOwn(lib.methods, method) ? lib.methods[method] : undefined;
  if (!spec) return `unknown method "${method}" of ${library}: expected one of ${Object.keys(lib.methods).join(', ')}`;
  const label = `${library}/${method}`;
  const checked = validate(spec.params, params);
  if (!checked.ok) return `params of ${label} (docs/KERNELS.md): ${checked.error.message}`;
  // A framed unit holds its file's name and a header besides the file.
  const most =
    items === 'framed' ? framedBytes('x'.repeat(MAX_ITEM_NAME_BYTES), spec.maxInputBytes) : spec.maxInputBytes;
  if (chunkBytes > most)
    return `${label} takes at most ${spec.maxInputBytes} bytes of input a unit: the chunk size (${chunkBytes}) must be no more than ${most}`;
  const unread = unreadFiles(label, Object.keys(spec.fileParams ?? {}), checked.value, files);
  if (unread !== undefined) return unread;
  const unit: WasiUnitParams = { program: lib.module, args: programArgs(method, checked.value), env: {}, items };
  return {
    algorithmId: WASI_PROGRAM,
    label,
    module: loadLibraryModule(lib.module),
    params: unit,
    secondsPerMiB: lib.secondsPerMiB,
    ...(files ? { files } : {}),
  };
}

/**
 * Why a method's files do not fit its params: a file param naming no file given (every unit would
 * fail on it), or files given to a method that reads none; undefined when they fit.
 */
function unreadFiles(
  label: string,
  fileParams: readonly string[],
  params: Record<string, unknown>,
  files: Uint8Array | undefined,
): string | undefined {
  if (files && fileParams.length === 0) return `files_base64: ${label} reads no files`;
  let names: string[] = [];
  try {
    names = files ? decodeInputFiles(files).map(([path]) => path) : [];
  } catch (err) {
    return `files_base64 is not an input tree (a dag-cbor list of [path, bytes], as encodeInputFiles makes it): ${describeError(err)}`;
  }
  for (const param of fileParams) {
    const name = params[param];
    if (typeof name === 'string' && !names.includes(name))
      return `params of ${label}: params.${param}: ${JSON.stringify(name)} is not one of the job's files (${names.length === 0 ? 'none were given' : names.map((n) => JSON.stringify(n)).join(', ')})`;
  }
  return undefined;
}

/** Every kernel's algorithm id, `library/method`. */
export const kernelAlgorithms = (): string[] =>
  Object.entries(LIBRARIES).flatMap(([library, lib]) => Object.keys(lib.methods).map((m) => `${library}/${m}`));

/** The shipped kernel modules and library programs, so a node can seed its blob store with them. */
export function shippedModules(): Uint8Array[] {
  return [
    ...[...new Set([...Object.values(LIBRARIES).map((lib) => lib.kernel), 'render' as const])].map((kernel) =>
      loadKernel(kernel),
    ),
    ...Object.values(PROGRAM_LIBRARIES).map((lib) => loadLibraryModule(lib.module)),
  ];
}
