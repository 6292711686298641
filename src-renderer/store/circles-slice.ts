// My circles (groups of peers sharing one policy, changed by proposal and vote): the list, the
// circles the Circles page has shown read whole, founding one, proposing a change and voting. The
// forms' calls answer with an Outcome, so the page shows a refusal beside the form that caused it;
// a failed refresh goes to the error banner, as every other slice's does.
import type { CircleView } from '../../src-main/core/api/circle-methods.js';
import { describeError } from '../../src-main/core/errors.js';
import type { CirclesSlice, Outcome, Slice } from './types.js';

export const circlesSlice: Slice<CirclesSlice> = (set, get, transport) => {
  const keep = (circle: CircleView) => set((s) => ({ circleViews: { ...s.circleViews, [circle.circle_id]: circle } }));
  /** Runs a form's call, then reads the circles again whatever it answered (a refusal may follow news). */
  async function act<T>(work: () => Promise<T>): Promise<Outcome<T>> {
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await work() };
    } catch (error) {
      outcome = { ok: false, error: describeError(error) };
    }
    await get().refreshCircles();
    return outcome;
  }

  return {
    circles: null,
    circleViews: {},

    async refreshCircles() {
      const held = Object.keys(get().circleViews);
      const [list, ...views] = await Promise.all([
        get().attempt(() => transport.call('circles.list', {})),
        ...held.map((circleId) => get().attempt(() => transport.call('circles.show', { circle_id: circleId }))),
      ]);
      if (list) set({ circles: list.circles });
      for (const view of views) if (view) keep(view.circle);
    },

    async loadCircle(circleId) {
      const reply = await get().attempt(() => transport.call('circles.show', { circle_id: circleId }));
      if (reply) keep(reply.circle);
    },

    createCircle: (name, members) =>
      act(async () => {
        const { circle } = await transport.call('circles.create', { name, members });
        keep(circle);
        return circle;
      }),

    proposeChange: (circleId, change, description) =>
      act(async () => (await transport.call('circles.propose', { circle_id: circleId, change, description })).proposal),

    vote: (circleId, proposalId, choice) =>
      act(
        async () =>
          (await transport.call('circles.vote', { circle_id: circleId, proposal_id: proposalId, choice })).proposal,
      ),
  };
};
