import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['120s', 120_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['90', 90_000],
    ['1.5', 1500],
    ['0.5s', 500],
    ['.25s', 250],
    ['2.5m', 150_000],
    ['0', 0],
    [' 30s ', 30_000],
    ['10S', 10_000],
    ['100 ms', 100],
  ])('%s -> %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 's', '-5s', '5x', '5 minutes', '1m30s', 'abc', '1e3', 'NaN', '5.s'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
  });
});

describe('formatDuration', () => {
  it.each([
    [500, '500ms'],
    [5000, '5s'],
    [1500, '1.5s'],
    [120_000, '2m'],
    [150_000, '2m30s'],
    [61_500, '61.5s'],
  ])('%i ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
