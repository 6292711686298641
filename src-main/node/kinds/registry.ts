// The kinds a node knows: the built-in ones, one for each of core/kinds' list, and any the node was
// started with besides (MeshNodeOptions.kinds: a kind of one's own, as a test registers one).
import type { SubmitJobTerms } from '../../core/api/contract.js';
import { KIND_NAMES, type KindName } from '../../core/kinds/index.js';
import type { MeshState } from '../../core/mesh/state/state.js';
import type { AlgorithmCapability, WorkUnit } from '../../core/schemas/index.js';
import { ApiError } from '../api/errors.js';
import type { KindPlanner, Kinds, MachineOffer, WorkloadKind } from './seam.js';

/** Algorithm ids whose kind is remembered (a node meets a few dozen). */
const KNOWN_IDS = 256;

export class KindRegistry implements Kinds {
  readonly #kinds: readonly WorkloadKind[];
  /** The kinds of the algorithm ids seen, at most KNOWN_IDS of them: a unit's kind is asked on every step. */
  readonly #byId = new Map<string, WorkloadKind>();

  constructor(builtIn: Record<KindName, WorkloadKind>, own: readonly WorkloadKind[] = []) {
    const names = new Set<string>(KIND_NAMES);
    for (const kind of own) {
      if (names.has(kind.name)) throw new Error(`a kind named "${kind.name}" is known already`);
      names.add(kind.name);
    }
    // A node's own kinds first, so a built-in never takes their units; they must not recognise a built-in's ids.
    this.#kinds = [...own, ...KIND_NAMES.map((name) => builtIn[name])];
  }

  of(algorithmId: string): WorkloadKind | undefined {
    const known = this.#byId.get(algorithmId);
    if (known) return known;
    const kind = this.#kinds.find((one) => one.spec.recognises(algorithmId));
    // Ids come from peers: only so many are remembered, a hostile peer's thousand new ones are not.
    if (kind && this.#byId.size < KNOWN_IDS) this.#byId.set(algorithmId, kind);
    return kind;
  }

  refusal(state: MeshState, requester: string, unit: Pick<WorkUnit, 'algorithm_id'>): string | undefined {
    return this.of(unit.algorithm_id)?.runtime.refusal?.(state, requester, unit);
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

  all(): readonly WorkloadKind[] {
    return this.#kinds;
  }

  offers(machine: MachineOffer): AlgorithmCapability[] {
    return this.#kinds.flatMap((kind) => kind.runtime.offers(machine));
  }
}
