// What a method of the library's WASI programs is (docs/KERNELS.md, "The library"): its params as
// the node checks them at submit, its limits and its output's name; methods.ts and
// video-methods.ts list them. Pure.
import type * as z from '../schemas/zod.js';

/** A param as the program reads it: NAME=VALUE, the value a string as it is, anything else as JSON. */
export type ParamValue = unknown;

export interface ProgramMethod {
  params: z.ZodMiniType<Record<string, ParamValue>>;
  /** The most bytes of input a unit takes: the program refuses more (it holds the input whole). */
  maxInputBytes: number;
  /** The name of the output `meshctl run --out` writes for an input file named `name`, with these params. */
  outputName: (name: string, params: Record<string, unknown>) => string;
  /**
   * `tar`: its one unit takes every file given, as one tar in the order of their names (a video's
   * frames): meshctl run, the Process files form and a workflow step pack them so (tar.ts oneTar).
   */
  takes?: 'tar';
  /**
   * The params that name one of the job's files (mounted at /input), which must be given, and what
   * each file is (the Process files form's picker for it): data/join's `right`, its right table.
   */
  fileParams?: Readonly<Record<string, string>>;
}

export interface ProgramLibrary {
  /** Its module: wasm/library/<module>.wasm, argv[0] too. */
  module: 'crypto' | 'image' | 'data' | 'audio' | 'video';
  methods: Record<string, ProgramMethod>;
  /** Reference seconds per input MiB: the estimate before the first unit is run at submit. */
  secondsPerMiB: number;
}
