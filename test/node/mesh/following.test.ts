// What a provider makes of a requester that has gone: its units can no longer be pulled or run, so
// they stop counting as waiting for my cores (my offer rounds place none of them).
import { test } from 'node:test';
import { hashJob, meshOf, startNode, stopAll, waitFor } from './cluster.js';

test('a contributor that disconnects no longer has units waiting for my cores; back, it has them again', async () => {
  const [requester, provider] = await Promise.all([startNode(), startNode()]);
  const nodes = [requester, provider];
  try {
    await meshOf([requester, provider]);
    await provider.api['sharing.set']({ on: false }); // its units stay waiting
    const { params } = hashJob(4, false);
    await requester.api['jobs.submit'](params);
    const waiting = () => (provider.node.ctx.commitments.get(requester.node.peerId)?.work_requests.length ?? 0) > 0;
    await waitFor('the requester to show its units waiting', () => waiting() || undefined, 20_000);

    await requester.node.stop();
    await waitFor('its units to stop counting once it is gone', () => !waiting() || undefined, 10_000);

    const back = await startNode({ dataDir: requester.dataDir });
    nodes.push(back);
    await back.node.network.connect(provider.node.network.listenAddresses()[0]!);
    await waitFor('its units to count again once it is back', () => waiting() || undefined, 20_000);
  } finally {
    await stopAll(nodes);
  }
});
