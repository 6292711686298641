// How meshctl names a circle: by its id, a unique start of it, or its name.
import { CliError } from './args.js';
import type { connect } from './node-command.js';

export type Client = ReturnType<typeof connect>;

/** The circle `prefix` names: its id, or the one id of mine that starts with it. */
export async function circleId(client: Client, prefix: string): Promise<string> {
  const { circles } = await client.call('circles.list', {});
  const found = circles.filter((c) => c.circle_id === prefix || c.circle_id.startsWith(prefix) || c.name === prefix);
  if (found.length === 1) return found[0]!.circle_id;
  throw new CliError(
    found.length === 0
      ? `no circle of yours is ${prefix} (meshctl circle list)`
      : `${prefix} names ${found.length} circles: give more of the id`,
  );
}
