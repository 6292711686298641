// Renders one frame on this machine, tile by tile, through the executor's pool: the reference a
// frame rendered across the mesh must match byte for byte, since both run the same kernel on the
// same tiles with the same params.
import { splitFrame, stitchTiles, tileParams } from '../../core/render/index.js';
import type { Executor, UnitLimits } from '../exec/index.js';
import { mapInFlight, RUNS_IN_FLIGHT } from '../exec/in-flight.js';
import { loadKernel } from '../exec/kernels.js';

export interface FrameRequest {
  /** The scene compiled for this frame (core/render compileScene). */
  sceneBlob: Uint8Array;
  frame: number;
  width: number;
  height: number;
  spp: number;
  tile: number;
  seed: number;
  limits?: Partial<UnitLimits>;
  /** Called as each tile lands, e.g. to show progress. */
  onTile?: (done: number, total: number) => void;
}

export interface RenderedFrame {
  rgba: Uint8Array;
  tiles: number;
  /** Fuel over all tiles: what the frame costs, the same on every machine. */
  fuel: number;
}

export async function renderFrameLocal(executor: Executor, request: FrameRequest): Promise<RenderedFrame> {
  const tiles = splitFrame(request.width, request.height, request.tile);
  if (!tiles.ok) throw new RangeError(tiles.error);
  const module = loadKernel('render');
  let done = 0;
  const results = await mapInFlight(tiles.value, RUNS_IN_FLIGHT, async (tile) => {
    const params = tileParams(request.frame, request.width, request.height, tile, request.spp, request.seed);
    const result = await executor.run({
      module,
      params: { ...params },
      input: request.sceneBlob,
      limits: request.limits,
    });
    request.onTile?.(++done, tiles.value.length);
    return { tile, rgba: result.output, fuel: result.fuel };
  });
  const frame = stitchTiles(request.width, request.height, results);
  if (!frame.ok) throw new Error(frame.error);
  return { rgba: frame.value, tiles: results.length, fuel: results.reduce((sum, r) => sum + r.fuel, 0) };
}
