// A progress line on stderr, rewritten in place, only when stderr is a terminal (as git does): on a
// pipe or in a log file, each `\r` update would pile onto one line of noise.
export interface Progress {
  update(line: string): void;
  /** Ends the line, once the work is done. */
  done(): void;
}

export function progressOnStderr(stream: NodeJS.WriteStream = process.stderr): Progress {
  let shown = false;
  return {
    update(line) {
      if (!stream.isTTY) return;
      stream.write(`\r${line}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\n');
    },
  };
}
