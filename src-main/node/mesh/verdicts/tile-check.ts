// The requester's check of render tiles verified by comparator (core/render/tile-verify.ts): it
// fetches every result's output, spot-checks each GPU tile against its own low-spp CPU render of
// the tile, and gives consensus a comparator: two CPU tiles must be identical (the WASM kernel is
// deterministic), a GPU tile agrees with another tile within the unit's PSNR tolerance.
import type { Comparator } from '../../../core/consensus/index.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import { SPOT_CHECK, spotCheckPasses, tilesAgree } from '../../../core/render/index.js';
import type { WorkResult, WorkUnit } from '../../../core/schemas/index.js';
import type { Executor } from '../../exec/index.js';
import type { NodeContext } from '../context/node-context.js';
import { OutputFetches } from './output-fetches.js';
import { tileFetchCap } from '../units/unit-run.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type TileCheckNeeds = Pick<NodeContext, 'blobs' | 'fetchBlob' | 'log' | 'signal'>;

export interface TileCheck {
  comparator: Comparator;
  /** Results whose output could not be fetched: they cannot be judged (nor convicted). */
  unfetchable: Set<string>;
  /** GPU tiles checked against my CPU render: false when not a tile of this unit or failing the spot-check. */
  spotChecks: Map<string, boolean>;
}

export class TileChecker {
  /** The requester's low-spp CPU render of each unit being decided. */
  readonly #cpuTiles = new Map<string, Uint8Array>();
  /** Spot-check outcomes, by result id, until the unit's verdict. */
  readonly #spotChecked = new Map<string, boolean>();
  readonly #fetches: OutputFetches;
  /** Outputs fetched for the units being decided, by result id, until their verdict. */
  readonly #fetched = new Map<string, Uint8Array>();

  constructor(
    private readonly ctx: TileCheckNeeds,
    private readonly executor: Executor,
  ) {
    this.#fetches = new OutputFetches(ctx);
  }

  /** The check for consensus; undefined while an output is still to be fetched (decide again later). */
  async prepare(unit: WorkUnit, assignments: readonly AssignmentRecord[]): Promise<TileCheck | undefined> {
    const results = assignments.flatMap((assignment) =>
      assignment.result ? [{ result: assignment.result, provider: assignment.acceptance.provider_peer }] : [],
    );
    // CPU tiles are bit-exact: with no GPU tile among them, their hashes say it all.
    if (!results.some(({ result }) => result.device === 'gpu'))
      return { comparator: (a, b) => a.hash === b.hash, unfetchable: new Set(), spotChecks: new Map() };
    const w = Number(unit.params?.['w']);
    const h = Number(unit.params?.['h']);
    const tiles = new Map<string, { bytes: Uint8Array; gpu: boolean }>();
    const unfetchable = new Set<string>();
    const spotChecks = new Map<string, boolean>();
    let waiting = false;
    for (const { result, provider } of results) {
      // Held here until the verdict, not stored: a tile that loses is not kept (frames.ts stores the winner).
      const bytes =
        this.#fetched.get(result.result_id) ?? (await this.#fetches.fetch(result, provider, tileFetchCap(unit), false));
      if (bytes === 'later') waiting = true;
      if (bytes === 'lost') unfetchable.add(result.result_id);
      if (typeof bytes === 'string') continue;
      this.#fetched.set(result.result_id, bytes);
      if (bytes.length !== w * h * 4) {
        // A deterministic failure ({"error": …}) every honest worker reports: compared by hash.
        if (result.device !== 'gpu') tiles.set(result.result_id, { bytes, gpu: false });
        else spotChecks.set(result.result_id, false);
        continue;
      }
      const passed = result.device === 'gpu' ? await this.#passesSpotCheck(unit, result, bytes, w, h) : undefined;
      if (passed !== undefined) spotChecks.set(result.result_id, passed);
      tiles.set(result.result_id, { bytes, gpu: result.device === 'gpu' });
    }
    if (waiting) return undefined;
    const tolerance = unit.verification?.kind === 'comparator' ? unit.verification.tolerance : Infinity;
    const comparator: Comparator = (a, b) => {
      if (a.hash === b.hash) return true;
      const ta = tiles.get(a.result_id);
      const tb = tiles.get(b.result_id);
      return ta !== undefined && tb !== undefined && (ta.gpu || tb.gpu) && tilesAgree(ta.bytes, tb.bytes, tolerance);
    };
    return { comparator, unfetchable, spotChecks };
  }

  /** The unit has its verdict: what was kept for it goes. */
  forget(unitId: string, results: readonly WorkResult[]): void {
    this.#cpuTiles.delete(unitId);
    for (const r of results) {
      this.#spotChecked.delete(r.result_id);
      this.#fetched.delete(r.result_id);
    }
    this.#fetches.forget(results);
  }

  /** Whether the GPU tile passes its spot-check; undefined when I cannot render it (then nothing is concluded). */
  async #passesSpotCheck(
    unit: WorkUnit,
    result: WorkResult,
    tile: Uint8Array,
    w: number,
    h: number,
  ): Promise<boolean | undefined> {
    const known = this.#spotChecked.get(result.result_id);
    if (known !== undefined) return known;
    let cpu = this.#cpuTiles.get(unit.unit_id);
    if (!cpu) {
      const module = unit.module_cid ? this.ctx.blobs.get(unit.module_cid) : undefined;
      const input = unit.input_cid ? this.ctx.blobs.get(unit.input_cid) : undefined;
      if (!module || !input) return undefined;
      const spp = Math.min(SPOT_CHECK.spp, Number(unit.params?.['spp']));
      cpu = (await this.executor.run({ module, input, params: { ...unit.params, spp } })).output;
      this.#cpuTiles.set(unit.unit_id, cpu);
    }
    const passed = spotCheckPasses(tile, cpu, w, h);
    this.#spotChecked.set(result.result_id, passed);
    if (!passed) this.ctx.log(`the GPU tile of ${result.result_id} failed its CPU spot-check`);
    return passed;
  }
}
