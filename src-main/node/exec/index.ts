export { Executor, type ExecSuccess, type ExecUnit } from './executor.js';
export { ExecError, type ExecErrorCode } from './errors.js';
export { DEFAULT_LIMITS, type UnitLimits } from './limits.js';
export { sha256Hex } from './prepare.js';
