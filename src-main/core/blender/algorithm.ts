// The algorithm a provider with Blender advertises: `blender-cycles/<major.minor>`. Units of a job
// go only to providers whose Blender has the requester's major.minor (patch releases render alike).

const BLENDER_ALGORITHM_PREFIX = 'blender-cycles/';

export function blenderAlgorithm(version: readonly number[]): string {
  return `${BLENDER_ALGORITHM_PREFIX}${version[0]}.${version[1]}`;
}
