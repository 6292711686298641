// OBJ files (node/render/obj-mesh.ts), the meshes a scene file names: a mesh whose every face
// names a vertex and whose coordinates are in range, or an error that says what and where.
import { SCENE_LIMITS } from '../../../src-main/core/render/index.js';
import { parseObjMesh } from '../../../src-main/node/render/obj-mesh.js';
import { check } from './expect.js';

export function fuzz(data: Buffer): void {
  const parsed = parseObjMesh(data.toString('utf8'), 1000);
  if (!parsed.ok) {
    check(typeof parsed.error === 'string' && parsed.error.length > 0, 'a failure without a message');
    return;
  }
  const { vertices, faces } = parsed.mesh;
  check(faces.length > 0 && faces.length <= 1000, `${faces.length} triangles`);
  for (const face of faces)
    check(
      face.every((i) => Number.isInteger(i) && i < vertices.length),
      'a face past the vertices',
    );
  for (const v of vertices)
    check(
      v.every((c) => Math.abs(c) <= SCENE_LIMITS.coordinate),
      'a coordinate out of range',
    );
}
