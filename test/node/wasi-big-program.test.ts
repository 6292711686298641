// A program of real size as a mesh job: a 20 MB WASI command (nearly all code, as a compiled
// interpreter or compiler is) put in the requester's store, named by its CID in the job, fetched by
// the provider, metered there and on the requester (which checks results against its own run), and
// run; its output is what V8 gives running the same bytes unmetered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeWasiOutput } from '../../src-main/node/exec/index.js';
import { bigProgram } from './fixtures/big-program.js';
import { jobEnded, meshOf, startNode, type TestNode } from './mesh/cluster.js';

const PROGRAM_BYTES = 20_000_000;

const nodes: TestNode[] = [];
before(async () => {
  nodes.push(await startNode(), await startNode());
  await meshOf(nodes);
});
after(async () => {
  await Promise.all(nodes.map((n) => n.node.stop()));
});

/** The program's stdout, run by V8 unmetered with the two WASI calls it makes: the reference. */
function unmeteredStdout(module: Uint8Array): Buffer {
  let memory: WebAssembly.Memory | undefined;
  const written: Buffer[] = [];
  const exited = new Error('proc_exit');
  const instance = new WebAssembly.Instance(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>), {
    wasi_snapshot_preview1: {
      fd_write(fd: number, iovs: number, count: number) {
        assert.equal(fd, 1);
        const view = new DataView(memory!.buffer);
        for (let i = 0; i < count; i++) {
          const [at, length] = [view.getUint32(iovs + 8 * i, true), view.getUint32(iovs + 8 * i + 4, true)];
          written.push(Buffer.from(memory!.buffer, at, length));
        }
        return 0;
      },
      proc_exit() {
        throw exited;
      },
    },
  });
  memory = instance.exports['memory'] as WebAssembly.Memory;
  assert.throws(
    () => (instance.exports['_start'] as () => void)(),
    (err) => err === exited,
  );
  return Buffer.concat(written);
}

test(
  'a 20 MB program runs as a mesh job, named by its CID, and prints what V8 prints running it unmetered',
  { timeout: 240_000 },
  async () => {
    const [requester, provider] = nodes as [TestNode, TestNode];
    const module = Buffer.from(bigProgram(PROGRAM_BYTES));
    assert.ok(module.byteLength > 4 << 20, `${module.byteLength} bytes: over the old 4 MiB cap`);
    const { cid } = await requester.api['blobs.put']({ data_base64: module.toString('base64') });
    const { job_id: jobId } = await requester.api['jobs.submit']({
      name: 'a program of real size',
      module_cid: cid,
      wasi: { args: [], env: {}, items: 'chunks' },
      input_base64: Buffer.from('one unit').toString('base64'),
      chunk_bytes: 1024,
      redundancy: 1,
      budget: 10_000_000,
      priority: 0.5,
      manual_accept: false,
      open_to_strangers: false,
    });
    const job = await jobEnded(requester.api, jobId, 200_000);
    assert.equal(job.state, 'completed', JSON.stringify(job));
    const { outputs } = await requester.api['jobs.outputs']({ job_id: jobId });
    assert.equal(outputs.length, 1);
    const [unit] = outputs;
    assert.equal(unit!.status, 'verified');
    const result = decodeWasiOutput(Buffer.from(unit!.output_base64!, 'base64'));
    assert.equal(result.exitCode, 0);
    const stdout = Buffer.from(result.stdout);
    assert.equal(stdout.byteLength, 4);
    assert.deepEqual(stdout, unmeteredStdout(module));
    // The provider ran it: it fetched the program by its CID and holds it now.
    assert.ok(provider.node.ctx.blobs.get(cid), 'the provider fetched the program');
  },
);
