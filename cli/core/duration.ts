/** Durations as people type them on a command line: `500ms`, `120s`, `2m`, `1h`, or bare seconds. Pure. */

export class DurationError extends Error {}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

const PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/i;

/** Milliseconds. A bare number is seconds (`90` = `90s`). Negative, empty and unknown units throw. */
export function parseDuration(text: string): number {
  const match = PATTERN.exec(text.trim());
  if (!match) throw new DurationError(`not a duration: "${text}" (expected e.g. 500ms, 120s, 2m, 1h, or a number of seconds)`);
  const amount = Number(match[1]);
  const unit = (match[2]?.toLowerCase() ?? 's') as Unit;
  const ms = Math.round(amount * UNIT_MS[unit]);
  if (!Number.isFinite(ms)) throw new DurationError(`duration out of range: "${text}"`);
  return ms;
}

/** The shortest readable form: `500ms`, `5s`, `1.5s`, `2m`, `2m30s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000 || ms % 1000 !== 0) return `${Number((ms / 1000).toFixed(1))}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
