// A frame cut into tiles for Blender's border rendering, and the tiles put back. Blender cuts a
// border at int(border × width) (and counts rows from the bottom), with the border stored as a
// float32: a border of exactly x / width may land a pixel short, so each edge is passed a quarter
// pixel inside its pixel, which truncation and rounding both bring back to x.

/** A tile in pixels, rows counted from the top (as a PNG has them); x1 and y1 exclusive. */
export interface PixelRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The border Blender is given: fractions of the frame, y counted from the bottom. */
export interface BorderFractions {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** The `i`th of `parts` even cuts of `size` pixels (0 and `size` at the ends). */
const cut = (size: number, parts: number, i: number): number => Math.floor((size * i) / parts);

/** `cols` × `rows` tiles covering a width × height frame exactly, row by row from the top. */
export function tileGrid(width: number, height: number, cols: number, rows: number): PixelRect[] {
  if (cols < 1 || rows < 1 || cols > width || rows > height)
    throw new RangeError(`a ${width}×${height} frame cannot be cut into ${cols}×${rows} tiles`);
  const tiles: PixelRect[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      tiles.push({
        x0: cut(width, cols, c),
        x1: cut(width, cols, c + 1),
        y0: cut(height, rows, r),
        y1: cut(height, rows, r + 1),
      });
  return tiles;
}

const QUARTER = 0.25;

/** The border that makes Blender render exactly `tile` of a width × height frame. */
export function borderOf(tile: PixelRect, width: number, height: number): BorderFractions {
  return {
    minX: (tile.x0 + QUARTER) / width,
    maxX: (tile.x1 + QUARTER) / width,
    // Blender's y runs up from the bottom row: the tile's bottom edge is height − y1 from there.
    minY: (height - tile.y1 + QUARTER) / height,
    maxY: (height - tile.y0 + QUARTER) / height,
  };
}

/** An image, 8-bit RGBA, rows from the top. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The frame the tiles make, each copied to its place; every tile must be the size of its rect. */
export function stitch(width: number, height: number, tiles: { rect: PixelRect; image: Rgba }[]): Rgba {
  const data = new Uint8Array(width * height * 4);
  for (const { rect, image } of tiles) {
    const w = rect.x1 - rect.x0;
    if (image.width !== w || image.height !== rect.y1 - rect.y0)
      throw new RangeError(
        `a tile of ${image.width}×${image.height} for a ${w}×${rect.y1 - rect.y0} place at (${rect.x0}, ${rect.y0})`,
      );
    for (let y = 0; y < image.height; y++)
      data.set(image.data.subarray(y * w * 4, (y + 1) * w * 4), ((rect.y0 + y) * width + rect.x0) * 4);
  }
  return { width, height, data };
}

/** The part of `image` under `rect`. */
export function crop(image: Rgba, rect: PixelRect): Rgba {
  const w = rect.x1 - rect.x0;
  const h = rect.y1 - rect.y0;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const from = ((rect.y0 + y) * image.width + rect.x0) * 4;
    data.set(image.data.subarray(from, from + w * 4), y * w * 4);
  }
  return { width: w, height: h, data };
}
