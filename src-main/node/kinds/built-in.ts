// The built-in kinds, one for each of core/kinds' list (a missing one is a type error): the only
// place that names them all, for the wiring (node/mesh/wiring/mesh-node.ts).
import type { KindName } from '../../core/kinds/index.js';
import type { NodeContext } from '../mesh/context/node-context.js';
import { blenderKind } from './blender/index.js';
import { libraryKind } from './library/index.js';
import { moduleKind } from './module/index.js';
import { KindRegistry } from './registry.js';
import { renderKind } from './render/index.js';
import type { WorkloadKind } from './seam.js';
import { shaderKind } from './shader/index.js';
import { wasiKind } from './wasi/index.js';

/** The kinds of a node: the built-in ones, with its Blender once built (`blender`), and `own` besides. */
export function nodeKinds(blender: () => NodeContext['blender'], own: readonly WorkloadKind[] = []): KindRegistry {
  const builtIn: Record<KindName, WorkloadKind> = {
    library: libraryKind,
    module: moduleKind,
    wasi: wasiKind,
    shader: shaderKind,
    render: renderKind,
    blender: blenderKind(blender),
  };
  return new KindRegistry(builtIn, own);
}
