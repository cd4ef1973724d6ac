import { InvalidArgumentError, Option } from 'commander';

/** What main.ts hands every command: the way to report a gate verdict as the exit code. */
export interface CommandContext {
  setExitCode(code: number): void;
}

export function outputOption(): Option {
  return new Option('--output <format>', 'text for people, json for machines').choices(['text', 'json']).default('text');
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number 1-65535');
  return n;
}

/** For repeatable options: `--x a --x b` -> ['a', 'b']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
