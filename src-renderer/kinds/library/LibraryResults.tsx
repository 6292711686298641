// The results of a job of the Process files form on its card, a file each as its unit is verified:
// an image as a thumbnail, audio or a video in a player, CSV as a small table, JSON and text as text, a digest
// or other bytes as hex (jobs/library-results.ts), each with a download under the name `meshctl run
// --out` gives it. A file the method refused shows the program's message; a unit that failed, why.
import { useEffect, useMemo } from 'react';
import type { LibraryJob } from './library-form.js';
import { libraryResult, type LibraryResult } from './library-results.js';
import type { ProgramUnit } from '../../store/types.js';
import { Loading } from '../../components/basics.js';

/** Files shown on a card: the rest are in `meshctl job output`. */
const SHOWN_UNITS = 50;

/** A blob: URL of the bytes while the component shows them, revoked after (as FrameViewer's). */
function useBlobUrl(bytes: Uint8Array, mime: string): string {
  const url = useMemo(() => URL.createObjectURL(new Blob([bytes.slice()], { type: mime })), [bytes, mime]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return url;
}

function ResultView({ result, bytes, index }: { result: LibraryResult; bytes: Uint8Array; index: number }) {
  const url = useBlobUrl(bytes, result.mime);
  return (
    <div className="library-result">
      {result.kind === 'video' && (
        <video className="library-video" src={url} controls loop data-testid={`library-video-${index}`} />
      )}
      {result.kind === 'image' && (
        <img className="library-thumb" src={url} alt={result.name} data-testid={`library-image-${index}`} />
      )}
      {result.kind === 'audio' && (
        <audio
          className="library-audio"
          src={url}
          controls
          preload="metadata"
          aria-label={result.name}
          data-testid={`library-audio-${index}`}
        />
      )}
      {result.kind === 'table' && (
        <table className="table table-compact" data-testid={`library-table-${index}`}>
          <tbody>
            {result.rows.map((row, r) => (
              <tr key={r}>{row.map((cell, c) => (r === 0 ? <th key={c}>{cell}</th> : <td key={c}>{cell}</td>))}</tr>
            ))}
          </tbody>
        </table>
      )}
      {(result.kind === 'text' || result.kind === 'hex') && (
        <pre className="output-preview" data-testid={`library-text-${index}`}>
          {result.kind === 'text' ? result.text : result.hex}
        </pre>
      )}
      <a className="button button-small" href={url} download={result.name} data-testid={`library-download-${index}`}>
        Download {result.name}
        {result.kind === 'table' && result.more ? ' (every row)' : ''}
      </a>
    </div>
  );
}

export function LibraryResults({
  jobId,
  job,
  units,
}: {
  jobId: string;
  job: LibraryJob;
  units: readonly ProgramUnit[] | undefined;
}) {
  if (!units) return <Loading what="results" />;
  return (
    <div className="library-results" data-testid={`library-results-${jobId}`}>
      {units.slice(0, SHOWN_UNITS).map((unit) => (
        <section key={unit.index} className="library-unit" data-testid={`library-unit-${unit.index}`}>
          <h3 className="section-title">{job.files[unit.index] ?? unit.index}</h3>
          {unit.result ? (
            <ResultView result={libraryResult(job, unit.index, unit.result)} bytes={unit.result} index={unit.index} />
          ) : (
            <p className="muted small" data-testid={`library-status-${unit.index}`}>
              {unit.exit !== null
                ? `Refused: ${unit.stdout.trim() || `exit ${unit.exit}`}`
                : unit.failure
                  ? `Failed: ${unit.failure}`
                  : unit.status}
            </p>
          )}
        </section>
      ))}
      {units.length > SHOWN_UNITS && (
        <p className="muted small">
          The first {SHOWN_UNITS} files. <code>meshctl job output {jobId} --out DIR</code> writes every result.
        </p>
      )}
    </div>
  );
}
