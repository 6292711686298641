// Render jobs a node must refuse at submission, from a real node in a child process: bad scenes
// and frame ranges get a clear error, and nothing reaches the journal.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Journal } from '../../../src-main/node/journal/index.js';
import { killAllChildren, meshctl, startChild, stopChild } from './child-nodes.js';

after(killAllChildren);

const SAMPLE = 'assets/scenes/sample.json';
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `mesh-render-${name}-`));

test(
  'bad scenes and frame ranges get a clear error at submission and nothing is journaled',
  { timeout: 120_000 },
  async () => {
    const a = await startChild();
    const dir = tmp('bad');
    const scene = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, unknown> & {
      meshes: unknown[];
      spheres: { material: string }[];
    };
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const tooMany = {
      vertices: [
        [0, 0, 0],
        [1, 0, 0],
        [0, 1, 0],
      ],
      faces: Array.from({ length: 200_001 }, () => [0, 1, 2]),
      material: 'red',
    };
    const cases: [string, string[], RegExp][] = [
      ['malformed JSON', [write('broken.json', '{"camera": {')], /not JSON/i],
      [
        'an unknown material',
        [
          write(
            'unknown.json',
            JSON.stringify({ ...scene, spheres: [{ ...scene.spheres[0], material: 'unobtainium' }] }),
          ),
        ],
        /unknown material "unobtainium"/,
      ],
      [
        'a 10⁹-triangle claim',
        [write('huge.json', JSON.stringify({ ...scene, meshes: [tooMany] }))],
        /triangles|at most/i,
      ],
      [
        'an OBJ with bad indices',
        [write('bad-obj.json', JSON.stringify({ ...scene, meshes: [{ obj: 'bad.obj', material: 'red' }] }))],
        /bad\.obj.*vertex/i,
      ],
      ['frames out of range', [SAMPLE, '--frames', '5-2'], /--frames/],
      ['a frame past the last', [SAMPLE, '--frames', '2000000'], /--frames/],
    ];
    write('bad.obj', 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2 99\n');
    for (const [what, [file, ...extra], message] of cases) {
      const result = await meshctl([
        'submit-job',
        '--render',
        file!,
        ...extra,
        '--budget',
        '10',
        '--data-dir',
        a.dataDir,
      ]);
      assert.equal(result.code, 1, `${what}: exit status 1`);
      assert.match(result.stderr, /^meshctl: /, what);
      assert.match(result.stderr, message, what);
    }
    // The API refuses the same without the CLI's help, with the offending path named.
    await assert.rejects(
      a.api.call('render.submit', {
        scene: { ...scene, spheres: [{ ...scene.spheres[0], material: 'unobtainium' }] } as never,
        first_frame: 0,
        last_frame: 0,
        width: 64,
        height: 64,
        spp: 1,
        budget: 10,
      }),
      /spheres\.0\.material: unknown material/,
    );
    await assert.rejects(
      a.api.call('render.submit', {
        scene: scene as never,
        first_frame: 3,
        last_frame: 1,
        width: 64,
        height: 64,
        spp: 1,
        budget: 10,
      }),
      /last frame comes before the first/,
    );
    assert.equal((await a.api.call('jobs.list', {})).jobs.length, 0);
    await stopChild(a);
    const opened = Journal.open(join(a.dataDir, 'journal.sqlite'));
    assert.ok(opened.ok);
    const kinds = [...opened.journal.events()].map((e) => e.type);
    opened.journal.close();
    assert.ok(
      !kinds.includes('job.submitted') && !kinds.includes('unit.created'),
      `nothing about a job was journaled: ${[...new Set(kinds)].join(', ')}`,
    );
  },
);
