/**
 * The benches' command-line options: node:util's parseArgs (strict, so a misspelt option is an
 * error, not a silently default run) and the two kinds of value they take.
 */
import { parseArgs } from 'node:util';

export type BenchArgs = Record<string, string | boolean | undefined>;

/** `strings` take a value (`--size 10000`), `flags` do not (`--profile`). */
export function benchArgs(argv: string[], spec: { strings?: string[]; flags?: string[] }): BenchArgs {
  const options = Object.fromEntries([
    ...(spec.strings ?? []).map((name) => [name, { type: 'string' as const }]),
    ...(spec.flags ?? []).map((name) => [name, { type: 'boolean' as const }]),
  ]);
  return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as BenchArgs;
}

export function positiveInt(args: BenchArgs, name: string, fallback: number): number {
  const value = args[name];
  if (typeof value !== 'string') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got ${value}`);
  return n;
}

/** A comma-separated list of positive integers (`--sizes 1000,5000`). */
export function intList(args: BenchArgs, name: string, fallback: number[]): number[] {
  const value = args[name];
  if (typeof value !== 'string') return fallback;
  return value.split(',').map((s) => positiveInt({ [name]: s.trim() }, name, NaN));
}
