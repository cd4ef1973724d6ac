import { describe, expect, it } from 'vitest';
import { alignColumns } from './check-columns.js';

describe('alignColumns', () => {
  it.each([
    {
      scenario: 'left then right aligned, no trailing spaces',
      rows: [['Type', 'Total'], ['OrderWorkflow', '3'], ['X', '120']],
      align: ['left', 'right'] as const,
      expected: ['Type           Total', 'OrderWorkflow      3', 'X                120'],
    },
    {
      scenario: 'a left-aligned last column is not padded',
      rows: [['a', 'long value'], ['bbb', 'x']],
      align: [] as const,
      expected: ['a    long value', 'bbb  x'],
    },
    {
      scenario: 'an astral character counts as one column',
      rows: [['🚀id', 'x'], ['abc', 'y']],
      align: [] as const,
      expected: ['🚀id  x', 'abc  y'],
    },
  ])('$scenario', ({ rows, align, expected }) => {
    expect(alignColumns(rows, align)).toEqual(expected);
  });
});
