// What a scene's files must hold for every provider to render it alike: each image and linked
// library it uses, found in the job (the .blend, or its folder or zip) and nowhere else on the
// machine. Paths resolve as Blender resolves them (the preflight's Python): an image against the
// library that names it (a texture `//altocumulus.png` of `//assets/column.blend` is
// `assets/altocumulus.png`), a nested library as Blender keeps it. Studios and asset packs work so;
// only what is missing, or points outside the job, is refused. Pure.

/** The report's images and libraries (preflight.ts PreflightReport), as far as this judges them. */
export interface SceneAssets {
  images: ReadonlyArray<{ name: string; path: string; library?: string | null; exists: boolean; inside?: boolean }>;
  libraries: ReadonlyArray<{
    path: string;
    packed: boolean;
    exists?: boolean;
    inside?: boolean;
    parent?: string | null;
  }>;
}

/** ` (named by //assets/column.blend)`, for what a linked library names. */
const namedBy = (library: string | null | undefined, verb: string): string => (library ? ` (${verb} ${library})` : '');

/** What a missing file's path says: that it points outside the scene's folder, where it does. */
const elsewhere = (inside: boolean | undefined): string =>
  inside === false ? " (it points outside the scene's folder)" : '';

/** Why the scene's images and libraries cannot be rendered alike everywhere, each naming what is wrong. */
export function assetRefusals(assets: SceneAssets): string[] {
  const refusals: string[] = [];
  for (const image of assets.images) {
    const by = namedBy(image.library, 'named by');
    if (!image.exists)
      refusals.push(
        `missing texture "${image.name}": ${image.path || '(no path)'} is not in the job${by}${elsewhere(image.inside)}`,
      );
    else if (image.inside === false)
      refusals.push(`texture "${image.name}": ${image.path} is outside the job${by}: put it in the scene's folder`);
  }
  for (const library of assets.libraries) {
    if (library.packed) continue;
    const by = namedBy(library.parent, 'linked by');
    // A report of an earlier version says nothing of where it is: only a packed one is known to travel.
    if (library.exists === undefined) refusals.push(`linked library ${library.path} is not packed into the file`);
    else if (!library.exists)
      refusals.push(`linked library ${library.path} is not in the job${by}${elsewhere(library.inside)}`);
    else if (library.inside === false)
      refusals.push(`linked library ${library.path} is outside the job${by}: put it in the scene's folder`);
  }
  return refusals;
}
