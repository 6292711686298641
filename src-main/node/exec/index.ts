export { Executor, type ExecSuccess, type ExecUnit, type ExecutorOptions } from './executor.js';
export { ExecError, EXEC_ERROR_CODES, type ExecErrorCode } from './errors.js';
export { DEFAULT_LIMITS, UnitLimitsSchema, type UnitLimits } from './limits.js';
export { sha256Hex } from './prepare.js';
