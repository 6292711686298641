// Jobs: the New job card, whose tabs pick the form shown (a render job, a Blender scene, a library
// method over files (Process files), a job of your own WASI program or a workflow: its document and
// inputs; components/NewJobCard.tsx), and my jobs, newest first, each opening onto its frames
// filling in tile by tile (a Blender job's frame by frame), the files' results, or a program's units
// with their exit codes, stdout and stderr (and, for manual accept, the offers to accept); above
// them my newest workflows, each as a live graph whose steps open their jobs. A finished render or
// Blender job's card makes its frames into a video, whose own card opens to play it.
import { useCallback, useEffect, useMemo, useState } from 'react';
import orbitScene from '../../assets/scenes/orbit.json';
import sampleScene from '../../assets/scenes/sample.json';
import { useActions, useMesh } from '../app/store-context.js';
import { Card, EmptyState, Loading, PageHeader } from '../components/basics.js';
import { FrameViewer } from '../components/FrameViewer.js';
import { JobCard } from '../components/JobCard.js';
import { specOf } from '../../src-main/core/kinds/index.js';
import type { BlenderRequest } from '../kinds/blender/blender-form.js';
import { NewJobCard } from '../components/NewJobCard.js';
import type { SampleScene } from '../kinds/render/RenderForm.js';
import type { JobView } from '../../src-main/core/api/contract.js';
import type { LibraryJob } from '../kinds/library/library-form.js';
import type { ProgramRequest } from '../kinds/wasi/program-form.js';
import { WorkflowGraph } from '../components/WorkflowGraph.js';
import type { RenderRequest, Scene } from '../kinds/render/render-form.js';

// JSON arrays type as number[], not the scene's [x, y, z] tuples; these files are the shipped samples.
const SAMPLES: SampleScene[] = [
  { id: 'sample', label: 'Sample: spheres, glass and metal', scene: sampleScene as unknown as Scene },
  { id: 'orbit', label: 'Orbit: moving objects (24 frames)', scene: orbitScene as unknown as Scene },
];

/** The newest workflows shown as graphs above the jobs (their steps' jobs are in the list below). */
const WORKFLOWS_SHOWN = 5;

/** Where tiles ran is counted from every unit of the job in one reply; past this many that reply is too big to fetch for one line. */
const TILE_DEVICES_MAX_UNITS = 10_000;

export function JobsPage() {
  const jobs = useMesh((s) => s.jobs);
  const workflows = useMesh((s) => s.workflows);
  const mosaics = useMesh((s) => s.mosaics);
  const offers = useMesh((s) => s.offers);
  const tileDevices = useMesh((s) => s.tileDevices);
  const programUnits = useMesh((s) => s.programUnits);
  const libraryJobs = useMesh((s) => s.libraryJobs);
  const peers = useMesh((s) => s.peers);
  const balance = useMesh((s) => s.status?.balance ?? 0);
  const {
    submitRender,
    estimateRender,
    submitProgram,
    submitLibrary,
    makeVideo,
    runWorkflow,
    estimateProgram,
    loadProgramUnits,
    preflightBlender,
    estimateBlender,
    submitBlender,
    loadBlenderFrames,
    cancelJob,
    setJobBudget,
    watchJob,
    unwatchJob,
    refreshOffers,
    acceptOffers,
    loadTileDevices,
    reportError,
  } = useActions();
  // Open cards: the newest job by default, and each job submitted from here.
  const [opened, setOpened] = useState<Set<string> | null>(null);
  const [viewing, setViewing] = useState<{ jobId: string; frame: number } | null>(null);

  const open = useMemo(() => opened ?? new Set(jobs?.[0] ? [jobs[0].job_id] : []), [opened, jobs]);
  const names = useMemo(() => new Map((peers ?? []).filter((p) => p.name).map((p) => [p.peer_id, p.name!])), [peers]);

  // Watch what is open; read again only when the open set or a job's state changes (openKey), not on every progress tick.
  // Where tiles ran is read once a job has ended, when its counts are final: no polling while it runs.
  const openJobs = (jobs ?? []).filter((j) => open.has(j.job_id));
  const openKey = openJobs.map((j) => `${j.job_id}:${j.state}`).join(',');
  // A job of programs' units are read again as more of them are verified or fail.
  const programKey = openJobs
    .filter((j) => specOf(j.algorithm)?.outputs === 'program')
    .map((j) => `${j.job_id}:${j.units_verified}:${j.units_failed}`)
    .join(',');
  useEffect(() => {
    for (const job of openJobs)
      if (specOf(job.algorithm)?.outputs === 'program') loadProgramUnits(job.job_id).catch(reportError);
    // oxlint-disable-next-line react-hooks/exhaustive-deps, react/exhaustive-effect-dependencies -- programKey stands for the open jobs of programs' progress
  }, [programKey, loadProgramUnits, reportError]);
  // A Blender job's frames are read again as its units are taken (what is held changes), verified or fail.
  const blenderKey = openJobs
    .filter((j) => specOf(j.algorithm)?.frames === 'blender')
    .map((j) => `${j.job_id}:${j.state}:${j.held}:${j.units_verified}:${j.units_failed}`)
    .join(',');
  useEffect(() => {
    for (const job of openJobs)
      if (specOf(job.algorithm)?.frames === 'blender') loadBlenderFrames(job.job_id).catch(reportError);
    // oxlint-disable-next-line react-hooks/exhaustive-deps, react/exhaustive-effect-dependencies -- blenderKey stands for the open Blender jobs' progress
  }, [blenderKey, loadBlenderFrames, reportError]);
  useEffect(() => {
    for (const job of openJobs) {
      const render = specOf(job.algorithm)?.frames === 'render';
      if (render) watchJob(job.job_id).catch(reportError);
      if (job.manual_accept && job.state === 'running') refreshOffers(job.job_id).catch(reportError);
      const ended = job.state !== 'running' && job.state !== 'paused';
      if (render && ended && job.units_total <= TILE_DEVICES_MAX_UNITS) loadTileDevices(job.job_id).catch(reportError);
    }
    // oxlint-disable-next-line react-hooks/exhaustive-deps, react/exhaustive-effect-dependencies -- openKey stands for openJobs on purpose (see above)
  }, [openKey, watchJob, refreshOffers, loadTileDevices, reportError]);
  const closeViewer = useCallback(() => setViewing(null), []);

  const toggle = useCallback(
    (jobId: string) => {
      const next = new Set(open);
      if (next.has(jobId)) {
        next.delete(jobId);
        unwatchJob(jobId);
      } else next.add(jobId);
      setOpened(next);
    },
    [open, unwatchJob],
  );

  const submit = async (request: RenderRequest) => {
    const jobId = await submitRender(request);
    if (jobId) setOpened(new Set([...open, jobId]));
    return jobId !== undefined;
  };

  const render = async (request: BlenderRequest) => {
    const jobId = await submitBlender(request);
    if (jobId) setOpened(new Set([...open, jobId]));
    return jobId !== undefined;
  };

  const run = async (request: ProgramRequest) => {
    const jobId = await submitProgram(request);
    if (jobId) setOpened(new Set([...open, jobId]));
    return jobId !== undefined;
  };

  const process = async (request: ProgramRequest, job: LibraryJob) => {
    const jobId = await submitLibrary(request, job);
    if (jobId) setOpened(new Set([...open, jobId]));
    return jobId !== undefined;
  };

  const video = async (job: JobView) => {
    const jobId = await makeVideo(job);
    if (jobId) setOpened(new Set([...open, jobId]));
  };
  const viewedJob = viewing && jobs?.find((j) => j.job_id === viewing.jobId);
  const viewedMosaic = viewing ? mosaics[viewing.jobId] : undefined;
  const viewedPng = viewing && viewedMosaic?.frames.find((f) => f.frame === viewing.frame)?.png;
  // oxlint-disable-next-line react/purity -- the ages are shown as of this render
  const nowMs = Date.now();
  return (
    <div className="page" data-testid="page-jobs">
      <PageHeader
        title="Jobs"
        subtitle="Render scenes (ours or Blender's), process files with a library, or run your own programs, on the machines of the peers who trust you; results appear as they are verified."
      />
      <div className="jobs-layout">
        <div className="jobs-forms">
          <NewJobCard
            samples={SAMPLES}
            balance={balance}
            onEstimateRender={estimateRender}
            onSubmitRender={submit}
            onPreflightBlender={preflightBlender}
            onEstimateBlender={estimateBlender}
            onSubmitBlender={render}
            onEstimateProgram={estimateProgram}
            onSubmitLibrary={process}
            onSubmitProgram={run}
            onRunWorkflow={async (request) => (await runWorkflow(request)) !== undefined}
          />
        </div>
        <div className="jobs-list">
          {(workflows ?? []).slice(0, WORKFLOWS_SHOWN).map((view) => (
            <WorkflowGraph
              key={view.workflow_id}
              view={view}
              onOpenJob={(jobId) => setOpened(new Set([...open, jobId]))}
            />
          ))}
          {jobs === null ? (
            <Loading what="jobs" />
          ) : jobs.length === 0 ? (
            <Card>
              <EmptyState icon="jobs" title="No jobs yet">
                Render the sample scene with the form: your peers' machines render its tiles, and the frames fill in
                here. Peers only work for you if they trust you.
              </EmptyState>
            </Card>
          ) : (
            jobs.map((job) => (
              <JobCard
                key={job.job_id}
                job={job}
                mosaic={mosaics[job.job_id]}
                programUnits={programUnits[job.job_id]}
                libraryJob={libraryJobs[job.job_id]}
                offers={offers[job.job_id]}
                tileDevices={tileDevices[job.job_id]}
                names={names}
                open={open.has(job.job_id)}
                nowMs={nowMs}
                onToggle={() => toggle(job.job_id)}
                onCancel={() => void cancelJob(job.job_id)}
                onSetBudget={(budget) => setJobBudget(job.job_id, budget)}
                onOpenFrame={(frame) => setViewing({ jobId: job.job_id, frame })}
                onAccept={(peerId) => void acceptOffers(job.job_id, peerId)}
                onMakeVideo={() => void video(job)}
              />
            ))
          )}
        </div>
      </div>
      {viewing && viewedMosaic && viewedPng && (
        <FrameViewer
          title={viewedJob?.name ?? viewing.jobId}
          frame={viewing.frame}
          width={viewedMosaic.width}
          height={viewedMosaic.height}
          png={viewedPng}
          onClose={closeViewer}
        />
      )}
    </div>
  );
}
