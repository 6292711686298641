// The units of a job of programs on its card: each unit's state and exit code, and the start of
// its stdout and its stderr (what its provider kept of it, not verified), as jobs.outputs gives
// them; `meshctl job output J --out DIR` writes them whole, with the files each left in /out.
import type { ProgramUnit } from '../../store/types.js';
import { Loading } from '../../components/basics.js';

/** Units shown on a card: the rest are in `meshctl job output`. */
const SHOWN_UNITS = 50;

export function ProgramUnits({ jobId, units }: { jobId: string; units: readonly ProgramUnit[] | undefined }) {
  if (!units) return <Loading what="units" />;
  return (
    <div className="program-units" data-testid={`program-units-${jobId}`}>
      <table className="table table-compact">
        <thead>
          <tr>
            <th scope="col">Unit</th>
            <th scope="col">Exit</th>
            <th scope="col">stdout</th>
            <th scope="col">stderr</th>
          </tr>
        </thead>
        <tbody>
          {units.slice(0, SHOWN_UNITS).map((unit) => (
            <tr key={unit.index} data-testid={`program-unit-${unit.index}`}>
              <td>{unit.index}</td>
              <td data-testid={`program-exit-${unit.index}`}>
                {unit.exit ?? (unit.failure ? `failed: ${unit.failure}` : unit.status)}
              </td>
              <td>
                <pre className="output-preview" data-testid={`program-stdout-${unit.index}`}>
                  {unit.stdout}
                </pre>
                {unit.files > 0 && <span className="muted small">and {unit.files} files in /out</span>}
              </td>
              <td>
                <pre className="output-preview" data-testid={`program-stderr-${unit.index}`}>
                  {unit.stderr}
                </pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {units.length > SHOWN_UNITS ? `The first ${SHOWN_UNITS} units. ` : ''}
        <code>meshctl job output {jobId} --out DIR</code> writes each unit&apos;s stdout, stderr, exit code and /out
        files.
      </p>
    </div>
  );
}
