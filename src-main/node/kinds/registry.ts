// The kinds a node knows: the built-in ones, one for each of core/kinds' list, and any the node was
// started with besides (MeshNodeOptions.kinds: a kind of one's own, as a test registers one).
import type { SubmitJobTerms } from '../../core/api/contract.js';
import { KIND_NAMES, type KindName } from '../../core/kinds/index.js';
import type { AlgorithmCapability } from '../../core/schemas/index.js';
import { ApiError } from '../api/errors.js';
import type { KindPlanner, Kinds, MachineOffer, WorkloadKind } from './seam.js';

export class KindRegistry implements Kinds {
  readonly #kinds: readonly WorkloadKind[];

  constructor(builtIn: Record<KindName, WorkloadKind>, own: readonly WorkloadKind[] = []) {
    const names = new Set<string>(KIND_NAMES);
    for (const kind of own)
      if (names.has(kind.name) || !names.add(kind.name))
        throw new Error(`a kind named "${kind.name}" is known already`);
    // A node's own kinds first, so a built-in never takes their units; they must not recognise a built-in's ids.
    this.#kinds = [...own, ...KIND_NAMES.map((name) => builtIn[name])];
  }

  of(algorithmId: string): WorkloadKind | undefined {
    return this.#kinds.find((kind) => kind.spec.recognises(algorithmId));
  }

  planning(terms: SubmitJobTerms): WorkloadKind & { planner: KindPlanner } {
    const kind = this.#kinds.find((one) => one.planner?.claims(terms));
    if (kind?.planner) return kind as WorkloadKind & { planner: KindPlanner };
    const known = this.#kinds.filter((one) => one.planner).map((one) => one.name);
    throw new ApiError(
      'bad_request',
      terms.kind === undefined
        ? 'the terms name no kind of work this node plans'
        : `kind: "${terms.kind}" is no kind of work this node plans (it knows ${known.join(', ')})`,
    );
  }

  offers(machine: MachineOffer): AlgorithmCapability[] {
    return this.#kinds.flatMap((kind) => kind.runtime.offers(machine));
  }
}
