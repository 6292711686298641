export { Executor, type ExecSuccess, type ExecUnit } from './executor.js';
export { ExecError, type ExecErrorCode } from './errors.js';
export type { ModuleKind } from './metering.js';
export { DEFAULT_LIMITS, type UnitLimits } from './limits.js';
export { sha256Hex } from './prepare.js';
export { wasiRunOf } from './wasi/job-unit.js';
export { decodeWasiOutput } from './wasi/program.js';
export { decodeInputFiles, encodeInputFiles } from './wasi/unit-bytes.js';
export { encodeWasiItem, framedBytes, MAX_ITEM_NAME_BYTES } from './wasi/items.js';
