// A user's WGSL compute shader as a unit (shader/execute_shader): the code, its entry point,
// the workgroup size it declares, how many workgroups to dispatch and the size of its one output
// buffer. Checked here, before the GPU sees anything, against our caps and the adapter's limits;
// the ABI is in docs/UNIT_ABI.md ("WGSL units").
import * as z from '../schemas/zod.js';
import type { AdapterLimits } from './adapter.js';
import { LOOP_LIMITS, loopProblem } from './loops.js';

export const SHADER_LIMITS = {
  codeChars: 64 * 1024,
  /** The output buffer (binding 1): what one unit may ask the GPU to hold and send back. */
  bufferBytes: 64 << 20,
  /** The input buffer (binding 0): the unit's input bytes. */
  inputBytes: 16 << 20,
  /** Invocations in one dispatch (workgroups × workgroup size). */
  invocations: 1 << 26,
  ...LOOP_LIMITS,
} as const;

const Triple = z.tuple([
  z.int().check(z.minimum(1), z.maximum(2 ** 32)),
  z.int().check(z.minimum(1), z.maximum(2 ** 32)),
  z.int().check(z.minimum(1), z.maximum(2 ** 32)),
]);

export const ShaderSpecSchema = z
  .strictObject({
    wgsl_code: z.string().check(z.minLength(1), z.maxLength(SHADER_LIMITS.codeChars)),
    entry_point: z._default(
      z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'entry_point must be a WGSL identifier')),
      'main',
    ),
    /** Must match the entry point's @workgroup_size attribute. */
    workgroup_size: Triple,
    /** Workgroups to dispatch, x y z. */
    workgroups: Triple,
    /** Bytes of the output buffer, a multiple of 4; it starts zeroed and is the unit's output. */
    buffer_size: z
      .int()
      .check(z.minimum(4), z.maximum(2 ** 32), z.multipleOf(4, 'buffer_size must be a multiple of 4')),
  })
  // Loops are checked with the rest of the spec, so every place that reads one (the API at submit,
  // the provider, the runner page) refuses a shader whose loops may not end, the same way.
  .check(
    z.superRefine((spec, ctx) => {
      const invocations = [...spec.workgroups, ...spec.workgroup_size].reduce((a, b) => a * b, 1);
      const problem = loopProblem(spec.wgsl_code, spec.entry_point, invocations);
      if (problem) ctx.addIssue({ code: 'custom', path: ['wgsl_code'], message: problem });
    }),
  );
export type ShaderSpec = z.output<typeof ShaderSpecSchema>;

export type ShaderProblem = { code: 'bad_params' | 'limit'; message: string };

/**
 * Why this shader may not run here (null when it may): a workgroup size that is not the one the
 * code declares, or a buffer, input or dispatch over our caps or over what the adapter allows.
 */
export function checkShader(spec: ShaderSpec, inputBytes: number, limits: AdapterLimits): ShaderProblem | null {
  const declared = declaredWorkgroupSize(spec.wgsl_code, spec.entry_point);
  if (typeof declared === 'string') return { code: 'bad_params', message: declared };
  if (declared.some((n, i) => n !== spec.workgroup_size[i])) {
    return {
      code: 'bad_params',
      message: `workgroup_size [${spec.workgroup_size.join(', ')}] does not match the code's @workgroup_size(${declared.join(', ')})`,
    };
  }
  const maxBuffer = Math.min(SHADER_LIMITS.bufferBytes, limits.max_storage_buffer_binding_size, limits.max_buffer_size);
  if (spec.buffer_size > maxBuffer)
    return { code: 'limit', message: `buffer_size ${spec.buffer_size} is over the ${maxBuffer}-byte cap` };
  const maxInput = Math.min(SHADER_LIMITS.inputBytes, limits.max_storage_buffer_binding_size);
  if (inputBytes > maxInput)
    return { code: 'limit', message: `the input is ${inputBytes} bytes; a shader's input may be at most ${maxInput}` };
  const [sizeX, sizeY, sizeZ] = spec.workgroup_size;
  if (
    sizeX > limits.max_compute_workgroup_size_x ||
    sizeY > limits.max_compute_workgroup_size_y ||
    sizeZ > limits.max_compute_workgroup_size_z ||
    sizeX * sizeY * sizeZ > limits.max_compute_invocations_per_workgroup
  ) {
    return {
      code: 'limit',
      message: `workgroup_size [${sizeX}, ${sizeY}, ${sizeZ}] is over the adapter's limits (${limits.max_compute_invocations_per_workgroup} invocations per workgroup)`,
    };
  }
  const perDimension = limits.max_compute_workgroups_per_dimension;
  if (spec.workgroups.some((n) => n > perDimension))
    return {
      code: 'limit',
      message: `workgroups [${spec.workgroups.join(', ')}]: at most ${perDimension} per dimension`,
    };
  const invocations = spec.workgroups[0] * spec.workgroups[1] * spec.workgroups[2] * sizeX * sizeY * sizeZ;
  if (invocations > SHADER_LIMITS.invocations)
    return {
      code: 'limit',
      message: `the dispatch has ${invocations} invocations; the cap is ${SHADER_LIMITS.invocations}`,
    };
  return null;
}

/**
 * The @workgroup_size written on `fn entry`, as numbers, or why it cannot be read: only integer
 * literals count (an override constant's value is not known before the pipeline is made).
 */
export function declaredWorkgroupSize(code: string, entry: string): [number, number, number] | string {
  const fn = new RegExp(`\\bfn\\s+${entry}\\s*\\(`).exec(code);
  if (!fn) return `the code has no function "${entry}"`;
  // The attributes between the previous declaration's end and `fn`.
  const before = code.slice(0, fn.index);
  const attributes = before.slice(Math.max(before.lastIndexOf(';'), before.lastIndexOf('}')) + 1);
  if (!/@compute\b/.test(attributes)) return `"${entry}" is not a @compute entry point`;
  const size = /@workgroup_size\s*\(([^)]*)\)/.exec(attributes);
  if (!size) return `"${entry}" has no @workgroup_size`;
  const parts = size[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const numbers = parts.map((s) => (/^[0-9]+[iu]?$/.test(s) ? Number.parseInt(s, 10) : Number.NaN));
  if (numbers.length < 1 || numbers.length > 3 || numbers.some((n) => !Number.isSafeInteger(n))) {
    return `@workgroup_size of "${entry}" must be one to three integer literals`;
  }
  return [numbers[0]!, numbers[1] ?? 1, numbers[2] ?? 1];
}
