// The scene JSON a render job carries (docs/SCENE.md): camera and its animation, named materials,
// spheres, planes, triangle meshes, per-object motion and a sky. Every schema is strict and bounded
// so a hostile scene cannot expand into unbounded work; cross-references (material names, face
// indices, keyframe order) are checked after the shapes, with the path of the offending value in
// the error. A scene FILE may also name a mesh by OBJ file (SceneFileSchema); the node's loader
// reads those files and inlines them, so what a job carries is always a SceneSchema scene.
import * as z from '../schemas/zod.js';
import { boundedArray, idRecord, Id, validate, type Decoded } from '../schemas/index.js';

export const SCENE_LIMITS = {
  materials: 256,
  spheres: 4096,
  planes: 4096,
  meshes: 256,
  /** Over all meshes together. */
  triangles: 200_000,
  verticesPerMesh: 600_000,
  keyframes: 4096,
  /** Per object. */
  motionKeyframes: 1024,
  /** Frame numbers in keyframes (and the kernel's `frame` param) lie in 0..frame. */
  frame: 1_000_000,
  maxDepth: 64,
  /** Coordinates beyond this are almost surely a mistake, and would overflow squared distances. */
  coordinate: 1e9,
  /** Characters in an `obj` file reference. */
  objPathChars: 1024,
} as const;

const Coord = z.number().check(z.minimum(-SCENE_LIMITS.coordinate), z.maximum(SCENE_LIMITS.coordinate));
const Vec3 = z.tuple([Coord, Coord, Coord]);
/** Linear RGB; values above 1 are allowed (emission, bright skies), bounded to stay finite. */
const Color = z.tuple([
  z.number().check(z.minimum(0), z.maximum(1e6)),
  z.number().check(z.minimum(0), z.maximum(1e6)),
  z.number().check(z.minimum(0), z.maximum(1e6)),
]);
const Albedo = z.tuple([
  z.number().check(z.minimum(0), z.maximum(1)),
  z.number().check(z.minimum(0), z.maximum(1)),
  z.number().check(z.minimum(0), z.maximum(1)),
]);
const FrameNumber = z.int().check(z.minimum(0), z.maximum(SCENE_LIMITS.frame));

type Vec3Value = readonly [number, number, number];
const notZero = (v: readonly number[]) => v.some((c) => c !== 0);
const cross = (a: readonly number[], b: readonly number[]) => [
  a[1]! * b[2]! - a[2]! * b[1]!,
  a[2]! * b[0]! - a[0]! * b[2]!,
  a[0]! * b[1]! - a[1]! * b[0]!,
];

const KeyframeSchema = z.strictObject({ frame: FrameNumber, position: Vec3, look_at: Vec3 });

const CameraSchema = z.strictObject({
  position: Vec3,
  look_at: Vec3,
  up: z._default(Vec3.check(z.refine(notZero, 'up must not be the zero vector')), [0, 1, 0]),
  /** Vertical field of view in degrees. */
  fov: z.number().check(z.gt(0), z.lt(180)),
  /** Lens diameter; 0 (the default) is a pinhole camera with everything in focus. */
  aperture: z._default(z.number().check(z.minimum(0), z.maximum(1e6)), 0),
  /** Distance to the plane in focus; defaults to the distance from position to look_at. */
  focus_distance: z.optional(z.number().check(z.gt(0), z.maximum(1e9))),
  /** Keyframes in strictly increasing frame order; frames before the first / after the last hold that key. */
  animation: z.optional(boundedArray(KeyframeSchema, SCENE_LIMITS.keyframes)),
});

/** One key of an object's motion: the offset added to the object's position at `frame`. */
const MotionKeySchema = z.strictObject({ frame: FrameNumber, translate: Vec3 });
/** Keyframes in strictly increasing frame order, interpolated like the camera's (see motion.ts). */
const Motion = z.optional(boundedArray(MotionKeySchema, SCENE_LIMITS.motionKeyframes));

/** The material types, as docs/SCENE.md lists them: an unknown `type` is refused naming these. */
const MATERIAL_TYPES = ['diffuse', 'metal', 'glass', 'emissive'] as const;

const unknownMaterialType = (input: unknown): string => {
  const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  const named = type === undefined ? 'none' : JSON.stringify(type).slice(0, 64);
  return `expected one of ${MATERIAL_TYPES.join(', ')}, got ${named}`;
};

const MaterialSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('diffuse'), albedo: Albedo }),
    z.strictObject({
      type: z.literal('metal'),
      albedo: Albedo,
      roughness: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0),
    }),
    z.strictObject({
      type: z.literal('glass'),
      ior: z.number().check(z.minimum(1), z.maximum(4)),
      tint: z._default(Albedo, [1, 1, 1]),
    }),
    z.strictObject({
      type: z.literal('emissive'),
      color: Color,
      strength: z._default(z.number().check(z.minimum(0), z.maximum(1e6)), 1),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? unknownMaterialType(issue.input) : undefined) },
);

const SphereSchema = z.strictObject({
  center: Vec3,
  radius: z.number().check(z.gt(0), z.maximum(1e9)),
  material: Id,
  motion: Motion,
});

const PlaneSchema = z.strictObject({
  point: Vec3,
  normal: Vec3.check(z.refine(notZero, 'normal must not be the zero vector')),
  material: Id,
  motion: Motion,
});

const VertexIndex = z.int().check(z.minimum(0), z.maximum(SCENE_LIMITS.verticesPerMesh - 1));

/** Where a mesh goes and what it is made of: the fields an inline mesh and an OBJ mesh share. */
const meshPlacement = {
  material: Id,
  translate: z._default(Vec3, [0, 0, 0]),
  /** One factor for all axes, or one per axis; applied before translate. */
  scale: z._default(z.union([z.number().check(z.gt(0), z.maximum(1e6)), Vec3]), 1),
  motion: Motion,
};

export const MeshSchema = z.strictObject({
  vertices: boundedArray(Vec3, SCENE_LIMITS.verticesPerMesh),
  faces: boundedArray(z.tuple([VertexIndex, VertexIndex, VertexIndex]), SCENE_LIMITS.triangles),
  ...meshPlacement,
});

/** A mesh named by OBJ file, in a scene file only: the path is relative to the scene file's folder. */
const ObjMeshSchema = z.strictObject({
  obj: z.string().check(
    z.minLength(1),
    z.maxLength(SCENE_LIMITS.objPathChars),
    z.refine((path) => !path.includes('\0'), 'obj path must not contain NUL'),
  ),
  ...meshPlacement,
});

const namesObj = (value: unknown) => typeof value === 'object' && value !== null && Object.hasOwn(value, 'obj');

/** A mesh of the scene a job carries: inline only, and an `obj` key says why rather than "vertices: expected an array". */
const InlineMeshSchema = z.pipe(
  z.custom<z.input<typeof MeshSchema>>((value) => !namesObj(value), {
    error:
      'OBJ files are read where the scene file is: send the mesh inline (vertices and faces), as meshctl and the app do',
    path: ['obj'],
    abort: true,
  }),
  MeshSchema,
);

/** An entry of a scene file's `meshes`: an OBJ reference when it has an `obj` key, else inline (each with its own errors). */
const MeshEntrySchema = z.pipe(
  z.unknown(),
  z.transform((value, ctx) => {
    const schema = namesObj(value) ? ObjMeshSchema : MeshSchema;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues)
      ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: value });
    return z.NEVER;
  }),
);

const SkySchema = z.strictObject({
  /** Radiance looking along the horizon (and below it). */
  horizon: Color,
  /** Radiance looking straight up; blended linearly with the ray's height. */
  zenith: Color,
  /** Direction towards the sun; with sun_color, a bright disc of sun_size degrees across. */
  sun_direction: z.optional(Vec3.check(z.refine(notZero, 'sun_direction must not be the zero vector'))),
  sun_color: z._default(Color, [0, 0, 0]),
  sun_size: z._default(z.number().check(z.gt(0), z.maximum(90)), 2),
});

/** Everything but the meshes, which differ between a scene and a scene file. */
const sceneFields = {
  camera: CameraSchema,
  materials: idRecord(MaterialSchema, SCENE_LIMITS.materials),
  spheres: z._default(boundedArray(SphereSchema, SCENE_LIMITS.spheres), []),
  planes: z._default(boundedArray(PlaneSchema, SCENE_LIMITS.planes), []),
  sky: SkySchema,
  /** Bounces per path, at least 1. */
  max_depth: z._default(z.int().check(z.minimum(1), z.maximum(SCENE_LIMITS.maxDepth)), 8),
};

const SceneFileShape = z.strictObject({
  ...sceneFields,
  meshes: z._default(boundedArray(MeshEntrySchema, SCENE_LIMITS.meshes), []),
});

/** The checks across fields, for scenes and scene files alike (an OBJ mesh's faces are checked when it is loaded). */
function checkReferences(scene: z.output<typeof SceneFileShape>, ctx: z.core.$RefinementCtx): void {
  const known = (name: string) => Object.hasOwn(scene.materials, name);
  const missing = (path: (string | number)[], name: string) =>
    ctx.addIssue({ code: 'custom', path, message: `unknown material "${name}" (not in materials)` });
  const ordered = (path: (string | number)[], keys: readonly { frame: number }[] | undefined) => {
    const unordered = (keys ?? []).findIndex((key, i) => i > 0 && key.frame <= keys![i - 1]!.frame);
    if (unordered >= 0)
      ctx.addIssue({
        code: 'custom',
        path: [...path, unordered, 'frame'],
        message: 'keyframes must be in strictly increasing frame order',
      });
  };
  scene.spheres.forEach((s, i) => {
    if (!known(s.material)) missing(['spheres', i, 'material'], s.material);
    ordered(['spheres', i, 'motion'], s.motion);
  });
  scene.planes.forEach((p, i) => {
    if (!known(p.material)) missing(['planes', i, 'material'], p.material);
    ordered(['planes', i, 'motion'], p.motion);
  });
  let triangles = 0;
  scene.meshes.forEach((mesh, m) => {
    if (!known(mesh.material)) missing(['meshes', m, 'material'], mesh.material);
    ordered(['meshes', m, 'motion'], mesh.motion);
    if ('obj' in mesh) return;
    const bad = mesh.faces.findIndex((face) => face.some((v) => v >= mesh.vertices.length));
    if (bad >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['meshes', m, 'faces', bad],
        message: `vertex index out of range (mesh has ${mesh.vertices.length} vertices)`,
      });
    }
    triangles += mesh.faces.length;
  });
  if (triangles > SCENE_LIMITS.triangles) {
    ctx.addIssue({
      code: 'custom',
      path: ['meshes'],
      message: `${triangles} triangles in all; at most ${SCENE_LIMITS.triangles}`,
    });
  }
  const { camera } = scene;
  const views: [(string | number)[], Vec3Value, Vec3Value][] = [[['camera'], camera.position, camera.look_at]];
  camera.animation?.forEach((key, i) => views.push([['camera', 'animation', i], key.position, key.look_at]));
  for (const [path, position, lookAt] of views) {
    const view = position.map((c, a) => c - lookAt[a]!);
    if (!notZero(view)) ctx.addIssue({ code: 'custom', path, message: 'position and look_at must differ' });
    else if (!notZero(cross(camera.up, view)))
      ctx.addIssue({ code: 'custom', path, message: 'up must not be parallel to the view direction' });
  }
  ordered(['camera', 'animation'], camera.animation);
}

/** The scene a job carries: meshes inline only (the daemon cannot read the submitter's files). */
export const SceneSchema = z
  .strictObject({ ...sceneFields, meshes: z._default(boundedArray(InlineMeshSchema, SCENE_LIMITS.meshes), []) })
  .check(z.superRefine(checkReferences));

/** A scene as written in a file: a mesh may instead name an OBJ file (`obj`), which the loader inlines. */
const SceneFileSchema = SceneFileShape.check(z.superRefine(checkReferences));

export type Scene = z.output<typeof SceneSchema>;
export type SceneInput = z.input<typeof SceneSchema>;
export type SceneFile = z.output<typeof SceneFileSchema>;
export type Material = z.output<typeof MaterialSchema>;
export type Mesh = z.output<typeof MeshSchema>;
export type MotionKey = z.output<typeof MotionKeySchema>;

/** Validates a parsed JSON value as a scene; errors name the offending path (e.g. `spheres.2.material`). */
export function parseScene(value: unknown): Decoded<Scene> {
  return validate(SceneSchema, value);
}

/** Validates a parsed scene file, OBJ references and all, before any OBJ file is read. */
export function parseSceneFile(value: unknown): Decoded<SceneFile> {
  return validate(SceneFileSchema, value);
}
