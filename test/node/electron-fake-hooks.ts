// A module hook (node:module register) that hands `import 'electron'` the fake of electron-fake.ts.
type Resolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: Resolve,
): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'electron') return { url: new URL('./electron-fake.js', import.meta.url).href, shortCircuit: true };
  return nextResolve(specifier, context);
}
