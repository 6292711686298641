// What a method of the library's WASI programs declares (core/library/methods.ts and each
// library's own file of methods, such as audio-methods.ts): its params, its most input and the name
// of its output. Pure.
import type * as z from '../schemas/zod.js';

/** A param as the program reads it: NAME=VALUE, the value a string as it is, anything else as JSON. */
export type ParamValue = unknown;

export interface ProgramMethod {
  params: z.ZodMiniType<Record<string, ParamValue>>;
  /** The most bytes of input a unit takes: the program refuses more (it holds the input whole). */
  maxInputBytes: number;
  /** The name of the output `meshctl run --out` writes for an input file named `name`, with these params. */
  outputName: (name: string, params: Record<string, unknown>) => string;
}
