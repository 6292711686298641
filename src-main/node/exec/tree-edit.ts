// Putting an expression in another's place in binaryen's tree, for the rewrites of determinism.ts:
// binaryen.js sets each child through its kind's own setter (`Store.setValue`, `Call.setOperandAt`).
import binaryen from 'binaryen';
import { isSizedTableOp, setTableOpOperand } from './table-ops.js';
import { CHILD_FIELDS, expressionId, KINDS } from './wasm-tree.js';

// binaryen.js has this at runtime, but its typings do not list it.
const setters = binaryen as unknown as { Function: { setBody(this: void, func: number, body: number): void } };

/** Kinds whose `operands` list may hold the child. */
const WITH_OPERANDS = new Set<number>([
  binaryen.CallId,
  binaryen.CallIndirectId,
  binaryen.TupleMakeId,
  binaryen.ThrowId,
]);

/** Puts `replacement` where `child` was in `parent` (or as `func`'s body when parent is 0). */
export function replaceChild(func: number, parent: number, child: number, replacement: number): void {
  if (parent === 0) return setters.Function.setBody(func, replacement);
  const id = expressionId(parent);
  if (isSizedTableOp(id)) return setTableOpOperand(parent, child, replacement);
  const kind = (binaryen as unknown as Record<string, Record<string, (...args: number[]) => void>>)[KINDS.get(id)!]!;
  const info = binaryen.getExpressionInfo(parent) as unknown as Record<string, number> &
    Record<'children' | 'operands', number[]>;
  if (id === binaryen.BlockId) return kind.setChildAt!(parent, info.children.indexOf(child), replacement);
  if (id === binaryen.TryId) {
    if (info['body'] === child) return kind.setBody!(parent, replacement);
    const catches = (info as unknown as { catchBodies: number[] }).catchBodies;
    return kind.setCatchBodyAt!(parent, catches.indexOf(child), replacement);
  }
  if (WITH_OPERANDS.has(id) && info.operands.includes(child))
    return kind.setOperandAt!(parent, info.operands.indexOf(child), replacement);
  const field = id === binaryen.CallIndirectId ? 'target' : CHILD_FIELDS.get(id)!.find((k) => info[k] === child)!;
  kind[`set${field[0]!.toUpperCase()}${field.slice(1)}`]!(parent, replacement);
}
