// The tray's one line of status (its first menu item and its tooltip), from what the node's
// `status` says: how many cores it offers now, or why it offers none.
import type { MethodResult } from '../core/api/contract.js';

export type TrayStatus = Pick<MethodResult<'status'>, 'sharing' | 'availability'>;

/** Short words for the pause reasons of core/availability; any other reason shows the node's own message. */
const PAUSED_LINES: Readonly<Record<string, string>> = {
  sharing_off: 'Sharing is off',
  on_battery: 'Paused: on battery',
  busy: 'Paused: this PC is in use',
  outside_windows: 'Paused: outside your sharing hours',
  calibrating: "Starting: measuring this PC's speed",
};
const MAX_LINE_CHARS = 64;

export function trayStatusLine({ sharing, availability }: TrayStatus): string {
  if (!sharing) return PAUSED_LINES.sharing_off!;
  const { paused, offering, cores } = availability;
  if (paused !== null) {
    const line = Object.hasOwn(PAUSED_LINES, paused.reason)
      ? PAUSED_LINES[paused.reason]!
      : `Paused: ${paused.message}`;
    return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS - 1)}…` : line;
  }
  if (!offering) return 'Not offering anything now';
  const shown = Number.isInteger(cores) ? String(cores) : cores.toFixed(1);
  return `Sharing ${shown} ${cores === 1 ? 'core' : 'cores'}`;
}
