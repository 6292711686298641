// A user's WGSL shader spec is checked before any GPU sees it: the workgroup size the code declares,
// and our caps and the adapter's limits on buffers and dispatches.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  checkShader,
  declaredWorkgroupSize,
  SHADER_LIMITS,
  ShaderSpecSchema,
  type AdapterLimits,
} from '../../src-main/core/gpu/index.js';
import { validate } from '../../src-main/core/schemas/index.js';

const LIMITS: AdapterLimits = {
  max_buffer_size: 1 << 30,
  max_storage_buffer_binding_size: 128 << 20,
  max_compute_workgroups_per_dimension: 65_535,
  max_compute_invocations_per_workgroup: 256,
  max_compute_workgroup_size_x: 256,
  max_compute_workgroup_size_y: 256,
  max_compute_workgroup_size_z: 64,
};
const CODE =
  '@group(0) @binding(1) var<storage, read_write> o: array<u32>;\n@compute @workgroup_size(64, 2)\nfn main(@builtin(global_invocation_id) g: vec3u) { o[g.x] = 1u; }';
const spec = ShaderSpecSchema.parse({
  wgsl_code: CODE,
  workgroup_size: [64, 2, 1],
  workgroups: [4, 1, 1],
  buffer_size: 1024,
});

test('the declared workgroup size is read from the entry point, literals only', () => {
  assert.deepEqual(declaredWorkgroupSize(CODE, 'main'), [64, 2, 1]);
  assert.deepEqual(declaredWorkgroupSize('@workgroup_size(8u) @compute fn go() {}', 'go'), [8, 1, 1]);
  assert.match(String(declaredWorkgroupSize(CODE, 'other')), /no function "other"/);
  assert.match(
    String(declaredWorkgroupSize('override n: u32 = 4; @compute @workgroup_size(n) fn main() {}', 'main')),
    /integer literals/,
  );
  assert.match(String(declaredWorkgroupSize('@fragment fn main() {}', 'main')), /not a @compute entry point/);
});

test('a spec within the caps passes; the entry point must be an identifier; buffer sizes are whole words', () => {
  assert.equal(checkShader(spec, 0, LIMITS), null);
  assert.equal(ShaderSpecSchema.safeParse({ ...spec, entry_point: 'main() {} fn x' }).success, false);
  assert.equal(ShaderSpecSchema.safeParse({ ...spec, buffer_size: 1022 }).success, false);
  assert.equal(
    ShaderSpecSchema.safeParse({ ...spec, wgsl_code: 'x'.repeat(SHADER_LIMITS.codeChars + 1) }).success,
    false,
  );
});

test('over a cap or an adapter limit: a limit problem naming it; a size the code does not declare: bad params', () => {
  assert.deepEqual(checkShader({ ...spec, workgroup_size: [32, 2, 1] }, 0, LIMITS)?.code, 'bad_params');
  const limits = [
    checkShader({ ...spec, buffer_size: SHADER_LIMITS.bufferBytes + 4 }, 0, LIMITS),
    checkShader(spec, SHADER_LIMITS.inputBytes + 1, LIMITS),
    checkShader({ ...spec, workgroups: [65_536, 1, 1] }, 0, LIMITS),
    checkShader({ ...spec, workgroups: [65_535, 65_535, 1] }, 0, LIMITS),
    checkShader({ ...spec, buffer_size: 1 << 20 }, 0, { ...LIMITS, max_storage_buffer_binding_size: 1 << 16 }),
  ];
  for (const problem of limits) assert.equal(problem?.code, 'limit', JSON.stringify(problem));
  assert.match(limits[3]!.message, /invocations; the cap is/);
  const wide = '@compute @workgroup_size(512) fn main() {}';
  assert.equal(checkShader({ ...spec, wgsl_code: wide, workgroup_size: [512, 1, 1] }, 0, LIMITS)?.code, 'limit');
});

// Loops (issue 19): a peer's shader runs on the provider's GPU, which cannot be interrupted, so
// every loop must visibly end: `for` loops with literal bounds and an untouched counter only.
const HEAD = '@group(0) @binding(0) var<storage, read> input: array<u32>;\n' + CODE.split('\n')[0] + '\n';
/** A shader whose entry point's body is `body` (it starts on line 4), with `extra` before it. */
const shader = (body: string, extra = '') =>
  `${HEAD}${extra}@compute @workgroup_size(64, 2) fn main(@builtin(global_invocation_id) g: vec3u) {\n${body}\n}`;
/** Why the spec with this code is refused, or null when it is accepted. */
function refusal(code: string, workgroups: [number, number, number] = [4, 1, 1]): string | null {
  const parsed = validate(ShaderSpecSchema, { ...spec, wgsl_code: code, workgroups });
  return parsed.ok ? null : parsed.error.message;
}

test('loops that may never end are refused, naming the line', () => {
  const hostile: [string, string, RegExp][] = [
    ['loop', 'var x = 0u;\nloop { x++; }\no[0] = x;', /line 5: .*`loop`/],
    ['loop with break', 'loop { if (input[0] == 7u) { break; } }', /line 4: .*`loop`/],
    ['while', 'while (true) { }', /line 4: .*`while`/],
    ['while with a condition', 'var i = 0u; while (i < 10u) { i++; }', /line 4: .*`while`/],
    ['for (;;)', 'for (;;) { }', /line 4: .*for/],
    ['for with no condition', 'for (var i = 0u; ; i++) { }', /line 4/],
    ['a bound read from the input', 'for (var i = 0u; i < input[0]; i++) { o[i] = 1u; }', /line 4/],
    ['a bound from a constant', 'for (var i = 0u; i < N; i++) { }', /line 4/],
    ['a start from the input', 'for (var i = input[0]; i < 10u; i++) { }', /line 4/],
    ['a condition on another variable', 'var j = 0u;\nfor (var i = 0u; j < 10u; i++) { }', /line 5/],
    ['an update of another variable', 'var j = 0u;\nfor (var i = 0u; i < 10u; j++) { }', /line 5/],
    ['a step of zero', 'for (var i = 0u; i < 10u; i += 0u) { }', /line 4/],
    ['a step of input', 'for (var i = 0u; i < 10u; i = i + input[0]) { }', /line 4/],
    ['counting the wrong way', 'for (var i = 0; i < 10; i--) { }', /line 4/],
    ['a u32 counter that wraps', 'for (var i = 0u; i <= 4294967295u; i++) { }', /line 4/],
    ['a u32 countdown past zero', 'for (var i = 10u; i >= 0u; i--) { }', /line 4/],
    ['an i32 counter past its top', 'for (var i: i32 = 2147483640; i <= 2147483647; i += 2) { }', /line 4/],
    [
      'the counter assigned in the body',
      'for (var i = 0u; i < 10u; i++) {\n  i = 0u;\n}',
      /line 5: .*counter i of the for loop on line 4/,
    ],
    ['the counter decremented in the body', 'for (var i = 0u; i < 10u; i++) { i--; }', /counter i/],
    ['the counter added to in the body', 'for (var i = 0u; i < 10u; i++) { i -= 1u; }', /counter i/],
    ['the counter assigned in parentheses', 'for (var i = 0u; i < 10u; i++) { (i) = 0u; }', /counter i/],
    [
      'the counter written in an inner loop',
      'for (var i = 0u; i < 9u; i++) { for (var j = 0u; j < 9u; j++) { i++; } }',
      /counter i/,
    ],
    ['the counter passed by pointer', 'for (var i = 0u; i < 10u; i++) { reset(&i); }', /counter i/],
    ['an inner loop', 'for (var i = 0u; i < 10u; i++) {\n  loop { }\n}', /line 5: .*`loop`/],
  ];
  const reset = 'fn reset(p: ptr<function, u32>) { *p = 0u; }\n';
  for (const [name, body, expected] of hostile) {
    const why = refusal(shader(body, body.includes('reset') ? reset : ''));
    assert.ok(why !== null, `${name}: accepted`);
    assert.match(why, expected, name);
  }
});

test('comments hide nothing: a loop after a comment is found, a loop inside one is ignored', () => {
  // A line comment ends at any WGSL line break, not only \n; inside it "/*" opens nothing.
  for (const body of ['// note\u2028loop { }', '// note\rloop { }', '// /*\nloop { }\n// */', '/* /* */ */ loop { }']) {
    assert.match(String(refusal(shader(body))), /`loop`/, JSON.stringify(body));
  }
  assert.match(String(refusal(shader('/* unterminated'))), /comment/);
  // Nested block comments are legal WGSL: all of this is a comment.
  for (const body of ['/* loop { } /* while (true) { } */ loop { } */', '// loop { } while (true) { }']) {
    assert.equal(refusal(shader(body)), null, JSON.stringify(body));
  }
  // Words that contain a keyword are not keywords.
  assert.equal(
    refusal(shader('var loops = 0u; var while_x = 1u; var forty = 2u; o[0] = loops + while_x + forty;')),
    null,
  );
});

test('a for loop of the allowed shape passes, whatever its spacing, type or direction', () => {
  for (const body of [
    'for (var i = 0u; i < 10u; i++) { o[i] = i; }',
    'for(var i:u32=0u;i<=9u;i+=1u){o[i]=i;}',
    'for (var i: i32 = 10; i > 0; i--) { o[i] = 1u; }',
    'for (var i = 9; i >= -9; i -= 3) { }',
    'for (var i = 0x0u; i < 0x10u; i = i + 2u) { }',
    'for (var k = 0u; k < 4u; k++) { for (var j = 0u; j < 4u; j++) { o[k * 4u + j] = k + j; } }',
    'for (var i = 0u; i < 4294967295u; i += 4294967295u) { }',
    'for (var i = 0u; i < 8u; i++) { o[i & 3u] = 7u & i; }',
  ]) {
    assert.equal(refusal(shader(body)), null, body);
  }
});

test('trip counts multiply through nesting and calls: at most 2^20 loop iterations an invocation', () => {
  const cap = SHADER_LIMITS.loopIterations;
  assert.equal(cap, 2 ** 20);
  const nested = (outer: number, inner: number) =>
    `for (var i = 0u; i < ${outer}u; i++) {\n  for (var j = 0u; j < ${inner}u; j++) { o[0] += j; }\n}`;
  assert.equal(refusal(shader(nested(1024, 1024))), null);
  assert.match(String(refusal(shader(nested(1024, 1025)))), /line 4: .*1049600 loop iterations.*1048576/);
  // Loops one after another add up.
  assert.match(String(refusal(shader(`${nested(1024, 512)}\n${nested(1024, 513)}`))), /line 7/);
  // A loop in a function called in a loop counts as nested there; a cycle of calls is refused.
  const helper = 'fn spin() { for (var k = 0u; k < 2048u; k++) { o[1] += k; } }\n';
  assert.equal(refusal(shader('for (var i = 0u; i < 512u; i++) { spin(); }', helper)), null);
  assert.match(String(refusal(shader('for (var i = 0u; i < 513u; i++) { spin(); }', helper))), /line 5/);
  const calls = 'fn a() { spin(); spin(); }\nfn b() { a(); a(); }\n';
  assert.match(String(refusal(shader('for (var i = 0u; i < 129u; i++) { b(); }', helper + calls))), /line 7/);
  assert.match(String(refusal(shader('ping();', 'fn ping() { pong(); }\nfn pong() { ping(); }\n'))), /recurs/);
  // Deep nesting is refused at a fixed depth, the same on every machine, not by a stack overflow.
  const chain = Array.from({ length: 200 }, (_, n) => `fn f${n}() { f${n + 1}(); }\n`).join('') + 'fn f200() { }\n';
  assert.match(String(refusal(shader('f0();', chain))), /nest more than 128 deep/);
  const deep = 'for (var i = 0u; i < 1u; i++) {'.repeat(129) + '}'.repeat(129);
  assert.match(String(refusal(shader(deep))), /nest more than 128 deep/);
  assert.equal(refusal(shader('for (var i = 0u; i < 1u; i++) {'.repeat(100) + '}'.repeat(100))), null);
});

test('a dispatch may run at most 2^36 loop iterations in all', () => {
  assert.equal(SHADER_LIMITS.dispatchLoopIterations, 2 ** 36);
  const body = 'for (var i = 0u; i < 1048576u; i++) { o[0] += i; }';
  // 128 invocations a workgroup: 512 workgroups reach the cap exactly, one more is over it.
  assert.equal(refusal(shader(body), [512, 1, 1]), null);
  assert.match(String(refusal(shader(body), [513, 1, 1])), /2\^36|68719476736/);
});

test("the shipped shaders pass the loop check: the docs' examples and the e2e tests' shaders", () => {
  const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
  const shipped = [CODE];
  for (const doc of ['docs/UNIT_ABI.md', 'docs/GPU.md', 'README.md'])
    for (const m of read(doc).matchAll(/```wgsl\n([\s\S]*?)```/g)) shipped.push(m[1]!);
  for (const e2e of ['e2e/gpu-runner.test.ts', 'e2e/gpu-render.test.ts'])
    for (const m of read(e2e).matchAll(/`(\n@group[\s\S]*?)`/g)) shipped.push(m[1]!);
  assert.ok(shipped.length >= 4, `${shipped.length} shaders found`);
  for (const code of shipped) assert.equal(refusal(code, [1, 1, 1]), null, code);
});
