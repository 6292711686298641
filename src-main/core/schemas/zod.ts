// zod/mini, with objects parsed by zod's compiled object parser: import this module as `z` where
// zod/mini would be. zod/mini's own objects walk their shape on every parse; zod's classic objects
// compile one parser per shape at their first parse, about 4x faster a parse (a strict object of
// two fields: 436 ns against 114), and every event, message and API call is such an object.
// Everything else is zod/mini's, re-exported unchanged.
import * as core from 'zod/v4/core';
import { never, ZodMiniType, type ZodMiniObject } from 'zod/mini';

export * from 'zod/mini';

/**
 * zod/mini's object with the compiled parser's init. Named as zod/mini's own, so that it is one to
 * `instanceof ZodMiniObject`; extend, pick, omit and partial clone it through its constructor.
 */
// Through a declared type: zod types its init as an assertion, which TypeScript calls only so.
const initCompiledParser: (inst: core.$ZodObject, def: core.$ZodObjectDef) => void = (inst, def) =>
  core.$ZodObjectJIT.init(inst, def);
const CompiledObject = core.$constructor<ZodMiniObject>('ZodMiniObject', (inst, def) => {
  initCompiledParser(inst, def);
  ZodMiniType.init(inst, def);
  core.util.defineLazy(inst, 'shape', () => def.shape);
});

export function strictObject<T extends core.$ZodLooseShape>(shape: T): ZodMiniObject<T, core.$strict> {
  return new CompiledObject({ type: 'object', shape, catchall: never() }) as unknown as ZodMiniObject<T, core.$strict>;
}

export function object<T extends core.$ZodLooseShape>(shape: T): ZodMiniObject<T> {
  return new CompiledObject({ type: 'object', shape }) as unknown as ZodMiniObject<T>;
}
