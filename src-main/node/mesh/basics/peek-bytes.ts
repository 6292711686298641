// A stream's first bytes, looked at before the whole of it is read (a job's first unit, run at submit).

/** The first `bytes` of a stream (fewer if it ends before), and the whole stream again, those bytes first. */
export async function peekBytes(
  source: AsyncIterable<Uint8Array>,
  bytes: number,
): Promise<{ head: Uint8Array; stream: AsyncIterable<Uint8Array> }> {
  const chunks = source[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let have = 0;
  let ended = false;
  while (have < bytes) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    taken.push(next.value);
    have += next.value.byteLength;
  }
  async function* again(): AsyncGenerator<Uint8Array> {
    yield* taken;
    if (ended) return;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  }
  return { head: Buffer.concat(taken).subarray(0, bytes), stream: again() };
}
