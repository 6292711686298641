// Progress from Blender's own lines: Cycles prints `Sample n/m` as it renders (one thread, so in
// order), which the live mosaic shows and the watchdog watches.

export interface SampleProgress {
  sample: number;
  of: number;
}

const SAMPLE = /\| Sample (\d+)\/(\d+)\s*$/;

/** The sample a line of Blender's output reports, if it reports one. */
export function sampleProgress(line: string): SampleProgress | undefined {
  const m = SAMPLE.exec(line);
  if (!m) return undefined;
  const sample = Number(m[1]);
  const of = Number(m[2]);
  return of > 0 && sample <= of ? { sample, of } : undefined;
}
