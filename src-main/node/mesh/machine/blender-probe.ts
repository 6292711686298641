// Whether this node can render Blender scenes: Blender and its sandbox (node/blender/install.ts),
// looked for once, when first needed: when the user turns Blender sharing on (to advertise it), or
// when this node submits or checks a Blender job (as requester). Finding it starts Blender in the
// sandbox, a second or more, which a node that never touches Blender should not pay. Until it is
// found the node advertises no Blender algorithm; once it is, the availability is told again.
// A scene's preflight is kept for the few scenes seen last: the app and meshctl show it before the
// user submits, and the submit's own preflight of the same bytes then costs no second start. A
// node without Blender has its scenes read by a trusted peer sharing Blender (`read`).
import { createHash } from 'node:crypto';
import type { BlenderStatus } from '../../../core/blender/algorithm.js';
import type { SceneRead } from '../../../core/blender/remote-preflight.js';
import { describeError } from '../../../core/errors.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { BlenderPreviews } from '../context/node-context.js';
import { findBlender, type BlenderFound, type BlenderInstall } from '../../blender/install.js';
import type { Preflight } from '../../blender/preflight.js';
import { preflightScene, type SceneToRead } from '../../blender/unit.js';

/** Scenes whose preflight is kept (their reports are small; the scenes are not kept). */
const PREFLIGHTS_KEPT = 8;

export class BlenderProbe {
  #found: BlenderFound | undefined;
  #finding: Promise<BlenderFound> | undefined;
  /** By the scene's digest and how it is named: the latest last. */
  readonly #preflights = new Map<string, Promise<Preflight>>();

  constructor(
    /** Its settings: Blender sharing and its threshold. */
    private readonly state: Pick<MeshState, 'settings'>,
    private readonly changed: () => void,
    private readonly log: (message: string) => void,
    /** PNG previews of my jobs' verified EXR frames (render/blender-previews.ts). */
    readonly previews: BlenderPreviews,
    /** A scene read by a peer, when I have no Blender (requester/remote-preflight.ts), given why I have none. */
    private readonly askPeers: (scene: SceneToRead, whyNotHere: string) => Promise<SceneRead>,
    /** Aborted when the node stops: a preflight running then (a peer's scene too) is killed. */
    private readonly signal?: AbortSignal,
  ) {}

  /** Blender and its sandbox, or why not (looked for on the first call). */
  find(): Promise<BlenderFound> {
    this.#finding ??= findBlender()
      .catch((err: unknown): BlenderFound => ({ ok: false, reason: `looking for Blender: ${describeError(err)}` }))
      .then((found) => {
        this.#found = found;
        this.log(found.ok ? `Blender ${found.install.version.join('.')}: ${found.install.algorithm}` : found.reason);
        this.changed();
        return found;
      });
    return this.#finding;
  }

  /**
   * The scene read by my Blender when I have one that works (preflight), else by a trusted peer
   * sharing Blender: what the API's `blender.preflight` shows and a Blender job's submit judges.
   */
  async read(scene: SceneToRead): Promise<SceneRead> {
    const found = await this.find();
    if (!found.ok) return this.askPeers(scene, found.reason);
    const preflight = await this.preflight(found.install.path, scene);
    if (!preflight.ok) return { ok: false, reason: `the scene could not be read: ${preflight.reason}` };
    return { ...preflight, algorithm: found.install.algorithm, by: null };
  }

  /** The scene preflighted by my Blender (node/blender/unit.ts), or again the same bytes' preflight of a moment ago. */
  preflight(blender: string, scene: SceneToRead): Promise<Preflight> {
    const { file, zip } = scene.params;
    const key = `${createHash('sha256').update(scene.scene).digest('hex')} ${zip ? 'zip' : 'blend'} ${file} ${blender}`;
    const kept = this.#preflights.get(key);
    if (kept) {
      this.#preflights.delete(key); // the latest last
      this.#preflights.set(key, kept);
      return kept;
    }
    const preflight = preflightScene({ ...scene, blender, ...(this.signal ? { signal: this.signal } : {}) });
    this.#preflights.set(key, preflight);
    // A failed run (not a refusal: its report says what is wrong) is not kept: it is tried again.
    preflight.then(
      (p) => p.ok || this.#preflights.delete(key),
      () => this.#preflights.delete(key),
    );
    for (const old of this.#preflights.keys()) {
      if (this.#preflights.size <= PREFLIGHTS_KEPT) break;
      this.#preflights.delete(old);
    }
    return preflight;
  }

  /** The Blender I render others' scenes with: when sharing is on and it works in the sandbox (looked for on the first ask). */
  sharedInstall(): BlenderInstall | undefined {
    if (!this.state.settings.blender_sharing) return undefined;
    if (this.#found === undefined) {
      this.find().catch((err: unknown) => this.log(`after looking for Blender: ${describeError(err)}`));
      return undefined;
    }
    return this.#found.ok ? this.#found.install : undefined;
  }

  /** The algorithm I advertise, from sharedInstall. */
  algorithm(): string | undefined {
    return this.sharedInstall()?.algorithm;
  }

  status(): BlenderStatus {
    const { blender_sharing: sharing, blender_min_trust: minTrust } = this.state.settings;
    const algorithm = this.algorithm() ?? null;
    const found = this.#found;
    return {
      sharing,
      min_trust: minTrust,
      state: !sharing ? 'off' : found === undefined ? 'probing' : found.ok ? 'ready' : 'unavailable',
      algorithm,
      reason: sharing && found && !found.ok ? found.reason : null,
    };
  }
}
