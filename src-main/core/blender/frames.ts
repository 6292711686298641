// A Blender job's frames as a person writes them, in Blender's own syntax: frames and ranges
// separated by commas (`1-10,20,30-40`). A range steps by the file's frame step (Blender's
// `frame_step`, as `blender -a` renders it), counted from the range's first frame; a lone frame is
// rendered as written. Each frame once, in the order written. Pure.

/** The highest frame number Blender takes (MAXFRAME). */
export const MAX_FRAME_NUMBER = 1_048_574;

/** The most frames a job names: each is a unit, or a grid of them. */
const MAX_JOB_FRAMES = 100_000;

/** One part of the text: a frame, or a range, as written. */
export interface FramePart {
  text: string;
  first: number;
  last: number;
}

export type ParsedFrames = { ok: true; frames: number[]; parts: FramePart[] } | { ok: false; error: string };

/** The frames `text` names, each range stepping by `step`; or why it names none. */
export function parseFrames(text: string, step = 1): ParsedFrames {
  if (!Number.isSafeInteger(step) || step < 1)
    return { ok: false, error: `a frame step of ${step} is not a whole number ≥ 1` };
  const parts: FramePart[] = [];
  for (const raw of text.split(',')) {
    const match = /^\s*(\d{1,7})\s*(?:-\s*(\d{1,7})\s*)?$/.exec(raw);
    if (!match)
      return {
        ok: false,
        error: `expected frames and ranges such as 1-10,20,30-40, got ${JSON.stringify(raw.trim())}`,
      };
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last > MAX_FRAME_NUMBER)
      return { ok: false, error: `frame ${last} is past Blender's last, ${MAX_FRAME_NUMBER}` };
    if (last < first) return { ok: false, error: `the range ${raw.trim()} ends before it starts` };
    parts.push({ text: raw.trim(), first, last });
  }
  const seen = new Set<number>();
  const frames: number[] = [];
  for (const { first, last } of parts)
    for (let frame = first; frame <= last; frame += step) {
      if (seen.has(frame)) continue;
      if (frames.length === MAX_JOB_FRAMES) return { ok: false, error: `more than ${MAX_JOB_FRAMES} frames` };
      seen.add(frame);
      frames.push(frame);
    }
  return { ok: true, frames, parts };
}

/** The first part of the text outside the scene's range, as written; undefined when all are in it. */
export function partOutside(parts: readonly FramePart[], start: number, end: number): string | undefined {
  return parts.find((p) => p.first < start || p.last > end)?.text;
}

/** Whether the frames follow one another (a tiled job's must: a unit's frame follows from its index). */
export function consecutive(frames: readonly number[]): boolean {
  return frames.every((frame, i) => i === 0 || frame === frames[i - 1]! + 1);
}

/** The frames in a few words: `1-4`, `1, 3 and 5`, `1-10 by 2`. */
export function framesWords(frames: readonly number[]): string {
  if (frames.length === 0) return 'no frames';
  if (frames.length === 1) return `frame ${frames[0]}`;
  const step = frames[1]! - frames[0]!;
  const even = step > 0 && frames.every((f, i) => i === 0 || f - (frames[i - 1] ?? f) === step);
  if (even) return `frames ${frames[0]}-${frames.at(-1)!}${step === 1 ? '' : ` by ${step}`}`;
  return frames.length <= 4 ? `frames ${frames.join(', ')}` : `${frames.length} frames from ${frames[0]}`;
}
