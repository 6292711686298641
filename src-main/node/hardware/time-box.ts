// Probing calls into the OS (systeminformation spawns tools such as lspci or nvidia-smi) can be
// slow or hang on a VM or a broken driver; a node must start anyway, with what it could learn.

/**
 * The value `work` settles with, or `fallback` when it takes longer than `ms` or fails. The work
 * itself cannot be cancelled (it may be a child process we do not own); it is just no longer awaited.
 */
export async function timeBoxed<T>(work: () => Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(work)
        .catch(() => fallback),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
