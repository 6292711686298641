// How long the person has been away, for "share only when idle": the node waits for them to step
// away from keyboard and mouse (core/availability's USER_IDLE_SECONDS). A locked screen counts as
// away from the moment it locks.
import { powerMonitor } from 'electron';
import { USER_IDLE_SECONDS } from '../core/availability/index.js';

const POLL_MS = 15_000;

/** Starts reporting to the node; returns what stops it. */
export function watchUserIdle(node: { setUserIdleSeconds(seconds: number): void }): () => void {
  let locked = false;
  const report = () => {
    const idle = powerMonitor.getSystemIdleTime();
    node.setUserIdleSeconds(locked ? Math.max(idle, USER_IDLE_SECONDS) : idle);
  };
  const onLock = () => {
    locked = true;
    report();
  };
  const onUnlock = () => {
    locked = false;
    report();
  };
  powerMonitor.on('lock-screen', onLock);
  powerMonitor.on('unlock-screen', onUnlock);
  const timer = setInterval(report, POLL_MS);
  report();
  return () => {
    clearInterval(timer);
    powerMonitor.off('lock-screen', onLock);
    powerMonitor.off('unlock-screen', onUnlock);
  };
}
