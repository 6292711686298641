// A WASI job's args and environment as a person types them, in `meshctl submit-job --wasi` and on
// the Jobs page: args as words split at spaces or a JSON array of strings, the environment as
// NAME=VALUE pairs. The node checks the terms again (WasiJobSchema in shapes.ts).

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Args: a JSON array of strings, or words split at white space (none for blank text). */
export function parseWasiArgs(text: string): Parsed<string[]> {
  if (!text.trimStart().startsWith('[')) return { ok: true, value: text.split(/\s+/).filter((word) => word !== '') };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `starts with [ but is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!Array.isArray(value) || !value.every((arg) => typeof arg === 'string'))
    return { ok: false, error: 'a JSON array must hold strings only' };
  return { ok: true, value };
}

/** NAME=VALUE pairs as an environment; a later pair of one name wins. */
export function parseWasiEnv(pairs: readonly string[]): Parsed<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) return { ok: false, error: `expected NAME=VALUE, got ${JSON.stringify(pair)}` };
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { ok: true, value: env };
}
