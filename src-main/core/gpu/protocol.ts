// What the node and its GPU runner page (src-gpu/) say to each other, over Playwright in a headless
// node or a MessagePort in the desktop app. Both ends validate what they receive: the page is our
// code, but it runs in a renderer that a hung shader or a lost device can leave in any state.
import * as z from '../schemas/zod.js';
import { Id, NonNegative } from '../schemas/primitives.js';
import { AdapterInfoSchema, AdapterLimitsSchema } from './adapter.js';
import { ShaderSpecSchema } from './shader.js';

const GPU_ERROR_CODES = [
  'no_adapter', // the browser has no WebGPU adapter (or only a software one, where that is not wanted)
  'bad_params', // the unit's params are refused before anything runs on the GPU
  'bad_input', // the unit's input (a scene blob, a buffer) is refused
  'shader_compile', // the WGSL does not compile, or its pipeline cannot be made
  'limit', // a buffer or dispatch over our caps or the adapter's limits
  'out_of_memory', // the GPU could not allocate what the unit needs
  'device_lost', // the device went away mid-unit (driver reset, watchdog); the runner was reloaded
  'timeout', // the unit ran past its time; the runner was reloaded
  'runner_failed', // the runner page crashed, closed or answered nonsense; it was reloaded
] as const;
export type GpuErrorCode = (typeof GPU_ERROR_CODES)[number];

/** Bytes travel as Uint8Array (Playwright and structured clone both carry typed arrays). */
const Bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, { error: 'expected bytes (a Uint8Array)' });

const RenderParamsSchema = z.record(z.string().check(z.maxLength(16)), z.number());

export const RunnerRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ id: z.int().check(z.minimum(0)), op: z.literal('probe') }),
  z.strictObject({
    id: z.int().check(z.minimum(0)),
    op: z.literal('render'),
    /** The scene blob's content id: the page keeps a few scenes uploaded, by this key. */
    scene_key: Id,
    /** The blob itself; left out when the page already has this scene. */
    scene: z.optional(Bytes),
    params: RenderParamsSchema,
  }),
  z.strictObject({ id: z.int().check(z.minimum(0)), op: z.literal('shader'), spec: ShaderSpecSchema, input: Bytes }),
]);
export type RunnerRequest = z.infer<typeof RunnerRequestSchema>;

const GpuFailureSchema = z.strictObject({ code: z.enum(GPU_ERROR_CODES), message: z.string().check(z.maxLength(512)) });

export const RunnerReplySchema = z.union([
  z.strictObject({
    id: z.int().check(z.minimum(0)),
    ok: z.literal(true),
    adapter: AdapterInfoSchema,
    limits: AdapterLimitsSchema,
  }),
  z.strictObject({ id: z.int().check(z.minimum(0)), ok: z.literal(true), output: Bytes, gpu_ms: NonNegative }),
  z.strictObject({ id: z.int().check(z.minimum(0)), ok: z.literal(false), error: GpuFailureSchema }),
  /** The page asks for the scene it does not (or no longer) hold; the node sends it again. */
  z.strictObject({ id: z.int().check(z.minimum(0)), ok: z.literal(false), need_scene: z.literal(true) }),
]);
export type RunnerReply = z.infer<typeof RunnerReplySchema>;
