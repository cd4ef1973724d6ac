/**
 * Logs and progress for humans: always stderr, coloured only on a TTY, silent under --output json
 * (unless --verbose). stdout belongs to the reporters.
 *
 * chalk and ora are imported only when something is written to a TTY (colours, spinner): off a TTY
 * (CI, pipes, tests) and under --output json a log never pays for loading them. Hence createLog is async.
 */
import type { Ora } from 'ora';

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

export async function createLog(options: { output: OutputFormat; verbose?: boolean; stream?: NodeJS.WriteStream }): Promise<Log> {
  const stream = options.stream ?? process.stderr;
  const quiet = options.output === 'json' && !options.verbose;
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const fancy = tty && !quiet;
  // Otherwise chalk would run at level 0, which returns the text unchanged: no need to load it.
  const plain = (text: string): string => text;
  const color: Record<'yellow' | 'dim' | 'red', (text: string) => string> = fancy
    ? new (await import('chalk')).Chalk({ level: 1 })
    : { yellow: plain, dim: plain, red: plain };
  const ora = fancy ? (await import('ora')).default : undefined;
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
      if (!ora) {
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
