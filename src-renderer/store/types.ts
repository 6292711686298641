// The UI's state: one zustand store, made of slices (one file each), created with the transport.
// Actions call the node through the transport and put what it answers in the state; a failed
// call's message goes to `errors`, which the error banner shows.
import type { WorkflowView } from '../../src-main/core/api/workflow-methods.js';
import type { CircleView, ProposalView } from '../../src-main/core/api/circle-methods.js';
import type { Change, VoteChoice } from '../../src-main/core/circles/index.js';
import type { StoreApi } from 'zustand';
import type {
  ApiEvent,
  JobEstimate,
  JobView,
  LedgerTransferView,
  MethodInput,
  MethodResult,
  OfferView,
  PeerView,
} from '../../src-main/core/api/contract.js';
import type { SharingSettings, WeeklyWindow } from '../../src-main/core/availability/index.js';
import type { AvailabilitySlot, Policy } from '../../src-main/core/schemas/index.js';
import type { NewWindow, WindowEdit } from '../availability/grid-model.js';
import type { RenderRequest } from '../kinds/render/render-form.js';
import type { LibraryJob } from '../kinds/library/library-form.js';
import type { BlenderRequest } from '../kinds/blender/blender-form.js';
import type { BlenderScene } from '../kinds/blender/blender-scene.js';
import type { BlenderPreflightView } from '../../src-main/core/api/blender-methods.js';
import type { ProgramRequest } from '../kinds/wasi/program-form.js';
import type { TileDevices } from '../gpu/gpu-format.js';
import type { MeshTransport } from '../api/transport.js';
import type { DesktopBridge } from '../../src-preload/bridge.js';

export type Status = MethodResult<'status'>;
export type WindowEntry = MethodResult<'windows.list'>['windows'][number];
type LedgerSummary = Omit<MethodResult<'ledger.get'>, 'entries'>;

export interface UiError {
  id: number;
  message: string;
}

export interface CommonSlice {
  /** The desktop app's own settings; null in a browser. */
  desktop: DesktopBridge | null;
  errors: UiError[];
  /** The node's reply to the last failed call, kept until dismissed. */
  reportError(error: unknown): void;
  dismissErrors(): void;
  /** Runs a call; on failure reports it and gives undefined. */
  attempt<T>(work: () => Promise<T>): Promise<T | undefined>;
}

/** One point of the dashboard's live utilisation chart. */
export interface UtilisationSample {
  t: number;
  /** Units running, as a percent of this node's workers. */
  mesh: number;
  /** Other programs' CPU use, percent of the machine (null until measured). */
  other: number | null;
}

type Connection = { state: 'connecting' } | { state: 'live' } | { state: 'lost'; message: string };

export interface NodeSlice {
  status: Status | null;
  connection: Connection;
  samples: UtilisationSample[];
  settings: SharingSettings | null;
  /** Whether this node has Blender and its sandbox (blender.check); null until asked. */
  blender: MethodResult<'blender.check'> | null;
  windows: WindowEntry[] | null;
  slots: AvailabilitySlot[] | null;
  /** Polls status; `sample` adds a point to the utilisation chart (the timed polls do, refreshes after events do not). */
  refreshStatus(sample?: boolean): Promise<void>;
  refreshAvailability(): Promise<void>;
  setSharing(on: boolean): Promise<void>;
  updateSettings(changes: MethodInput<'settings.set'>): Promise<void>;
  /** Asks the node whether it has Blender and its sandbox (looked for once, a second or more). */
  checkBlender(): Promise<void>;
  addWindow(window: NewWindow): Promise<void>;
  /** Replaces a window's caps (windows.add with its id). */
  saveWindow(window: WeeklyWindow): Promise<void>;
  removeWindow(windowId: string): Promise<void>;
  /** Adds the new pieces first, then removes the old windows, so a failure leaves too much rather than too little. */
  applyWindowEdit(edit: WindowEdit): Promise<void>;
  addSlot(slot: MethodInput<'slots.add'>): Promise<boolean>;
  removeSlot(slotId: string): Promise<void>;
}

export interface PeersSlice {
  peers: PeerView[] | null;
  refreshPeers(): Promise<void>;
  /** The peer id it turned out to be, or undefined (the error is reported). */
  addPeer(multiaddr: string): Promise<string | undefined>;
  setTrust(peerId: string, weight: number): Promise<void>;
  /** Undoes a peer's conviction (peers.pardon): its trust and reputation come back. */
  pardon(peerId: string): Promise<void>;
  /** Replaces who may use my machine (policies.set); the list itself is read from the status. */
  setPolicies(policies: Policy[]): Promise<void>;
  /** A new invite code, or undefined (the error is reported). */
  createInvite(trust: number, expiresSeconds: number): Promise<MethodResult<'invites.create'> | undefined>;
  /** Connects to the inviter and trusts it; the inviter, or undefined (the error is reported). */
  acceptInvite(code: string, trust: number): Promise<MethodResult<'invites.accept'> | undefined>;
}

export interface LedgerSlice {
  transfers: LedgerTransferView[] | null;
  ledger: LedgerSummary | null;
  /** Fetches the transfers newer than those held (all of the newest, `fromScratch`) and the balances. */
  refreshLedger(fromScratch?: boolean): Promise<void>;
  setPrices(changes: MethodInput<'prices.set'>): Promise<boolean>;
}

/** One frame of a render job as the mosaic shows it. */
export interface FrameMosaic {
  frame: number;
  tilesTotal: number;
  tilesDone: number;
  /** The verified tiles painted so far (RGBA, width×height), until the frame's PNG replaces them. */
  pixels: Uint8ClampedArray<ArrayBuffer> | null;
  /** The finished frame, base64 PNG. */
  png: string | null;
  /** Bumped on every change to `pixels`, so the canvas knows to draw again. */
  version: number;
  /** A frame rendered whole by one unit (a Blender job's): waiting, rendering, verified, failed; absent for a render job's tiles. */
  state?: string;
  /** A Blender frame's unit, and its provider's latest `Sample n/m` while it renders (unit.progress events). */
  unitId?: string;
  samples?: SampleCount;
  /** A tiled Blender frame's tiles rendering now (jobs.frames), each with its provider's latest `Sample n/m` once told. */
  rendering?: RenderingTile[];
}

export interface SampleCount {
  sample: number;
  of: number;
}

export interface RenderingTile {
  unitId: string;
  samples?: SampleCount;
}

export interface JobMosaic {
  width: number;
  height: number;
  /** The first frames of the job (MOSAIC_FRAMES at most). */
  frames: FrameMosaic[];
  framesTotal: number;
}

/** A unit of a job of programs as its card shows it. */
export interface ProgramUnit {
  index: number;
  status: string;
  /** Why it failed (out of fuel, a trap…), when it did; its exit code is then null. */
  failure: string | null;
  exit: number | null;
  /** The start of its stdout and stderr, as text. */
  stdout: string;
  stderr: string;
  /** Files it left in /out. */
  files: number;
  /** Its whole stdout when it exited 0, for a job of the Process files form (its result, shown on the card). */
  result?: Uint8Array;
}

export interface JobsSlice {
  jobs: JobView[] | null;
  /** My workflows, newest first: read with the jobs, whose events move them. */
  workflows: WorkflowView[] | null;
  /** Mosaics of the jobs the Jobs page shows open, by job id. */
  mosaics: Record<string, JobMosaic>;
  offers: Record<string, OfferView[]>;
  /** Where the verified tiles of ended render jobs ran, by job id: read once, since an ended job no longer changes. */
  tileDevices: Record<string, TileDevices>;
  /** The first units of open jobs of programs, by job id: each unit's exit code and the start of its stdout and stderr. */
  programUnits: Record<string, ProgramUnit[]>;
  /** Jobs submitted from the Process files form in this window, by job id: what their results are. */
  libraryJobs: Record<string, LibraryJob>;
  refreshJobs(): Promise<void>;
  submitRender(request: RenderRequest): Promise<string | undefined>;
  /** What a render job would cost, hold and need, and take (render.estimate): nothing is submitted. */
  estimateRender(request: RenderRequest): Promise<JobEstimate | undefined>;
  /** Submits a job of WASI programs (jobs.submit); its id, or undefined when the node refused it. */
  submitProgram(request: ProgramRequest): Promise<string | undefined>;
  /** Submits a library method over files (jobs.submit) and keeps what its card needs to show the results. */
  submitLibrary(request: ProgramRequest, job: LibraryJob): Promise<string | undefined>;
  /** Makes a completed render or Blender job's frames into a video: a video/encode job (jobs/job-video.ts); its id. */
  makeVideo(job: JobView): Promise<string | undefined>;
  /** Runs a workflow (workflows.run); its id, its graph listed with the jobs. */
  runWorkflow(request: MethodInput<'workflows.run'>): Promise<string | undefined>;
  /** What a job of programs would cost, hold and need (jobs.estimate: its first unit runs on my node): nothing is submitted. */
  estimateProgram(request: ProgramRequest): Promise<JobEstimate | undefined>;
  /** Reads the first page of a job of programs' units, with their outputs and stderr (jobs.outputs). */
  loadProgramUnits(jobId: string): Promise<void>;
  cancelJob(jobId: string): Promise<void>;
  /** Sets a running job's budget anew; false when the node refused it (the error is reported). */
  setJobBudget(jobId: string, budget: number): Promise<boolean>;
  /** A Blender scene read by the node (blender.preflight): nothing is stored or journaled. */
  preflightBlender(scene: BlenderScene): Promise<BlenderPreflightView | undefined>;
  /** What a Blender job would cost (jobs.estimate: the node preflights the scene again): nothing is submitted. */
  estimateBlender(request: BlenderRequest): Promise<JobEstimate | undefined>;
  submitBlender(request: BlenderRequest): Promise<string | undefined>;
  /** Reads a Blender job's frames (blender.frames) into its mosaic, fetching each newly verified frame's PNG. */
  loadBlenderFrames(jobId: string): Promise<void>;
  /** Loads a job's mosaic (what is already verified or finished) and keeps it current from events. */
  watchJob(jobId: string): Promise<void>;
  unwatchJob(jobId: string): void;
  refreshOffers(jobId: string): Promise<void>;
  /** Counts where an ended job's tiles ran (jobs.status with its units), unless already counted. */
  loadTileDevices(jobId: string): Promise<void>;
  acceptOffers(jobId: string, peerId: string): Promise<void>;
  /** render.tile and render.frame events, for the mosaics. */
  onRenderEvent(event: ApiEvent): void;
  /** unit.progress events: a Blender frame's samples, in its mosaic. */
  onUnitProgress(event: ApiEvent): void;
  /** After the event stream was lost and came back: the open mosaics are read again. */
  reloadMosaics(): Promise<void>;
}

export type CircleSummary = MethodResult<'circles.list'>['circles'][number];

/** A call made from a form: what it gave, or the node's refusal in words, shown beside the form. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface CirclesSlice {
  /** My circles (circles.list); null until read. */
  circles: CircleSummary[] | null;
  /** The circles read whole (circles.show), by id: those the Circles page has shown, read again with the list. */
  circleViews: Record<string, CircleView>;
  /** Reads the list and every circle held whole (after a circle.* event, or an action of mine). */
  refreshCircles(): Promise<void>;
  /** Reads one circle whole. */
  loadCircle(circleId: string): Promise<void>;
  /** Founds a circle with me and `members` in it; its view. */
  createCircle(name: string, members: string[]): Promise<Outcome<CircleView>>;
  proposeChange(circleId: string, change: Change, description: string): Promise<Outcome<ProposalView>>;
  vote(circleId: string, proposalId: string, choice: VoteChoice): Promise<Outcome<ProposalView>>;
}

export interface LogSlice {
  /** The latest events, newest first. */
  events: ApiEvent[];
  addEvents(batch: readonly ApiEvent[]): void;
}

export type MeshState = CommonSlice & NodeSlice & PeersSlice & LedgerSlice & JobsSlice & CirclesSlice & LogSlice;
export type SetState = StoreApi<MeshState>['setState'];
export type GetState = () => MeshState;
export type Slice<S> = (set: SetState, get: GetState, transport: MeshTransport) => S;
