// A scene's images and libraries judged (core/blender/assets.ts): found in the job, or refused by
// name with the library that names them; what points outside the job refused even where this
// machine has it (a provider would not); a report of an earlier version trusted only with packed libraries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assetRefusals } from '../../../src-main/core/blender/assets.js';

const image = { name: 'wood', path: '//tex/wood.png', library: null, exists: true, inside: true };
const library = { path: '//assets/column.blend', packed: false, exists: true, inside: true, parent: null };

test('what is found in the job passes, a nested library and a library’s texture too', () => {
  assert.deepEqual(
    assetRefusals({
      images: [image, { ...image, path: '//altocumulus.png', library: '//assets/column.blend' }],
      libraries: [library, { ...library, path: '//assets/sub/base.blend', parent: '//assets/column.blend' }],
    }),
    [],
  );
});

test('missing, or outside the job, each refused by name with what names it', () => {
  const refusals = assetRefusals({
    images: [
      { ...image, path: '//altocumulus.png', library: '//assets/column.blend', exists: false },
      { ...image, name: 'logo', path: '/usr/share/logo.png', inside: false },
      { ...image, name: 'rock', path: '//../../nowhere/rock.png', exists: false, inside: false },
    ],
    libraries: [
      { ...library, path: '//assets/sub/base.blend', parent: '//assets/column.blend', exists: false },
      { ...library, path: '/home/me/lib.blend', exists: true, inside: false },
      { ...library, path: '/packed.blend', packed: true, exists: false, inside: false },
    ],
  });
  assert.deepEqual(refusals, [
    'missing texture "wood": //altocumulus.png is not in the job (named by //assets/column.blend)',
    'texture "logo": /usr/share/logo.png is outside the job: put it in the scene\'s folder',
    'missing texture "rock": //../../nowhere/rock.png is not in the job (it points outside the scene\'s folder)',
    'linked library //assets/sub/base.blend is not in the job (linked by //assets/column.blend)',
    "linked library /home/me/lib.blend is outside the job: put it in the scene's folder",
  ]);
});

test("a report of an earlier version's node says nothing of where a library is: refused unless packed", () => {
  assert.deepEqual(assetRefusals({ images: [], libraries: [{ path: '//lib.blend', packed: false }] }), [
    'linked library //lib.blend is not packed into the file',
  ]);
  assert.deepEqual(assetRefusals({ images: [], libraries: [{ path: '//lib.blend', packed: true }] }), []);
});
