// systeminformation, loaded when first asked for: it is a few hundred files that the node's start
// (its API answering) need not wait for.
type SystemInformation = typeof import('systeminformation');

let loaded: Promise<SystemInformation> | undefined;

export function systemInformation(): Promise<SystemInformation> {
  return (loaded ??= import('systeminformation').then((m) => m.default));
}
