// The GPU twin of the WASM render kernel (wasm/render/*.ts, docs/SCENE.md): path-traces one tile
// of one frame, step for step the same algorithm, in f32 (WGSL has no f64), so its pixels are
// close to, not equal to, the kernel's. Every pixel draws from the same random stream as in the
// kernel (PCG hash seeding from (seed, frame, x, y), the same LCG step, the same draws in the same
// order), so the two images agree up to f32 rounding.
//
// Buffers: see the layout in src-main/core/render/scene-gpu.ts. Two entry points share one bind
// group: `trace` adds the samples sample_start..sample_end of rows row_start..row_end into
// `pixels` (the host splits a tile's work into several such passes, so no dispatch runs long), and
// `tonemap` turns the sums into RGBA8.

struct SceneConstants {
  up_tan: vec4f,        // up xyz, tan(fov / 2) (computed in f64 when packed)
  lens: vec4f,          // aperture, focus distance (0 = default), cos of the sun's radius, 0
  horizon: vec4f,
  zenith: vec4f,
  sun_direction: vec4f,
  sun_color: vec4f,
  counts: vec4u,        // spheres, planes, BVH nodes, keyframes
  starts: vec4u,        // max depth, then the first record of spheres, planes, keyframes
}

// One pass over a tile; x, y, width, height are in frame pixels.
struct TilePass {
  frame: u32, width: u32, height: u32, seed: u32,
  x: u32, y: u32, w: u32, h: u32,
  spp: u32, sample_start: u32, sample_end: u32, row_start: u32,
  row_end: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

// A pixel between passes: its radiance sum so far and its random stream's state.
struct Pixel {
  sum: vec3f,
  state: u32,
}

@group(0) @binding(0) var<uniform> tile: TilePass;
@group(0) @binding(1) var<uniform> scene: SceneConstants;
@group(0) @binding(2) var<storage, read> records: array<vec4f>;
@group(0) @binding(3) var<storage, read> triangles: array<vec4f>;
@group(0) @binding(4) var<storage, read> nodes: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> pixels: array<Pixel>;
@group(0) @binding(6) var<storage, read_write> rgba: array<u32>;

const T_MIN = 1e-4;            // hits nearer than this are the surface the ray left from
const FAR = 3.0e38;            // "no hit yet" (WGSL may assume there are no infinities)
const MISS = 3.4e38;           // enter_box's answer for a missed box: above every real distance
const STACK_SIZE = 64u;
const ROULETTE_AFTER = 3u;
const KIND_DIFFUSE = 0u;
const KIND_METAL = 1u;
const KIND_EMISSIVE = 3u;
const HIT_NONE = 0u;
const HIT_SPHERE = 1u;
const HIT_PLANE = 2u;
const HIT_TRIANGLE = 3u;

// ---- Random numbers (wasm/render/rng.ts) ----

var<private> rng: u32;

fn pcg_hash(input: u32) -> u32 {
  let s = input * 747796405u + 2891336453u;
  let word = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (word >> 22u) ^ word;
}

fn pixel_state(seed: u32, frame: u32, x: u32, y: u32) -> u32 {
  return pcg_hash(pcg_hash(pcg_hash(pcg_hash(seed) ^ frame) ^ x) ^ y);
}

// Advances the stream and returns its number in [0, 1): the kernel's 32 output bits cut to the 24
// an f32 holds exactly, so the number never rounds up to 1.
fn rand() -> f32 {
  rng = rng * 747796405u + 2891336453u;
  let word = ((rng >> ((rng >> 28u) + 4u)) ^ rng) * 277803737u;
  return f32(((word >> 22u) ^ word) >> 8u) * (1.0 / 16777216.0);
}

// ---- Camera (wasm/render/camera.ts) ----

struct Camera {
  position: vec3f,
  u: vec3f, v: vec3f, w: vec3f,   // right, up, backwards
  half_width: f32, half_height: f32, focus: f32, lens_radius: f32,
}

fn key_frame(k: u32) -> vec4f { return records[(scene.starts.w + k) * 2u]; }
fn key_look_at(k: u32) -> vec3f { return records[(scene.starts.w + k) * 2u + 1u].xyz; }

// Keyframes interpolated linearly (frames outside the keys hold the end keys), then the lens basis.
fn setup_camera() -> Camera {
  let frame = f32(tile.frame);
  let count = scene.counts.w;
  var k = 0u;
  while (k + 1u < count && key_frame(k + 1u).x <= frame) { k++; }
  let next = min(k + 1u, count - 1u);
  var a = 0.0;
  if (k + 1u < count && frame > key_frame(k).x) {
    a = (frame - key_frame(k).x) / (key_frame(next).x - key_frame(k).x);
  }
  var camera: Camera;
  camera.position = key_frame(k).yzw + (key_frame(next).yzw - key_frame(k).yzw) * a;
  let look_at = key_look_at(k) + (key_look_at(next) - key_look_at(k)) * a;
  let back = camera.position - look_at;
  let distance = length(back);
  camera.w = back / distance;
  camera.u = normalize(cross(scene.up_tan.xyz, camera.w));
  camera.v = cross(camera.w, camera.u);
  camera.half_height = scene.up_tan.w;
  camera.half_width = camera.half_height * f32(tile.width) / f32(tile.height);
  camera.focus = select(distance, scene.lens.y, scene.lens.y > 0.0);
  camera.lens_radius = scene.lens.x * 0.5;
  return camera;
}

struct Ray { origin: vec3f, direction: vec3f, }

// The primary ray through a random point of frame pixel (px, py), row 0 at the top.
fn primary_ray(camera: Camera, px: u32, py: u32) -> Ray {
  let s = ((f32(px) + rand()) * (1.0 / f32(tile.width)) * 2.0 - 1.0) * camera.half_width * camera.focus;
  let t = (1.0 - (f32(py) + rand()) * (1.0 / f32(tile.height)) * 2.0) * camera.half_height * camera.focus;
  var origin = camera.position;
  if (camera.lens_radius > 0.0) {
    // A uniform point of the lens disk, by rejection.
    var lens: vec2f;
    loop {
      lens.x = 2.0 * rand() - 1.0;
      lens.y = 2.0 * rand() - 1.0;
      if (dot(lens, lens) < 1.0) { break; }
    }
    lens *= camera.lens_radius;
    origin += lens.x * camera.u + lens.y * camera.v;
  }
  let focal_point = camera.position + s * camera.u + t * camera.v - camera.focus * camera.w;
  return Ray(origin, normalize(focal_point - origin));
}

// ---- Intersection (wasm/render/intersect.ts) ----

struct Hit {
  t: f32,
  normal: vec3f,   // outward, unit
  material: u32,
}

// Entry distance of the ray into node `node`'s box, or MISS when it misses or enters beyond `limit`.
fn enter_box(node: u32, origin: vec3f, inverse: vec3f, limit: f32) -> f32 {
  let a = (nodes[node * 2u].xyz - origin) * inverse;
  let b = (nodes[node * 2u + 1u].xyz - origin) * inverse;
  let entry = min(a, b);
  // The exit widened by 3 f32 roundings (Ize 2013), so f32 slab tests never miss a box the ray grazes.
  let exit = max(a, b) * 1.0000004;
  let near = max(max(entry.x, entry.y), max(entry.z, T_MIN));
  let far = min(min(exit.x, exit.y), min(exit.z, limit));
  return select(MISS, near, near <= far);
}

// Möller–Trumbore: the distance to triangle `t` when it is hit nearer than `best`, else `best`.
fn hit_triangle(t: u32, ray: Ray, best: f32) -> f32 {
  let v0 = triangles[t * 4u].xyz;
  let e1 = triangles[t * 4u + 1u].xyz;
  let e2 = triangles[t * 4u + 2u].xyz;
  let p = cross(ray.direction, e2);
  let det = dot(e1, p);
  if (abs(det) < 1e-12) { return best; }
  let inv = 1.0 / det;
  let tv = ray.origin - v0;
  let u = dot(tv, p) * inv;
  if (u < 0.0 || u > 1.0) { return best; }
  let q = cross(tv, e1);
  let v = dot(ray.direction, q) * inv;
  if (v < 0.0 || u + v > 1.0) { return best; }
  let d = dot(e2, q) * inv;
  if (d > T_MIN && d < best) { return d; }
  return best;
}

// Walks the BVH nearest child first, skipping subtrees that start beyond the nearest hit so far.
// Returns the nearest distance; `hit_index` becomes the triangle hit, if any was nearer.
fn traverse(ray: Ray, nearest: f32, hit_index: ptr<function, u32>) -> f32 {
  // A zero direction component becomes a tiny one: WGSL does not promise infinities.
  let tiny = abs(ray.direction) < vec3f(1e-20);
  let direction = select(ray.direction, select(vec3f(1e-20), vec3f(-1e-20), ray.direction < vec3f(0.0)), tiny);
  let inverse = 1.0 / direction;
  var best = nearest;
  if (enter_box(0u, ray.origin, inverse, best) == MISS) { return best; }
  var stack_nodes: array<u32, STACK_SIZE>;
  var stack_dist: array<f32, STACK_SIZE>;
  var sp = 0u;
  var node = 0u;
  loop {
    let first = bitcast<u32>(nodes[node * 2u].w);
    let count = bitcast<u32>(nodes[node * 2u + 1u].w);
    var descend = false;
    if (count > 0u) {
      for (var t = first; t < first + count; t++) {
        let d = hit_triangle(t, ray, best);
        if (d < best) { best = d; *hit_index = t; }
      }
    } else {
      let left = enter_box(first, ray.origin, inverse, best);
      let right = enter_box(first + 1u, ray.origin, inverse, best);
      let right_first = right < left;
      let near_node = select(first, first + 1u, right_first);
      let far_node = select(first + 1u, first, right_first);
      let near_dist = select(left, right, right_first);
      let far_dist = select(right, left, right_first);
      if (near_dist != MISS) {
        if (far_dist != MISS && sp < STACK_SIZE) {
          stack_nodes[sp] = far_node;
          stack_dist[sp] = far_dist;
          sp++;
        }
        node = near_node;
        descend = true;
      }
    }
    if (descend) { continue; }
    // Pop the next subtree that may still hold a nearer hit.
    var found = false;
    while (sp > 0u) {
      sp--;
      if (stack_dist[sp] < best) { found = true; break; }
    }
    if (!found) { return best; }
    node = stack_nodes[sp];
  }
}

// The nearest hit beyond T_MIN of spheres, planes and (through the BVH) triangles; t == FAR when none.
fn closest_hit(ray: Ray) -> Hit {
  var best = FAR;
  var kind = HIT_NONE;
  var index = 0u;
  for (var i = 0u; i < scene.counts.x; i++) {
    let sphere = records[(scene.starts.y + i) * 2u];
    let c = ray.origin - sphere.xyz;
    let b = dot(c, ray.direction);
    // r² - |c - b·d|², equal to the kernel's b² - (|c|² - r²) for a unit d, but without its
    // cancellation, which f32 could not afford.
    let off_axis = c - b * ray.direction;
    let disc = sphere.w * sphere.w - dot(off_axis, off_axis);
    if (disc <= 0.0) { continue; }
    let root = sqrt(disc);
    var t = -b - root;
    if (t <= T_MIN) { t = -b + root; }
    if (t > T_MIN && t < best) { best = t; kind = HIT_SPHERE; index = i; }
  }
  for (var i = 0u; i < scene.counts.y; i++) {
    let record = (scene.starts.z + i) * 2u;
    let normal = records[record + 1u].xyz;
    let denom = dot(ray.direction, normal);
    if (abs(denom) < 1e-12) { continue; }
    let t = dot(records[record].xyz - ray.origin, normal) / denom;
    if (t > T_MIN && t < best) { best = t; kind = HIT_PLANE; index = i; }
  }
  if (scene.counts.z > 0u) {
    var triangle = 0u;
    let nearest = traverse(ray, best, &triangle);
    if (nearest < best) { best = nearest; kind = HIT_TRIANGLE; index = triangle; }
  }
  var hit: Hit;
  hit.t = best;
  if (kind == HIT_SPHERE) {
    let sphere = records[(scene.starts.y + index) * 2u];
    hit.normal = (ray.origin + best * ray.direction - sphere.xyz) * (1.0 / sphere.w);
    hit.material = u32(records[(scene.starts.y + index) * 2u + 1u].x);
  } else if (kind == HIT_PLANE) {
    let record = (scene.starts.z + index) * 2u;
    hit.normal = records[record + 1u].xyz;
    hit.material = u32(records[record].w);
  } else if (kind == HIT_TRIANGLE) {
    hit.normal = triangles[index * 4u + 3u].xyz;
    hit.material = u32(triangles[index * 4u].w);
  }
  return hit;
}

// ---- Shading (wasm/render/shade.ts) ----

fn sky(direction: vec3f) -> vec3f {
  let up = max(direction.y, 0.0);
  var color = scene.horizon.xyz + (scene.zenith.xyz - scene.horizon.xyz) * up;
  if (dot(direction, scene.sun_direction.xyz) >= scene.lens.z) { color += scene.sun_color.xyz; }
  return color;
}

// Follows one path until it leaves for the sky, meets an emitter, dies by Russian roulette or
// reaches the max depth; returns the radiance it carries back.
fn trace_path(start: Ray) -> vec3f {
  var origin = start.origin;
  var d = start.direction;
  var throughput = vec3f(1.0);
  var radiance = vec3f(0.0);
  for (var depth = 0u; depth < scene.starts.x; depth++) {
    let hit = closest_hit(Ray(origin, d));
    if (hit.t == FAR) {
      radiance += throughput * sky(d);
      break;
    }
    let material = records[hit.material * 2u];
    let kind = u32(material.x);
    let color = material.yzw;
    if (kind == KIND_EMISSIVE) {
      radiance += throughput * color;
      break;
    }
    origin += hit.t * d;
    // Face the normal against the incoming ray; `entering` tells glass which side it is on.
    var n = hit.normal;
    var cos_in = -dot(d, n);
    let entering = cos_in > 0.0;
    if (!entering) { n = -n; cos_in = -cos_in; }

    if (kind == KIND_DIFFUSE) {
      // Cosine-weighted: a unit disk point (by rejection) lifted onto the hemisphere, Duff et al. 2017 basis.
      var l: vec2f;
      loop {
        l.x = 2.0 * rand() - 1.0;
        l.y = 2.0 * rand() - 1.0;
        if (dot(l, l) < 1.0) { break; }
      }
      let lz = sqrt(1.0 - dot(l, l));
      let side = select(-1.0, 1.0, n.z >= 0.0);
      let a = -1.0 / (side + n.z);
      let bb = n.x * n.y * a;
      d = vec3f(
        l.x * (1.0 + side * n.x * n.x * a) + l.y * bb + lz * n.x,
        l.x * (side * bb) + l.y * (side + n.y * n.y * a) + lz * n.y,
        l.x * (-side * n.x) + l.y * (-n.y) + lz * n.z);
    } else if (kind == KIND_METAL) {
      // Mirror direction, blurred by a unit ball point (by rejection) scaled by the roughness.
      let roughness = records[hit.material * 2u + 1u].x;
      var blur: vec3f;
      loop {
        blur.x = 2.0 * rand() - 1.0;
        blur.y = 2.0 * rand() - 1.0;
        blur.z = 2.0 * rand() - 1.0;
        if (dot(blur, blur) < 1.0) { break; }
      }
      d += 2.0 * cos_in * n + roughness * blur;
      if (dot(d, n) <= 0.0) { break; } // blurred below the surface: absorbed
    } else {
      // Glass: refract, or reflect with Schlick's probability (always under total internal reflection).
      let ior = records[hit.material * 2u + 1u].x;
      let eta = select(ior, 1.0 / ior, entering);
      let cos_t = min(cos_in, 1.0);
      let sin2 = 1.0 - cos_t * cos_t;
      let r0 = (1.0 - eta) / (1.0 + eta);
      let c = 1.0 - cos_t;
      let reflectance = r0 * r0 + (1.0 - r0 * r0) * (c * c * c * c * c);
      if (eta * eta * sin2 > 1.0 || reflectance > rand()) {
        d += 2.0 * cos_in * n;
      } else {
        let p = eta * (d + cos_t * n);
        d = p - sqrt(abs(1.0 - dot(p, p))) * n;
      }
    }
    d = d * (1.0 / sqrt(dot(d, d)));
    throughput *= color;
    if (depth >= ROULETTE_AFTER) {
      // Keep the path with probability = its strongest channel (at most 0.95), and reweight it.
      let keep = min(max(max(throughput.x, throughput.y), throughput.z), 0.95);
      if (rand() >= keep) { break; }
      throughput /= keep;
    }
  }
  return radiance;
}

// NaN by its bits: a compiler may fold `x != x` away.
fn has_nan(v: vec3f) -> bool {
  let magnitude = bitcast<vec3u>(v) & vec3u(0x7fffffffu);
  return any(magnitude > vec3u(0x7f800000u));
}

@compute @workgroup_size(8, 8)
fn trace(@builtin(global_invocation_id) id: vec3u) {
  let col = id.x;
  let row = tile.row_start + id.y;
  if (col >= tile.w || row >= tile.row_end) { return; }
  let index = row * tile.w + col;
  let px = tile.x + col;
  let py = tile.y + row;
  var sum = vec3f(0.0);
  if (tile.sample_start == 0u) {
    rng = pixel_state(tile.seed, tile.frame, px, py);
  } else {
    sum = pixels[index].sum;
    rng = pixels[index].state;
  }
  let camera = setup_camera();
  for (var s = tile.sample_start; s < tile.sample_end; s++) {
    let radiance = trace_path(primary_ray(camera, px, py));
    // A NaN path (degenerate geometry) would poison the pixel: it counts as black instead.
    if (!has_nan(radiance)) { sum += radiance; }
  }
  pixels[index] = Pixel(sum, rng);
}

// ACES filmic curve (Narkowicz's fit), sRGB transfer function, then round half up to 0..255.
fn to_byte(linear: f32) -> u32 {
  // Above ~7.3 the curve is clamped to 1 anyway; the cap keeps x² finite.
  let x = min(max(linear, 0.0), 1e6);
  var v = min((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 1.0);
  if (v <= 0.0031308) {
    v = v * 12.92;
  } else {
    v = 1.055 * pow(v, 1.0 / 2.4) - 0.055;
  }
  return u32(floor(v * 255.0 + 0.5));
}

@compute @workgroup_size(256)
fn tonemap(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x;
  if (index >= tile.w * tile.h) { return; }
  let mean = pixels[index].sum * (1.0 / f32(tile.spp));
  rgba[index] = to_byte(mean.x) | (to_byte(mean.y) << 8u) | (to_byte(mean.z) << 16u) | (255u << 24u);
}
