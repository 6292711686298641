// OBJ text to an inline scene mesh (vertices + faces), through @loaders.gl/obj. The loader hands
// back three float32 positions per triangle (polygons split into fans) and marks a face index that
// names no vertex with NaN instead of failing, so every triangle is checked here and reported by
// its number and its `f` line. Identical vertices are merged, which keeps the resolved scene JSON
// (what travels to the daemon) about a third of the size.
import { describeError } from '../../core/errors.js';
import { OBJLoader } from '@loaders.gl/obj';
import { SCENE_LIMITS, type Mesh } from '../../core/render/index.js';

type ObjMeshData = Pick<Mesh, 'vertices' | 'faces'>;
export type ObjParse = { ok: true; mesh: ObjMeshData } | { ok: false; error: string };

/** Parses OBJ text into a mesh of at most `maxTriangles` triangles; the error says what is wrong and where. */
export function parseObjMesh(text: string, maxTriangles: number): ObjParse {
  let positions: ArrayLike<number> | undefined;
  try {
    // Line (`l`) and point (`p`) elements would land in the same position list as the faces and
    // shift every triangle after them; they are not surfaces, so they are blanked (keeping line numbers).
    const surfaces = text.replace(/^[ \t]*[lp].*$/gm, '');
    positions = OBJLoader.parseTextSync(surfaces, {}).attributes.POSITION?.value;
  } catch (err) {
    return { ok: false, error: `not a valid OBJ file: ${clip(describeError(err))}` };
  }
  if (positions === undefined || positions.length % 9 !== 0)
    return { ok: false, error: 'not a valid OBJ file: its positions do not form whole triangles' };
  const triangles = positions.length / 9;
  if (triangles === 0) return { ok: false, error: 'holds no triangles (no "f" lines with three or more vertices)' };
  if (triangles > maxTriangles) {
    return {
      ok: false,
      error: `${triangles} triangles, more than the ${maxTriangles} the scene has room for (at most ${SCENE_LIMITS.triangles} over all its meshes)`,
    };
  }
  const vertices: ObjMeshData['vertices'] = [];
  const faces: ObjMeshData['faces'] = [];
  const indexOf = new Map<string, number>();
  for (let t = 0; t < triangles; t++) {
    const face: number[] = [];
    for (let corner = 0; corner < 3; corner++) {
      const at = (t * 3 + corner) * 3;
      const xyz = [positions[at]!, positions[at + 1]!, positions[at + 2]!] as const;
      if (xyz.every(Number.isNaN))
        return { ok: false, error: `${where(text, t)} refers to a vertex that does not exist` };
      if (!xyz.every((c) => Math.abs(c) <= SCENE_LIMITS.coordinate)) {
        return {
          ok: false,
          error: `${where(text, t)} has a vertex coordinate that is not a number or lies beyond ±${SCENE_LIMITS.coordinate}`,
        };
      }
      const key = xyz.join(' ');
      let index = indexOf.get(key);
      if (index === undefined) {
        index = vertices.length;
        indexOf.set(key, index);
        vertices.push([shortFloat32(xyz[0]), shortFloat32(xyz[1]), shortFloat32(xyz[2])]);
      }
      face.push(index);
    }
    faces.push(face as [number, number, number]);
  }
  return { ok: true, mesh: { vertices, faces } };
}

/**
 * "triangle T (line L)": T counts triangles from 1 in file order, L is the `f` line it comes from
 * (a face of n vertices makes n − 2 triangles), counted the way the loader splits lines.
 */
function where(text: string, triangle: number): string {
  let seen = 0;
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const trimmed = line.trimStart();
    if (!trimmed.startsWith('f')) continue;
    const corners = trimmed
      .slice(1)
      .trim()
      .split(/\s+/)
      .filter((token) => token.length > 0).length;
    seen += Math.max(0, corners - 2);
    if (seen > triangle) return `triangle ${triangle + 1} (line ${i + 1})`;
  }
  return `triangle ${triangle + 1}`;
}

/** The shortest decimal that reads back as the same float32: mostly the OBJ's own digits, not 17 of them. */
function shortFloat32(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const short = Number(value.toPrecision(digits));
    if (Math.fround(short) === value) return short;
  }
  return value;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
