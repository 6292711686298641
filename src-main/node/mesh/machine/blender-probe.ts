// Whether this node can render Blender scenes: Blender and its sandbox (node/blender/install.ts),
// looked for once, and only when the user turned Blender sharing on (finding it starts Blender in
// the sandbox, a second or more, which a node that never renders Blender should not pay). Until it
// is found the node advertises no Blender algorithm; once it is, the availability is told again.
import type { BlenderStatus } from '../../../core/blender/algorithm.js';
import { describeError } from '../../../core/errors.js';
import { findBlender, type BlenderFound } from '../../blender/install.js';

export class BlenderProbe {
  #found: BlenderFound | undefined;
  #probing = false;

  constructor(
    private readonly settings: () => { sharing: boolean; minTrust: number },
    private readonly changed: () => void,
    private readonly log: (message: string) => void,
  ) {}

  /** The algorithm I advertise: mine when sharing is on and Blender works in the sandbox (looked for on the first ask). */
  algorithm(): string | undefined {
    if (!this.settings().sharing) return undefined;
    this.#probe();
    return this.#found?.ok ? this.#found.install.algorithm : undefined;
  }

  status(): BlenderStatus {
    const { sharing, minTrust } = this.settings();
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

  #probe(): void {
    if (this.#found !== undefined || this.#probing) return;
    this.#probing = true;
    this.#look().catch((err: unknown) => this.log(`after looking for Blender: ${describeError(err)}`));
  }

  async #look(): Promise<void> {
    const found = await findBlender().catch((err: unknown): BlenderFound => ({
      ok: false,
      reason: `looking for Blender: ${describeError(err)}`,
    }));
    this.#found = found;
    this.#probing = false;
    this.log(
      found.ok ? `Blender ${found.install.version.join('.')}: renders ${found.install.algorithm}` : found.reason,
    );
    this.changed();
  }
}
