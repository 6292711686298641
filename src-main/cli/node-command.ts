// What every meshctl command that talks to a running node shares: `--data-dir` and `--json`, how
// a result is printed, and how a failure is: one line on stderr, `meshctl: <message>`, exit code 1.
import { describeError } from '../core/errors.js';
import type { Command, CommandOptions } from 'commander';
import { ApiClient } from '../node/api/index.js';
import { defaultDataDir } from '../node/config/data-dir.js';

export interface CommonOptions {
  dataDir: string;
  json?: boolean;
}

/** What a command prints: the JSON document for `--json`, and short text for people. */
export interface Printed {
  json: unknown;
  text: string;
  /** A result that is a failure the user must notice (a broken receipt chain): exit code 1. */
  failure?: string;
}

/** A leaf command with the common options (`isDefault`: what its parent runs when no subcommand is named). */
export function nodeCommand(parent: Command, name: string, description: string, options?: CommandOptions): Command {
  return parent
    .command(name, options)
    .description(description)
    .option('--data-dir <dir>', "the node's data dir", defaultDataDir())
    .option('--json', 'print the result as one JSON document');
}

/** The running node of the data dir the options name. */
export function connect(options: CommonOptions): ApiClient {
  return ApiClient.fromDataDir(options.dataDir);
}

/**
 * A commander action: the body gets the options and the positional arguments, returns what to
 * print (or undefined when it printed as it went), and any error it throws becomes the one line.
 */
// oxlint-disable-next-line typescript/no-unnecessary-type-parameters -- O is the body's own options type, which commander's opts<O>() is read as; the constraint alone would refuse bodies that name their options
export function act<O extends CommonOptions>(body: (options: O, ...args: string[]) => Promise<Printed | undefined>) {
  return async (...received: unknown[]): Promise<void> => {
    const command = received.at(-1) as Command; // commander passes the arguments, the options, then the command
    const args = received.slice(0, -2) as string[];
    const options = command.opts<O>();
    try {
      const printed = await body(options, ...args);
      if (printed === undefined) return;
      process.stdout.write(`${options.json ? JSON.stringify(printed.json) : printed.text}\n`);
      if (printed.failure !== undefined) fail(printed.failure);
    } catch (err) {
      fail(describeError(err));
    }
  };
}

/** One line, whatever the message holds. */
function fail(message: string): void {
  process.stderr.write(`meshctl: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exitCode = 1;
}
