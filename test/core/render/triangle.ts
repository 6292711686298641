// The smallest mesh the scene tests build on: one triangle in the z = 0 plane.
export const TRIANGLE_VERTICES: [number, number, number][] = [
  [0, 0, 0],
  [1, 0, 0],
  [0, 1, 0],
];
