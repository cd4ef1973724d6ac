/**
 * Plain-space column alignment for terminal tables: widths are measured on the text before any
 * colour is applied, so ANSI codes never skew them.
 */

export type Align = 'left' | 'right';

/** Code points, not UTF-16 units, so an emoji or astral character in an ID counts once. */
function width(text: string): number {
  return [...text].length;
}

/**
 * Pads every cell of `rows` to its column's widest cell and joins cells with two spaces. The last
 * column is not padded when left-aligned, so lines carry no trailing spaces.
 */
export function alignColumns(rows: readonly (readonly string[])[], align: readonly Align[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) widenColumns(widths, row);
  return rows.map((row) => alignRow(row, widths, align));
}

/** Widens `widths` to fit `row`: widths measured over rows that are not all held at once. */
export function widenColumns(widths: number[], row: readonly string[]): void {
  row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
}

/** One row laid out in columns of `widths`, as alignColumns lays it out. */
export function alignRow(row: readonly string[], widths: readonly number[], align: readonly Align[] = []): string {
  return row
    .map((cell, i) => {
      const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(cell)));
      if (align[i] === 'right') return pad + cell;
      return i === row.length - 1 ? cell : cell + pad;
    })
    .join('  ');
}
