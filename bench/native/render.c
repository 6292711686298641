/* A deliberate twin of the AssemblyScript kernel (wasm/render/) and the WGSL one (src-gpu/render.wgsl). */
/*
 * The render kernel (wasm/render/) in C, step for step: same blob reader, same PCG random
 * stream, same BVH traversal, same shading and tonemap. It is the native baseline the
 * wasm_vs_native_ratio benchmark (bench/render-native.bench.ts) measures the kernel against.
 *
 *   gcc -O2 -o render render.c -lm
 *   ./render <scene.blob> <frame> <width> <height> <x> <y> <w> <h> <spp> <seed> <repetitions> [out.rgba]
 *
 * Prints {"median_ms": …} (the render loop only, CLOCK_MONOTONIC) and writes the tile's RGBA8
 * bytes to out.rgba when given. Output is not bit-identical to the kernel (libm differs from
 * AssemblyScript's Math) but visually the same.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T_MIN 1e-4
#define STACK_SIZE 64
#define ROULETTE_AFTER 3
enum { KIND_DIFFUSE, KIND_METAL, KIND_GLASS, KIND_EMISSIVE };
enum { HIT_SPHERE, HIT_PLANE, HIT_TRIANGLE };

static const uint8_t *base;
static const uint8_t *materials, *spheres, *planes, *triangles, *nodes, *keyframes;
static int sphere_count, plane_count, node_count, keyframe_count, max_depth;

static inline double f64_at(const uint8_t *p, size_t offset) { double v; memcpy(&v, p + offset, 8); return v; }
static inline uint32_t u32_at(const uint8_t *p, size_t offset) { uint32_t v; memcpy(&v, p + offset, 4); return v; }
static inline double constant(size_t offset) { return f64_at(base, offset); }

/* ---- random numbers: the PCG hash; the state is passed along as in the kernel ---- */
static inline uint32_t pcg_hash(uint32_t input) {
  uint32_t s = input * 747796405u + 2891336453u;
  uint32_t word = ((s >> ((s >> 28) + 4)) ^ s) * 277803737u;
  return (word >> 22) ^ word;
}
static uint32_t pixel_state(uint32_t seed, uint32_t frame, uint32_t x, uint32_t y) {
  return pcg_hash(pcg_hash(pcg_hash(pcg_hash(seed) ^ frame) ^ x) ^ y);
}
static inline uint32_t next_state(uint32_t state) { return state * 747796405u + 2891336453u; }
static inline double to_unit(uint32_t state) {
  uint32_t word = ((state >> ((state >> 28) + 4)) ^ state) * 277803737u;
  return (double)((word >> 22) ^ word) * 2.3283064365386963e-10;
}
/* Draws the next number of the stream whose state is the local `rng`. */
#define RANDOM() (rng = next_state(rng), to_unit(rng))

/* ---- blob (trusted here: it comes from the scene compiler) ---- */
static int open_scene(const uint8_t *blob, size_t len) {
  if (len < 224 || u32_at(blob, 0) != 0x4e43534du || u32_at(blob, 4) != 1 || u32_at(blob, 8) != len) return 0;
  base = blob;
  sphere_count = (int)u32_at(blob, 20);
  plane_count = (int)u32_at(blob, 24);
  node_count = (int)u32_at(blob, 32);
  keyframe_count = (int)u32_at(blob, 36);
  materials = blob + u32_at(blob, 40);
  spheres = blob + u32_at(blob, 44);
  planes = blob + u32_at(blob, 48);
  triangles = blob + u32_at(blob, 52);
  nodes = blob + u32_at(blob, 56);
  keyframes = blob + u32_at(blob, 60);
  max_depth = (int)constant(216);
  return 1;
}

/* ---- intersection ---- */
static double hit_t, hit_nx, hit_ny, hit_nz;
static int hit_material, hit_kind, hit_index;
static int stack_nodes[STACK_SIZE];
static int64_t stack_dist[STACK_SIZE];

/*
 * near_x/y/z: byte offsets of the min or max coordinate the ray meets first (from its signs).
 * Max of entries and min of exits on the doubles' bit patterns as signed int64, as the kernel
 * does (see enterBox in wasm/render/intersect.ts for why this is exact).
 */
static inline int64_t bits(double x) { int64_t b; memcpy(&b, &x, 8); return b; }
#define MISS INT64_MAX
static inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

static inline int64_t enter_box(const uint8_t *node, double ox, double oy, double oz, double ix, double iy, double iz,
                               size_t near_x, size_t near_y, size_t near_z, double limit) {
  int64_t x_near = bits((f64_at(node, near_x) - ox) * ix), x_far = bits((f64_at(node, 24 - near_x) - ox) * ix);
  int64_t y_near = bits((f64_at(node, near_y) - oy) * iy), y_far = bits((f64_at(node, 40 - near_y) - oy) * iy);
  int64_t z_near = bits((f64_at(node, near_z) - oz) * iz), z_far = bits((f64_at(node, 56 - near_z) - oz) * iz);
  int64_t near = imax(imax(x_near, y_near), imax(z_near, bits(T_MIN)));
  int64_t far = imin(imin(x_far, y_far), imin(z_far, bits(limit)));
  return near <= far ? near : MISS;
}

static inline double hit_triangle(int t, double ox, double oy, double oz, double dx, double dy, double dz, double best) {
  const uint8_t *tri = triangles + (size_t)t * 104;
  double e1x = f64_at(tri, 24), e1y = f64_at(tri, 32), e1z = f64_at(tri, 40);
  double e2x = f64_at(tri, 48), e2y = f64_at(tri, 56), e2z = f64_at(tri, 64);
  double px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
  double det = e1x * px + e1y * py + e1z * pz;
  if (fabs(det) < 1e-12) return best;
  double inv = 1.0 / det;
  double tx = ox - f64_at(tri, 0), ty = oy - f64_at(tri, 8), tz = oz - f64_at(tri, 16);
  double u = (tx * px + ty * py + tz * pz) * inv;
  if (u < 0 || u > 1) return best;
  double qx = ty * e1z - tz * e1y, qy = tz * e1x - tx * e1z, qz = tx * e1y - ty * e1x;
  double v = (dx * qx + dy * qy + dz * qz) * inv;
  if (v < 0 || u + v > 1) return best;
  double d = (e2x * qx + e2y * qy + e2z * qz) * inv;
  if (d > T_MIN && d < best) { hit_kind = HIT_TRIANGLE; hit_index = t; return d; }
  return best;
}

static double traverse(double ox, double oy, double oz, double dx, double dy, double dz, double nearest) {
  double ix = 1.0 / dx, iy = 1.0 / dy, iz = 1.0 / dz, best = nearest;
  size_t near_x = ix >= 0 ? 0 : 24, near_y = iy >= 0 ? 8 : 32, near_z = iz >= 0 ? 16 : 40;
  int node = 0, sp = 0;
  if (enter_box(nodes, ox, oy, oz, ix, iy, iz, near_x, near_y, near_z, best) == MISS) return best;
  for (;;) {
    const uint8_t *at = nodes + (size_t)node * 56;
    int first = (int)u32_at(at, 48), count = (int)u32_at(at, 52);
    if (count > 0) {
      for (int t = first; t < first + count; t++) best = hit_triangle(t, ox, oy, oz, dx, dy, dz, best);
    } else {
      int64_t left = enter_box(nodes + (size_t)first * 56, ox, oy, oz, ix, iy, iz, near_x, near_y, near_z, best);
      int64_t right = enter_box(nodes + (size_t)(first + 1) * 56, ox, oy, oz, ix, iy, iz, near_x, near_y, near_z, best);
      int right_first = right < left;
      int near = right_first ? first + 1 : first, far = right_first ? first : first + 1;
      int64_t d_near = right_first ? right : left, d_far = right_first ? left : right;
      if (d_near != MISS) {
        if (d_far != MISS && sp < STACK_SIZE) { stack_nodes[sp] = far; stack_dist[sp] = d_far; sp++; }
        node = near;
        continue;
      }
    }
    for (;;) {
      if (sp == 0) return best;
      sp--;
      if (stack_dist[sp] < bits(best)) break;
    }
    node = stack_nodes[sp];
  }
}

static int closest_hit(double ox, double oy, double oz, double dx, double dy, double dz) {
  double best = INFINITY;
  hit_kind = -1;
  for (int i = 0; i < sphere_count; i++) {
    const uint8_t *s = spheres + (size_t)i * 40;
    double cx = ox - f64_at(s, 0), cy = oy - f64_at(s, 8), cz = oz - f64_at(s, 16), r = f64_at(s, 24);
    double b = cx * dx + cy * dy + cz * dz;
    double disc = b * b - (cx * cx + cy * cy + cz * cz - r * r);
    if (disc <= 0) continue;
    double root = sqrt(disc), t = -b - root;
    if (t <= T_MIN) t = -b + root;
    if (t > T_MIN && t < best) { best = t; hit_kind = HIT_SPHERE; hit_index = i; }
  }
  for (int i = 0; i < plane_count; i++) {
    const uint8_t *p = planes + (size_t)i * 56;
    double nx = f64_at(p, 24), ny = f64_at(p, 32), nz = f64_at(p, 40);
    double denom = dx * nx + dy * ny + dz * nz;
    if (fabs(denom) < 1e-12) continue;
    double t = ((f64_at(p, 0) - ox) * nx + (f64_at(p, 8) - oy) * ny + (f64_at(p, 16) - oz) * nz) / denom;
    if (t > T_MIN && t < best) { best = t; hit_kind = HIT_PLANE; hit_index = i; }
  }
  if (node_count > 0) best = traverse(ox, oy, oz, dx, dy, dz, best);
  if (hit_kind < 0) return 0;
  hit_t = best;
  if (hit_kind == HIT_SPHERE) {
    const uint8_t *s = spheres + (size_t)hit_index * 40;
    double inv = 1.0 / f64_at(s, 24);
    hit_nx = (ox + hit_t * dx - f64_at(s, 0)) * inv;
    hit_ny = (oy + hit_t * dy - f64_at(s, 8)) * inv;
    hit_nz = (oz + hit_t * dz - f64_at(s, 16)) * inv;
    hit_material = (int)f64_at(s, 32);
  } else {
    const uint8_t *record = hit_kind == HIT_PLANE ? planes + (size_t)hit_index * 56 + 24 : triangles + (size_t)hit_index * 104 + 72;
    hit_nx = f64_at(record, 0); hit_ny = f64_at(record, 8); hit_nz = f64_at(record, 16);
    hit_material = (int)f64_at(record, 24);
  }
  return 1;
}

/* ---- camera ---- */
static double pos_x, pos_y, pos_z, u_x, u_y, u_z, v_x, v_y, v_z, w_x, w_y, w_z;
static double half_width, half_height, focus, lens_radius, inv_width, inv_height;
static double ray_ox, ray_oy, ray_oz, ray_dx, ray_dy, ray_dz;

static inline double key(int k, size_t offset) { return f64_at(keyframes, (size_t)k * 56 + offset); }

static void setup_camera(double frame, int width, int height) {
  int k = 0;
  while (k + 1 < keyframe_count && key(k + 1, 0) <= frame) k++;
  double a = k + 1 < keyframe_count && frame > key(k, 0) ? (frame - key(k, 0)) / (key(k + 1, 0) - key(k, 0)) : 0.0;
  int next = k + 1 < keyframe_count ? k + 1 : k;
  pos_x = key(k, 8) + (key(next, 8) - key(k, 8)) * a;
  pos_y = key(k, 16) + (key(next, 16) - key(k, 16)) * a;
  pos_z = key(k, 24) + (key(next, 24) - key(k, 24)) * a;
  double look_x = key(k, 32) + (key(next, 32) - key(k, 32)) * a;
  double look_y = key(k, 40) + (key(next, 40) - key(k, 40)) * a;
  double look_z = key(k, 48) + (key(next, 48) - key(k, 48)) * a;
  w_x = pos_x - look_x; w_y = pos_y - look_y; w_z = pos_z - look_z;
  double distance = sqrt(w_x * w_x + w_y * w_y + w_z * w_z);
  w_x /= distance; w_y /= distance; w_z /= distance;
  double up_x = constant(64), up_y = constant(72), up_z = constant(80);
  u_x = up_y * w_z - up_z * w_y; u_y = up_z * w_x - up_x * w_z; u_z = up_x * w_y - up_y * w_x;
  double u_len = sqrt(u_x * u_x + u_y * u_y + u_z * u_z);
  u_x /= u_len; u_y /= u_len; u_z /= u_len;
  v_x = w_y * u_z - w_z * u_y; v_y = w_z * u_x - w_x * u_z; v_z = w_x * u_y - w_y * u_x;
  half_height = tan(constant(88) * (M_PI / 360.0));
  half_width = half_height * (double)width / (double)height;
  double focus_distance = constant(104);
  focus = focus_distance > 0 ? focus_distance : distance;
  lens_radius = constant(96) * 0.5;
  inv_width = 1.0 / (double)width;
  inv_height = 1.0 / (double)height;
}

static inline uint32_t primary_ray(int px, int py, uint32_t rng) {
  double s = (((double)px + RANDOM()) * inv_width * 2.0 - 1.0) * half_width * focus;
  double t = (1.0 - ((double)py + RANDOM()) * inv_height * 2.0) * half_height * focus;
  double ox = pos_x, oy = pos_y, oz = pos_z;
  if (lens_radius > 0) {
    double lx, ly;
    do { lx = 2.0 * RANDOM() - 1.0; ly = 2.0 * RANDOM() - 1.0; } while (lx * lx + ly * ly >= 1.0);
    lx *= lens_radius; ly *= lens_radius;
    ox += lx * u_x + ly * v_x; oy += lx * u_y + ly * v_y; oz += lx * u_z + ly * v_z;
  }
  double dx = pos_x + s * u_x + t * v_x - focus * w_x - ox;
  double dy = pos_y + s * u_y + t * v_y - focus * w_y - oy;
  double dz = pos_z + s * u_z + t * v_z - focus * w_z - oz;
  double inv = 1.0 / sqrt(dx * dx + dy * dy + dz * dz);
  ray_ox = ox; ray_oy = oy; ray_oz = oz;
  ray_dx = dx * inv; ray_dy = dy * inv; ray_dz = dz * inv;
  return rng;
}

/* ---- one light path ---- */
static double path_r, path_g, path_b;

static uint32_t trace_path(double ox, double oy, double oz, double dx, double dy, double dz, uint32_t rng) {
  double tr = 1, tg = 1, tb = 1, r = 0, g = 0, b = 0;
  for (int depth = 0; depth < max_depth; depth++) {
    if (!closest_hit(ox, oy, oz, dx, dy, dz)) {
      double up = dy > 0 ? dy : 0.0;
      double sr = constant(112) + (constant(136) - constant(112)) * up;
      double sg = constant(120) + (constant(144) - constant(120)) * up;
      double sb = constant(128) + (constant(152) - constant(128)) * up;
      if (dx * constant(160) + dy * constant(168) + dz * constant(176) >= constant(208)) {
        sr += constant(184); sg += constant(192); sb += constant(200);
      }
      r += tr * sr; g += tg * sg; b += tb * sb;
      break;
    }
    const uint8_t *m = materials + (size_t)hit_material * 40;
    int kind = (int)f64_at(m, 0);
    double mr = f64_at(m, 8), mg = f64_at(m, 16), mb = f64_at(m, 24);
    if (kind == KIND_EMISSIVE) { r += tr * mr; g += tg * mg; b += tb * mb; break; }
    ox += hit_t * dx; oy += hit_t * dy; oz += hit_t * dz;
    double nx = hit_nx, ny = hit_ny, nz = hit_nz;
    double cos_in = -(dx * nx + dy * ny + dz * nz);
    int entering = cos_in > 0;
    if (!entering) { nx = -nx; ny = -ny; nz = -nz; cos_in = -cos_in; }
    if (kind == KIND_DIFFUSE) {
      double lx, ly;
      do { lx = 2.0 * RANDOM() - 1.0; ly = 2.0 * RANDOM() - 1.0; } while (lx * lx + ly * ly >= 1.0);
      double lz = sqrt(1.0 - (lx * lx + ly * ly));
      double sign = nz >= 0 ? 1.0 : -1.0;
      double a = -1.0 / (sign + nz);
      double bb = nx * ny * a;
      dx = lx * (1.0 + sign * nx * nx * a) + ly * bb + lz * nx;
      dy = lx * (sign * bb) + ly * (sign + ny * ny * a) + lz * ny;
      dz = lx * (-sign * nx) + ly * (-ny) + lz * nz;
    } else if (kind == KIND_METAL) {
      double roughness = f64_at(m, 32);
      double bx, by, bz;
      do {
        bx = 2.0 * RANDOM() - 1.0; by = 2.0 * RANDOM() - 1.0; bz = 2.0 * RANDOM() - 1.0;
      } while (bx * bx + by * by + bz * bz >= 1.0);
      dx += 2.0 * cos_in * nx + roughness * bx;
      dy += 2.0 * cos_in * ny + roughness * by;
      dz += 2.0 * cos_in * nz + roughness * bz;
      if (dx * nx + dy * ny + dz * nz <= 0) break;
    } else {
      double eta = entering ? 1.0 / f64_at(m, 32) : f64_at(m, 32);
      double c = cos_in < 1.0 ? cos_in : 1.0;
      double sin2 = 1.0 - c * c;
      double r0 = (1.0 - eta) / (1.0 + eta);
      double c5 = (1.0 - c) * (1.0 - c) * (1.0 - c) * (1.0 - c) * (1.0 - c);
      double reflectance = r0 * r0 + (1.0 - r0 * r0) * c5;
      if (eta * eta * sin2 > 1.0 || reflectance > RANDOM()) {
        dx += 2.0 * cos_in * nx; dy += 2.0 * cos_in * ny; dz += 2.0 * cos_in * nz;
      } else {
        double px = eta * (dx + c * nx), py = eta * (dy + c * ny), pz = eta * (dz + c * nz);
        double along = -sqrt(fabs(1.0 - (px * px + py * py + pz * pz)));
        dx = px + along * nx; dy = py + along * ny; dz = pz + along * nz;
      }
    }
    double inv = 1.0 / sqrt(dx * dx + dy * dy + dz * dz);
    dx *= inv; dy *= inv; dz *= inv;
    tr *= mr; tg *= mg; tb *= mb;
    if (depth >= ROULETTE_AFTER) {
      double keep = tr > tg ? tr : tg;
      keep = keep > tb ? keep : tb;
      keep = keep < 0.95 ? keep : 0.95;
      if (RANDOM() >= keep) break;
      tr /= keep; tg /= keep; tb /= keep;
    }
  }
  path_r = r; path_g = g; path_b = b;
  return rng;
}

/* ---- pixels ---- */
static uint8_t to_byte(double linear) {
  double x = linear > 0 ? linear : 0.0;
  double v = (x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14);
  v = v < 1.0 ? v : 1.0;
  v = v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1.0 / 2.4) - 0.055;
  return (uint8_t)floor(v * 255.0 + 0.5);
}

static void render_pixel(uint8_t *at, int px, int py, int spp, uint32_t seed, uint32_t frame) {
  uint32_t rng = pixel_state(seed, frame, (uint32_t)px, (uint32_t)py);
  double r = 0, g = 0, b = 0;
  for (int s = 0; s < spp; s++) {
    rng = primary_ray(px, py, rng);
    rng = trace_path(ray_ox, ray_oy, ray_oz, ray_dx, ray_dy, ray_dz, rng);
    if (path_r == path_r && path_g == path_g && path_b == path_b) { r += path_r; g += path_g; b += path_b; }
  }
  double scale = 1.0 / (double)spp;
  at[0] = to_byte(r * scale); at[1] = to_byte(g * scale); at[2] = to_byte(b * scale); at[3] = 255;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 12) {
    fprintf(stderr, "usage: %s scene.blob frame width height x y w h spp seed repetitions [out.rgba]\n", argv[0]);
    return 2;
  }
  FILE *file = fopen(argv[1], "rb");
  if (!file) { perror(argv[1]); return 1; }
  fseek(file, 0, SEEK_END);
  long len = ftell(file);
  fseek(file, 0, SEEK_SET);
  uint8_t *blob = malloc((size_t)len);
  if (!blob || fread(blob, 1, (size_t)len, file) != (size_t)len) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
  fclose(file);
  if (!open_scene(blob, (size_t)len)) { fprintf(stderr, "%s is not a scene blob\n", argv[1]); return 1; }

  int frame = atoi(argv[2]), width = atoi(argv[3]), height = atoi(argv[4]);
  int x = atoi(argv[5]), y = atoi(argv[6]), w = atoi(argv[7]), h = atoi(argv[8]), spp = atoi(argv[9]);
  uint32_t seed = (uint32_t)strtoul(argv[10], NULL, 10);
  int repetitions = atoi(argv[11]);
  if (w < 1 || h < 1 || spp < 1 || repetitions < 1 || repetitions > 1000) { fprintf(stderr, "bad arguments\n"); return 2; }
  uint8_t *out = malloc((size_t)w * (size_t)h * 4);
  double *times = malloc(sizeof(double) * (size_t)repetitions);
  for (int rep = 0; rep < repetitions; rep++) {
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    setup_camera((double)frame, width, height);
    for (int row = 0; row < h; row++)
      for (int col = 0; col < w; col++) render_pixel(out + ((size_t)row * w + col) * 4, x + col, y + row, spp, seed, (uint32_t)frame);
    clock_gettime(CLOCK_MONOTONIC, &end);
    times[rep] = (double)(end.tv_sec - start.tv_sec) * 1e3 + (double)(end.tv_nsec - start.tv_nsec) / 1e6;
  }
  qsort(times, (size_t)repetitions, sizeof(double), compare_doubles);
  printf("{\"median_ms\": %.3f, \"repetitions\": %d}\n", times[repetitions / 2], repetitions);
  if (argc > 12) {
    FILE *dump = fopen(argv[12], "wb");
    if (!dump || fwrite(out, 1, (size_t)w * (size_t)h * 4, dump) != (size_t)w * (size_t)h * 4) { perror(argv[12]); return 1; }
    fclose(dump);
  }
  free(times); free(out); free(blob);
  return 0;
}
