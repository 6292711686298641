// One job: its state and progress (a job paused short of budget says what it needs, and raises its
// budget to that at a click), and when open, its budget, the mosaic of each frame filling in (a
// job of programs: each unit's exit code, stdout and stderr; a job of the Process files form: each
// file's result; a Blender job: each frame's state, then the frame), the providers that refused its units
// and why, and, for a job I accept by hand, the offers waiting for me. A completed render or
// Blender job's card makes its frames into a video (jobs/job-video.ts), whose own card plays it.
import type { JobView, OfferView } from '../../src-main/core/api/contract.js';
import { formatAgo, formatCredits, shortPeerId } from '../format.js';
import { formatTileDevices, type TileDevices } from '../gpu/gpu-format.js';
import type { JobMosaic, ProgramUnit } from '../store/types.js';
import { Badge, Loading, type Tone } from './basics.js';
import { BudgetForm } from './BudgetForm.js';
import { OffersTable } from './OffersTable.js';
import { TileMosaic } from './TileMosaic.js';
import { ProgramUnits } from '../kinds/wasi/ProgramUnits.js';
import { LibraryResults } from '../kinds/library/LibraryResults.js';
import type { LibraryJob } from '../kinds/library/library-form.js';
import { packsInWords } from '../../src-main/core/mesh/rules/packs.js';
import { specOf } from '../../src-main/core/kinds/index.js';
import { makesVideo, VIDEO_FPS } from '../jobs/job-video.js';

const STATE_TONES: Record<JobView['state'], Tone> = {
  running: 'accent',
  paused: 'warn',
  completed: 'ok',
  failed: 'danger',
  cancelled: 'neutral',
};

export function JobCard({
  job,
  mosaic,
  programUnits,
  libraryJob,
  offers,
  tileDevices,
  names,
  open,
  nowMs,
  onToggle,
  onCancel,
  onSetBudget,
  onOpenFrame,
  onAccept,
  onMakeVideo,
}: {
  job: JobView;
  mosaic: JobMosaic | undefined;
  /** A job of programs' first units, once read. */
  programUnits: readonly ProgramUnit[] | undefined;
  /** What a job of the Process files form is, when it was submitted from this window: its card shows the results. */
  libraryJob: LibraryJob | undefined;
  offers: readonly OfferView[] | undefined;
  /** Where an ended job's verified tiles ran; undefined until read (or for a running job). */
  tileDevices: TileDevices | undefined;
  names: ReadonlyMap<string, string>;
  open: boolean;
  nowMs: number;
  onToggle: () => void;
  onCancel: () => void;
  onSetBudget: (budget: number) => Promise<boolean>;
  onOpenFrame: (frame: number) => void;
  onAccept: (peerId: string) => void;
  onMakeVideo: () => void;
}) {
  const pct = job.units_total > 0 ? Math.round((job.units_verified / job.units_total) * 100) : 0;
  // A render job's units are its frames' tiles; a Blender job's its frames; any other job's are units (core/kinds).
  const kind = specOf(job.algorithm);
  const what = kind?.noun ?? 'units';
  const packs = packsInWords(job.units_per_pack, job.units_total);
  const onGpu = tileDevices && formatTileDevices(tileDevices);
  // Running or paused: it has not ended, and may be cancelled or given a new budget.
  const live = job.state === 'running' || job.state === 'paused';
  return (
    <article className={`card job-card ${open ? 'is-open' : ''}`} data-testid={`job-${job.job_id}`}>
      <div className="job-header">
        <button type="button" className="job-toggle" onClick={onToggle} aria-expanded={open}>
          <span className={`chevron ${open ? 'is-open' : ''}`} aria-hidden="true" />
          <span className="job-title">{job.name}</span>
        </button>
        <Badge tone={STATE_TONES[job.state]}>
          <span data-testid={`job-state-${job.job_id}`}>{job.state}</span>
        </Badge>
        {job.budget_needed !== null && (
          <button
            type="button"
            className="button button-primary button-small"
            onClick={() => void onSetBudget(job.budget_needed!)}
            title="Sets its budget to what it needs to finish, at the cheapest offer's rate; it goes on at once."
            data-testid={`job-raise-${job.job_id}`}
          >
            Raise to {formatCredits(job.budget_needed)}
          </button>
        )}
        {makesVideo(job) && (
          <button
            type="button"
            className="button button-small"
            onClick={onMakeVideo}
            title={`Encodes its frames, in order, as a WebM at ${VIDEO_FPS} frames a second on the mesh (a video encode job, for at most this job's budget): its card plays it.`}
            data-testid={`job-video-${job.job_id}`}
          >
            Make video
          </button>
        )}
        {live && (
          <button type="button" className="button button-ghost button-small" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <div className="job-meta">
        <span>
          {job.units_verified}/{job.units_total} {what}
          {job.units_failed > 0 ? ` · ${job.units_failed} failed` : ''}
        </span>
        <span>
          {formatCredits(job.spent)} spent{job.held > 0 ? ` · ${formatCredits(job.held)} held` : ''} of{' '}
          {formatCredits(job.budget)}
        </span>
        <span>×{job.redundancy} redundancy</span>
        {packs !== undefined && (
          <span title="Its tiny units travel to providers together: each still runs alone and is checked alone.">
            {packs}
          </span>
        )}
        {job.units_awaiting_agreement > 0 && (
          <span
            className="text-warn"
            data-testid={`job-awaiting-${job.job_id}`}
            title="Their results came from a provider still on probation, or disagreed, and this computer cannot check them itself (a shader needs a GPU). They finish when a second provider you trust agrees, or when this one has passed its checks on work this computer can check (render tiles)."
          >
            {job.units_awaiting_agreement} waiting for a second provider to agree
          </span>
        )}
        {live && job.units_created < job.units_total && (
          <span
            data-testid={`job-estimating-${job.job_id}`}
            title="Its later frames are estimated after it was submitted; their tiles join as they are."
          >
            later frames being estimated ({job.units_created}/{job.units_total} tiles made)
          </span>
        )}
        {job.waiting !== null && (
          <span className="text-warn" data-testid={`job-waiting-${job.job_id}`}>
            waiting: {job.waiting}
          </span>
        )}
        {job.cancel_reason !== null && (
          <span className="text-warn" data-testid={`job-cancel-reason-${job.job_id}`}>
            cancelled: {job.cancel_reason}
          </span>
        )}
        {onGpu && <span data-testid={`job-gpu-${job.job_id}`}>{onGpu}</span>}
        {job.manual_accept && <span>manual accept</span>}
        {job.open_to_strangers && <span data-testid={`job-strangers-${job.job_id}`}>open to strangers</span>}
        <span className="muted">{formatAgo(job.submitted_at, nowMs)}</span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="Tiles verified"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={`${pct}% of ${what} verified`}
      >
        <div className={`progress-bar progress-${job.state}`} style={{ width: `${pct}%` }} />
      </div>
      {open && (
        <div className="job-body">
          {live && (
            <section className="job-section">
              <BudgetForm job={job} onSave={onSetBudget} />
            </section>
          )}
          {job.manual_accept && job.state === 'running' && (
            <section className="job-section">
              <h3 className="section-title">Offers to accept</h3>
              {offers ? <OffersTable offers={offers} names={names} onAccept={onAccept} /> : <Loading what="offers" />}
            </section>
          )}
          {job.refusals.length > 0 && (
            <section className="job-section" data-testid={`job-refusals-${job.job_id}`}>
              <h3 className="section-title">Refused by providers</h3>
              <ul className="refusal-list">
                {job.refusals.map((r) => (
                  <li key={r.provider}>
                    <strong>{names.get(r.provider) ?? shortPeerId(r.provider)}</strong>: {r.reason}{' '}
                    <span className="muted small">
                      ({r.units} unit{r.units === 1 ? '' : 's'}, last {formatAgo(r.last_at, nowMs)})
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {kind?.outputs === 'program' && libraryJob ? (
            <LibraryResults jobId={job.job_id} job={libraryJob} units={programUnits} />
          ) : kind?.outputs === 'program' ? (
            <ProgramUnits jobId={job.job_id} units={programUnits} />
          ) : (kind?.frames ?? 'none') === 'none' ? (
            <p className="muted small">
              A {job.algorithm} job: its results are fetched with <code>meshctl job output</code>.
            </p>
          ) : !mosaic ? (
            <Loading what="frames" />
          ) : (
            <>
              <div className="mosaic-grid">
                {mosaic.frames.map((frame) => (
                  <TileMosaic
                    key={frame.frame}
                    jobId={job.job_id}
                    width={mosaic.width}
                    height={mosaic.height}
                    frame={frame}
                    onOpen={() => onOpenFrame(frame.frame)}
                  />
                ))}
              </div>
              {mosaic.framesTotal > mosaic.frames.length && (
                <p className="muted small">
                  Showing the first {mosaic.frames.length} of {mosaic.framesTotal} frames;{' '}
                  <code>
                    {kind?.frames === 'blender'
                      ? `meshctl job output ${job.job_id} --out <folder>`
                      : `meshctl results fetch --job-id ${job.job_id}`}
                  </code>{' '}
                  saves them all.
                </p>
              )}
            </>
          )}
        </div>
      )}
    </article>
  );
}
