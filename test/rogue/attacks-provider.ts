// The rogue as a provider of T's work (issue 19, items 3 and 5): R offers for a unit of a fresh
// job of T's, is accepted, then cheats: it answers with a reply of another type, or serves its
// output wrong. Each time T must not store the bad bytes, must not pay R, and must finish the job
// with B, the honest provider, once B shares again.
import { hashParams, type Arena } from './arena.js';
import { dropsOf, eventually, type Attack } from './attack.js';
import { offerFor, offersBody } from './bodies.js';
import { jobEnded } from '../node/mesh/cluster.js';
import type { Answerer, Inbound } from './rogue-peer.js';

const target = (arena: Arena) => arena.t.node.peerId;

interface Taken {
  jobId: string;
  unitId: string;
}

/** The offers an `acceptances` request takes. */
const acceptedIn = (request: Inbound): string[] =>
  request.type === 'acceptances'
    ? ((request.body as { acceptances?: { offer_ids: string[] }[] }).acceptances ?? []).flatMap((g) => g.offer_ids)
    : [];

/** T submits a one-unit job; R, answering with `answer`, offers for its unit and is accepted. */
async function rogueTakes(arena: Arena, answer: Answerer): Promise<Taken | string> {
  const { t, rogue } = arena;
  rogue.answer = answer;
  const { job_id: jobId } = await t.api['jobs.submit'](hashParams(1, false));
  const unitId = [...t.node.state.units.values()].find((u) => u.unit.job_id === jobId)!.unit.unit_id;
  const seen = rogue.received.length;
  const offer = offerFor(arena, { unit_id: unitId, job_id: jobId, estimated_seconds: 0.001 });
  await rogue.request(target(arena), await rogue.envelope('offers', offersBody(offer)));
  const accepted = () =>
    rogue.received
      .slice(seen)
      .flatMap(acceptedIn)
      .includes(offer.offer_id as string);
  const missed = await eventually('T accepts the rogue offer', accepted, 10_000);
  return missed.length > 0 ? missed[0]! : { jobId, unitId };
}

/** B shares until T's job completes: the work R took and spoiled is done by an honest provider. */
async function finishedByB(arena: Arena, jobId: string): Promise<string[]> {
  const { t, b } = arena;
  await b.api['sharing.set']({ on: true });
  try {
    const done = await jobEnded(t.api, jobId, 45_000);
    return done.state === 'completed' ? [] : [`the job ended ${done.state}`];
  } catch (err) {
    return [`the job did not complete with B: ${String(err)}`];
  } finally {
    await b.api['sharing.set']({ on: false });
  }
}

export const PROVIDER_ATTACKS: Attack[] = [
  {
    name: "a reply of another type: T's acceptances answered with a settlement",
    item: 3,
    ranJob: true,
    maxNewEvents: 40,
    async run(arena) {
      const before = dropsOf(arena, 'wrong_place');
      const taken = await rogueTakes(arena, async (request) =>
        request.type === 'acceptances'
          ? { type: 'settlement', body: { entries: [], receipts: [] } }
          : request.type === 'settlement'
            ? { type: 'ack', body: {} }
            : undefined,
      );
      if (typeof taken === 'string') return [taken];
      const missed = await eventually(
        'T refuses and counts the reply of another type',
        () => dropsOf(arena, 'wrong_place') > before,
      );
      return [...missed, ...(await finishedByB(arena, taken.jobId))];
    },
  },
];
