// What a big message costs the main thread (issue 21: no main-thread task over 10 ms):
// - results_message_seal_ms: sealing a `results` message as a provider does (its canonical JSON
//   written, its size checked against the catalog's cap, signed), for the largest inline load a message
//   takes: 64 tile outputs of 16 KiB, cut at MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE (1 MiB) as the
//   outbox cuts them. Beside it, verify_ms: the requester's checks of the same bytes. Baseline:
//   one JSON.stringify of the same body, same run. Medians of 15 after 3 warm-ups.
import { MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE, MESSAGE_TYPES } from '../src-main/core/protocol/messages.js';
import { ephemeralIdentity } from '../src-main/node/identity/identity.js';
import { EnvelopeVerifier, sealMessage } from '../src-main/node/p2p/envelope.js';
import { unitLife } from '../test/node/fixtures/journal-events.js';
import { medianMs, round, type Benchmark, type Figure } from './harness.js';

const TILE_OUTPUT_BYTES = 16 * 1024; // a 64×64 RGBA8 tile
const RUNS = 15;

async function resultsMessage(): Promise<Figure[]> {
  const identity = await ephemeralIdentity();
  const output = Buffer.alloc(TILE_OUTPUT_BYTES, 7).toString('base64');
  const tiles = Math.floor(MAX_INLINE_OUTPUT_BYTES_PER_MESSAGE / TILE_OUTPUT_BYTES);
  const results = Array.from({ length: tiles }, (_, unit) => {
    const recorded = unitLife('bench', 0, unit).find((event) => event.type === 'result.recorded');
    if (recorded?.type !== 'result.recorded') throw new Error('the fixture has no result');
    return { result: recorded.result, output_base64: output };
  });
  const body = { results, receipts: [] };
  const now = Date.now();
  const verifier = new EnvelopeVerifier({ catalog: MESSAGE_TYPES, clockSkewMs: 60_000, now: () => now });
  const seal = () => sealMessage(MESSAGE_TYPES, identity, 'results', body, now);
  const sealed = await seal();
  const accepted = await verifier.verify(sealed, identity.peerId, { via: 'request' });
  if (!accepted.ok) throw new Error(`the sealed message was refused: ${accepted.reason} ${accepted.detail}`);
  const sealMs = await medianMs(seal, RUNS, 3);
  // Each check needs a fresh nonce: a message seen before is refused as replayed, early and cheaply.
  const fresh = await Promise.all(Array.from({ length: RUNS + 3 }, seal));
  const verifyMs = await medianMs(() => verifier.verify(fresh.pop()!, identity.peerId, { via: 'request' }), RUNS, 3);
  const stringifyMs = await medianMs(() => JSON.stringify(body), RUNS, 3);
  return [
    {
      name: 'results_message_seal_ms',
      value: round(sealMs, 1),
      unit: 'ms',
      target: '<= 10',
      verify_ms: round(verifyMs, 1),
      baseline_json_stringify_ms: round(stringifyMs, 1),
      ratio_to_baseline: round(sealMs / stringifyMs, 1),
      message_kb: round(sealed.byteLength / 1024, 0),
      results: tiles,
    },
  ];
}

export const benchmarks: Benchmark[] = [{ names: ['results_message_seal_ms'], run: resultsMessage }];
