// The library's methods that are WASI programs built from real libraries (docs/KERNELS.md, "The
// library"): each method's params as the node checks them at submit, the args its program is
// started with (`PROGRAM METHOD NAME=VALUE…`), and its limits. Pure: the node loads the programs
// (node/mesh/units/algorithms.ts) and meshctl names the outputs (cli/library-run.ts).
import * as z from '../schemas/zod.js';

export interface ProgramMethod {
  params: z.ZodMiniType<Record<string, string>>;
  /** The most bytes of input a unit takes: the program refuses more (it holds the input whole). */
  maxInputBytes: number;
  /** The most bytes of stdout a unit gives for an input of `bytes`. */
  maxOutputBytes: (bytes: number) => number;
  /** The name of the output `meshctl run --out` writes for an input file named `name`. */
  outputName: (name: string) => string;
}

export interface ProgramLibrary {
  /** Its module: wasm/library/<module>.wasm, argv[0] too. */
  module: 'crypto';
  methods: Record<string, ProgramMethod>;
  /** Reference seconds per input MiB: the estimate before the first unit is run at submit. */
  secondsPerMiB: number;
}

const hex = (bytes: number) =>
  z.string().check(z.regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes * 2} lowercase hex digits`));
/** The most a method holding the input whole takes: with its output, well inside a unit's 64 MiB. */
const WHOLE_INPUT_BYTES = 24 * 2 ** 20;
/** What a streaming hash reads: any chunk a job may have. */
const STREAMED_INPUT_BYTES = 2 ** 31;
/** XChaCha20-Poly1305's nonce and tag, around the ciphertext. */
const AEAD_OVERHEAD = 24 + 16;

const digest = (bytes: number, name: string): ProgramMethod => ({
  params: z.strictObject({}),
  maxInputBytes: STREAMED_INPUT_BYTES,
  maxOutputBytes: () => bytes,
  outputName: (file) => `${file}.${name}`,
});

const aead = (encrypt: boolean): ProgramMethod => ({
  params: z.strictObject({ key: hex(32), ad: z.optional(z.string().check(z.regex(/^([0-9a-f]{2}){0,4096}$/))) }),
  maxInputBytes: WHOLE_INPUT_BYTES,
  maxOutputBytes: (bytes) => (encrypt ? bytes + AEAD_OVERHEAD : Math.max(0, bytes - AEAD_OVERHEAD)),
  outputName: (file) => (encrypt ? `${file}.enc` : file.replace(/\.enc$/, '')),
});

export const PROGRAM_LIBRARIES: Record<string, ProgramLibrary> = {
  crypto: {
    module: 'crypto',
    methods: {
      sha256: digest(32, 'sha256'),
      sha512: digest(64, 'sha512'),
      blake3: digest(32, 'blake3'),
      ed25519_sign: {
        params: z.strictObject({ seed: hex(32) }),
        maxInputBytes: WHOLE_INPUT_BYTES,
        maxOutputBytes: () => 64,
        outputName: (file) => `${file}.sig`,
      },
      ed25519_verify: {
        params: z.strictObject({ public_key: hex(32), signature: hex(64) }),
        maxInputBytes: WHOLE_INPUT_BYTES,
        maxOutputBytes: () => 'invalid\n'.length,
        outputName: (file) => `${file}.verified`,
      },
      aead_encrypt: aead(true),
      aead_decrypt: aead(false),
    },
    secondsPerMiB: 0.01,
  },
};

/** The program's args: the method, then each param as NAME=VALUE, sorted by name (one argv per params). */
export function programArgs(method: string, params: Record<string, string>): string[] {
  return [
    method,
    ...Object.keys(params)
      .sort()
      .map((name) => `${name}=${params[name]}`),
  ];
}
