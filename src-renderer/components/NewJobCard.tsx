// The Jobs page's "New job" card: a tab list picks the kind of job (a render of our scenes, a
// Blender scene, files processed by a library method, your own WASI program, a workflow) and the
// tab panel under it holds that kind's form, the only one mounted (a form left loses what was typed
// in it). The kind picked is kept in this tab's sessionStorage, so it is the one shown again after
// another page or a reload. The tabs follow the WAI-ARIA tabs pattern: one tab stop, the arrow keys
// (and Home, End) move between the tabs and show each one's form.
import { useId, useRef, useState, type ComponentProps, type KeyboardEvent, type ReactNode } from 'react';
import { Card } from './basics.js';
import { BlenderForm } from '../kinds/blender/BlenderForm.js';
import { LibraryForm } from '../kinds/library/LibraryForm.js';
import { ProgramForm } from '../kinds/wasi/ProgramForm.js';
import { RenderForm, type SampleScene } from '../kinds/render/RenderForm.js';
import { WorkflowForm } from './WorkflowForm.js';

/** The kinds of job the card submits, in the order of its tabs, each with its tab's label and a line on what it is. */
const JOB_KINDS = [
  { kind: 'render', label: 'Render', about: 'A scene of ours, a sample or a scene file, rendered tile by tile.' },
  {
    kind: 'blender',
    label: 'Blender scene',
    about: 'A .blend, its folder or a .zip, rendered a frame or a tile a unit by peers sharing Blender.',
  },
  { kind: 'library', label: 'Process files', about: 'Files run through a library method, a unit per file.' },
  {
    kind: 'program',
    label: 'Your program',
    about: 'Your own WASI program (.wasm), a unit per input file, each with its exit code, stdout and stderr.',
  },
  { kind: 'workflow', label: 'Workflow', about: 'Steps that feed each other, each a job, shown as a graph.' },
] as const;

type JobKind = (typeof JOB_KINDS)[number]['kind'];

/** Where the kind picked is kept: this tab's sessionStorage (as the token is), for the tab's life. */
const KIND_KEY = 'mesh.new-job-kind';

function rememberedKind(): JobKind {
  try {
    const kept = sessionStorage.getItem(KIND_KEY);
    return JOB_KINDS.find((k) => k.kind === kept)?.kind ?? 'render';
  } catch {
    return 'render'; // storage refused (a sandboxed frame): the first tab
  }
}

function remember(kind: JobKind): void {
  try {
    sessionStorage.setItem(KIND_KEY, kind);
  } catch {
    // not kept: the card still shows the kind picked until it unmounts
  }
}

type Render = ComponentProps<typeof RenderForm>;
type Blender = ComponentProps<typeof BlenderForm>;

/** What each form is given, named by its kind. */
interface NewJobCardProps {
  samples: readonly SampleScene[];
  balance: number;
  onEstimateRender: Render['onEstimate'];
  onSubmitRender: Render['onSubmit'];
  onPreflightBlender: Blender['onPreflight'];
  onEstimateBlender: Blender['onEstimate'];
  onSubmitBlender: Blender['onSubmit'];
  /** A quote for a job of a program, the library's or your own. */
  onEstimateProgram: ComponentProps<typeof ProgramForm>['onEstimate'];
  onSubmitLibrary: ComponentProps<typeof LibraryForm>['onSubmit'];
  onSubmitProgram: ComponentProps<typeof ProgramForm>['onSubmit'];
  onRunWorkflow: ComponentProps<typeof WorkflowForm>['onRun'];
}

export function NewJobCard(props: NewJobCardProps) {
  const [kind, setKind] = useState<JobKind>(rememberedKind);
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const id = useId();
  const tabId = (k: JobKind) => `${id}-tab-${k}`;
  const panelId = `${id}-panel`;
  const index = JOB_KINDS.findIndex((k) => k.kind === kind);

  const pick = (next: JobKind) => {
    setKind(next);
    remember(next);
  };

  // The arrow keys go round the tabs (the list wraps onto two rows in the narrow column, so up and down do too).
  const onKeyDown = (e: KeyboardEvent) => {
    const last = JOB_KINDS.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: index === last ? 0 : index + 1,
      ArrowDown: index === last ? 0 : index + 1,
      ArrowLeft: index === 0 ? last : index - 1,
      ArrowUp: index === 0 ? last : index - 1,
      Home: 0,
      End: last,
    };
    const to = moves[e.key];
    if (to === undefined) return;
    e.preventDefault();
    pick(JOB_KINDS[to]!.kind);
    tabs.current[to]?.focus();
  };

  return (
    <Card title="New job" testId="new-job">
      <div className="kind-tabs" role="tablist" aria-label="Kind of job" onKeyDown={onKeyDown}>
        {JOB_KINDS.map((k, i) => (
          <button
            key={k.kind}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={tabId(k.kind)}
            className="kind-tab"
            aria-selected={k.kind === kind}
            aria-controls={k.kind === kind ? panelId : undefined}
            tabIndex={k.kind === kind ? 0 : -1}
            onClick={() => pick(k.kind)}
            data-testid={`job-kind-${k.kind}`}
          >
            {k.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={panelId}
        aria-labelledby={tabId(kind)}
        className="kind-panel"
        data-testid={`job-kind-panel-${kind}`}
      >
        <p className="field-hint">{JOB_KINDS[index]!.about}</p>
        {FORMS[kind](props)}
      </div>
    </Card>
  );
}

/** Each kind's form, made from the card's props: only the kind picked is made, so only its form is mounted. */
const FORMS: Record<JobKind, (props: NewJobCardProps) => ReactNode> = {
  render: (props) => (
    <RenderForm
      samples={props.samples}
      balance={props.balance}
      onEstimate={props.onEstimateRender}
      onSubmit={props.onSubmitRender}
    />
  ),
  blender: (props) => (
    <BlenderForm
      balance={props.balance}
      onPreflight={props.onPreflightBlender}
      onEstimate={props.onEstimateBlender}
      onSubmit={props.onSubmitBlender}
    />
  ),
  library: (props) => (
    <LibraryForm balance={props.balance} onEstimate={props.onEstimateProgram} onSubmit={props.onSubmitLibrary} />
  ),
  program: (props) => (
    <ProgramForm balance={props.balance} onEstimate={props.onEstimateProgram} onSubmit={props.onSubmitProgram} />
  ),
  workflow: (props) => <WorkflowForm onRun={props.onRunWorkflow} />,
};
