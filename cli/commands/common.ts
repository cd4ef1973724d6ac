import { InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../core/duration.js';

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

/** Commander parser for durations (`30s`, `2m`, `500ms`, or seconds). */
export function durationOption(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** `10,50,100` -> [10, 50, 100]. */
export function parsePercentages(value: string): number[] {
  const steps = value.split(',').map((s) => Number(s.trim()));
  if (steps.some((n) => !Number.isInteger(n) || n < 1 || n > 100)) throw new InvalidArgumentError('expected percentages 1-100, e.g. 10,50,100');
  return steps;
}
