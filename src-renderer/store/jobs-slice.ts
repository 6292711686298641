// My jobs, render jobs and jobs of programs: the list, quoting and submitting, cancelling and
// setting a budget anew, the mosaics of the open ones (mosaics.ts), for jobs I accept by hand the
// offers waiting for me, where ended jobs' tiles ran (CPU or GPU), and the units of open jobs of
// programs (exit codes, stdout and stderr; the whole results of the Process files form's jobs and
// of the videos made of finished render jobs); Blender scenes preflighted, quoted and submitted,
// and the frames of open Blender jobs.
import { everyUnit } from '../../src-main/core/api/unit-pages.js';
import { countTileDevices } from '../gpu/gpu-format.js';
import type { JobView, UnitOutput } from '../../src-main/core/api/contract.js';
import { bytesOfBase64 } from '../base64.js';
import { jobFrames, videoRequest } from '../jobs/job-video.js';
import { decodeProgramOutput, preview, programEstimate } from '../kinds/wasi/program-form.js';
import type { JobsSlice, ProgramUnit, Slice } from './types.js';
import { MOSAIC_FRAMES, MosaicKeeper } from './mosaics.js';
import { blenderEstimate } from '../kinds/blender/blender-form.js';
import { blenderMosaic, tiledBlenderMosaic, withFramePng, withUnitProgress } from '../kinds/blender/blender-frames.js';

/** The characters of a unit's stdout and of its stderr its card shows. */
const PREVIEW_CHARS = 200;

/** A unit of a job of programs, as jobs.outputs gave it, for its card. */
function programUnit(unit: UnitOutput, keepResult: boolean): ProgramUnit {
  const output = unit.output_base64 === undefined ? undefined : decodeProgramOutput(bytesOfBase64(unit.output_base64));
  const stderr = unit.stderr_base64 === undefined ? new Uint8Array() : bytesOfBase64(unit.stderr_base64);
  return {
    index: unit.index,
    status: unit.status,
    failure: unit.failure,
    exit: output?.exit ?? null,
    stdout: output ? preview(output.stdout, PREVIEW_CHARS) : '',
    stderr: preview(stderr, PREVIEW_CHARS),
    files: output?.files ?? 0,
    ...(keepResult && output?.exit === 0 ? { result: output.stdout } : {}),
  };
}

export const jobsSlice: Slice<JobsSlice> = (set, get, transport) => {
  const mosaics = new MosaicKeeper(transport, set, get);
  const attempt = <T>(work: () => Promise<T>) => get().attempt(work);
  /** A job's view as a call answered it, in place of the one listed. */
  /** Blender jobs whose frames are being read, and those to read again once that is done. */
  const readingFrames = new Set<string>();
  const readAgain = new Set<string>();
  const replaceJob = (view: JobView) =>
    set((s) => ({ jobs: s.jobs?.map((j) => (j.job_id === view.job_id ? view : j)) ?? null }));
  return {
    jobs: null,
    workflows: null,
    mosaics: {},
    offers: {},
    tileDevices: {},
    programUnits: {},
    libraryJobs: {},

    async refreshJobs() {
      const [reply, flows] = await Promise.all([
        attempt(() => transport.call('jobs.list', {})),
        attempt(() => transport.call('workflows.list', {})),
      ]);
      const newestFirst = <T extends { submitted_at: string }>(items: readonly T[]) =>
        [...items].sort((a, b) => Date.parse(b.submitted_at) - Date.parse(a.submitted_at));
      if (reply) set({ jobs: newestFirst(reply.jobs) });
      if (flows) set({ workflows: newestFirst(flows.workflows) });
    },

    async submitRender(request) {
      const reply = await attempt(() => transport.call('render.submit', request));
      if (!reply) return undefined;
      await get().refreshJobs();
      mosaics.watch(reply.job_id).catch((error: unknown) => get().reportError(error));
      return reply.job_id;
    },

    estimateRender: (request) => attempt(() => transport.call('render.estimate', request)),

    async submitProgram(request) {
      const reply = await attempt(() => transport.call('jobs.submit', request));
      if (!reply) return undefined;
      await get().refreshJobs();
      return reply.job_id;
    },

    async submitLibrary(request, job) {
      const reply = await attempt(() => transport.call('jobs.submit', request));
      if (!reply) return undefined;
      // Known before the job is listed, so its units are read with their results from the first.
      set((s) => ({ libraryJobs: { ...s.libraryJobs, [reply.job_id]: job } }));
      await get().refreshJobs();
      return reply.job_id;
    },

    async runWorkflow(request) {
      const reply = await attempt(() => transport.call('workflows.run', request));
      if (!reply) return undefined;
      await get().refreshJobs();
      return reply.workflow_id;
    },

    async makeVideo(job) {
      const frames = await attempt(() => jobFrames(transport, job));
      if (!frames) return undefined;
      const made = videoRequest(job, frames);
      if (!made.ok) {
        get().reportError(made.error);
        return undefined;
      }
      return get().submitLibrary(made.value.request, made.value.job);
    },

    estimateProgram: (request) => attempt(() => transport.call('jobs.estimate', programEstimate(request))),

    async loadProgramUnits(jobId) {
      const reply = await attempt(() => transport.call('jobs.outputs', { job_id: jobId }));
      const keep = Object.hasOwn(get().libraryJobs, jobId);
      if (reply)
        set((s) => ({ programUnits: { ...s.programUnits, [jobId]: reply.outputs.map((u) => programUnit(u, keep)) } }));
    },

    preflightBlender: (scene) => attempt(() => transport.call('blender.preflight', scene)),

    estimateBlender: (request) => attempt(() => transport.call('jobs.estimate', blenderEstimate(request))),

    async submitBlender(request) {
      const reply = await attempt(() => transport.call('jobs.submit', request));
      if (!reply) return undefined;
      await get().refreshJobs();
      return reply.job_id;
    },

    async loadBlenderFrames(jobId) {
      if (readingFrames.has(jobId)) {
        readAgain.add(jobId);
        return;
      }
      readingFrames.add(jobId);
      try {
        // A job of tiles: its frames stitched by the requester, each read once whole (jobs.frame).
        const tiled = await attempt(() => transport.call('jobs.frames', { job_id: jobId }));
        if (tiled?.tiles) {
          const { mosaic, fetch } = tiledBlenderMosaic(
            { ...tiled, tiles: tiled.tiles },
            get().mosaics[jobId],
            MOSAIC_FRAMES,
          );
          set((s) => ({ mosaics: { ...s.mosaics, [jobId]: mosaic } }));
          for (const frame of fetch) {
            const read = await attempt(() => transport.call('jobs.frame', { job_id: jobId, frame }));
            const now = get().mosaics[jobId];
            if (read && now)
              set((s) => ({ mosaics: { ...s.mosaics, [jobId]: withFramePng(now, frame, read.png_base64) } }));
          }
          return;
        }
        const view = await attempt(() => transport.call('blender.frames', { job_id: jobId }));
        if (!view) return;
        const { mosaic, fetch } = blenderMosaic(view, get().mosaics[jobId], MOSAIC_FRAMES);
        set((s) => ({ mosaics: { ...s.mosaics, [jobId]: mosaic } }));
        for (const { frame, unitId } of fetch) {
          // An EXR frame is shown by its 8-bit PNG preview (blender.preview); a PNG frame is its unit's output.
          const png = await attempt(async () =>
            view.format === 'exr'
              ? (await transport.call('blender.preview', { job_id: jobId, unit_id: unitId })).png_base64
              : (await transport.call('jobs.output', { job_id: jobId, unit_id: unitId })).output_base64,
          );
          const now = get().mosaics[jobId];
          if (png && now) set((s) => ({ mosaics: { ...s.mosaics, [jobId]: withFramePng(now, frame, png) } }));
        }
      } finally {
        readingFrames.delete(jobId);
        if (readAgain.delete(jobId)) await get().loadBlenderFrames(jobId);
      }
    },

    async cancelJob(jobId) {
      const reply = await attempt(() => transport.call('jobs.cancel', { job_id: jobId }));
      if (reply) replaceJob(reply.job);
    },

    async setJobBudget(jobId, budget) {
      const reply = await attempt(() => transport.call('jobs.set_budget', { job_id: jobId, budget }));
      if (reply) replaceJob(reply.job);
      return reply !== undefined;
    },

    watchJob: (jobId) => mosaics.watch(jobId),
    unwatchJob: (jobId) => mosaics.unwatch(jobId),
    onRenderEvent: (event) => mosaics.onEvent(event),
    onUnitProgress({ data }) {
      const { job_id: jobId, unit_id: unitId, sample, of } = data;
      if (
        typeof jobId !== 'string' ||
        typeof unitId !== 'string' ||
        typeof sample !== 'number' ||
        typeof of !== 'number'
      )
        return;
      const mosaic = get().mosaics[jobId];
      const next = mosaic && withUnitProgress(mosaic, unitId, sample, of);
      if (next) set((s) => ({ mosaics: { ...s.mosaics, [jobId]: next } }));
    },
    reloadMosaics: () => mosaics.reloadAll(),

    async refreshOffers(jobId) {
      const reply = await attempt(() => transport.call('offers.list', { job_id: jobId }));
      if (reply) set((s) => ({ offers: { ...s.offers, [jobId]: reply.offers } }));
    },

    async loadTileDevices(jobId) {
      if (get().tileDevices[jobId]) return;
      const units = await attempt(() =>
        everyUnit(
          async (from) => (await transport.call('jobs.status', { job_id: jobId, units: true, units_from: from })).units,
        ),
      );
      if (units) set((s) => ({ tileDevices: { ...s.tileDevices, [jobId]: countTileDevices(units) } }));
    },

    async acceptOffers(jobId, peerId) {
      const reply = await attempt(() => transport.call('offers.accept', { job_id: jobId, node_id: peerId }));
      if (reply && reply.refused.length > 0) {
        const reasons = [...new Set(reply.refused.map((r) => r.reason))].join('; ');
        get().reportError(`${reply.accepted} accepted, ${reply.refused.length} refused: ${reasons}`);
      }
      await Promise.all([get().refreshOffers(jobId), get().refreshJobs()]);
    },
  };
};
