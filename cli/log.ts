/**
 * Logs and progress for humans: always stderr, coloured only on a TTY, silent under --output json
 * (unless --verbose). stdout belongs to the reporters.
 */
import { Chalk } from 'chalk';
import ora, { type Ora } from 'ora';

export type OutputFormat = 'text' | 'json';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** A spinner on a TTY; plain start/stop lines otherwise (nothing under json). */
  progress(text: string): Progress;
}

export interface Progress {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export function createLog(options: { output: OutputFormat; verbose?: boolean; stream?: NodeJS.WriteStream }): Log {
  const stream = options.stream ?? process.stderr;
  const quiet = options.output === 'json' && !options.verbose;
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const color = new Chalk({ level: tty ? 1 : 0 });
  const write = (line: string): void => {
    if (!quiet) stream.write(line + '\n');
  };
  return {
    info: (m) => write(m),
    warn: (m) => write(color.yellow(`warning: ${m}`)),
    debug: (m) => {
      if (options.verbose) stream.write(color.dim(m) + '\n');
    },
    progress(text) {
      if (quiet) return { update() {}, succeed() {}, fail() {}, stop() {} };
      if (!tty) {
        // CI logs: no spinner, but a progress line at most once a second.
        write(text);
        let last = Date.now();
        return {
          update: (t) => {
            if (Date.now() - last < 1000) return;
            last = Date.now();
            write(t);
          },
          succeed: (t) => t && write(t),
          fail: (t) => t && write(color.red(t)),
          stop() {},
        };
      }
      const spinner: Ora = ora({ text, stream }).start();
      return {
        update: (t) => void (spinner.text = t),
        succeed: (t) => void spinner.succeed(t),
        fail: (t) => void spinner.fail(t),
        stop: () => void spinner.stop(),
      };
    },
  };
}
