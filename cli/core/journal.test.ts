import { describe, expect, it } from 'vitest';
import { isSettled, JournalFormatError, parseApplyJournal } from './journal.js';

const line = (status: string, id = 'wf') => JSON.stringify({ at: 't', workflowId: id, runId: 'r', action: 'upgrade', status });

describe('parseJournal', () => {
  it('reads whole lines', () => {
    const p = parseApplyJournal(`${line('started')}\n${line('done')}\n`);
    expect(p.entries.map((e) => e.status)).toEqual(['started', 'done']);
    expect(p.torn).toBeUndefined();
    expect(p.missingNewline).toBe(false);
  });
  it('reports a torn last line (no newline, not a whole entry) with where it starts', () => {
    const whole = `${line('started')}\n`;
    const p = parseApplyJournal(whole + line('done').slice(0, 20));
    expect(p.entries).toHaveLength(1);
    expect(p.torn).toMatchObject({ line: 2, offset: whole.length });
  });
  it('notes a last entry cut right before its newline (whole, but the next append needs one)', () => {
    const p = parseApplyJournal(`${line('started')}\n${line('done')}`);
    expect(p.entries).toHaveLength(2);
    expect(p.missingNewline).toBe(true);
  });
  it.each([
    ['a corrupt first line', `garbage\n${line('done')}\n`, 1],
    ['a corrupt middle line', `${line('started')}\n{"at":1}\n${line('done')}\n`, 2],
    ['a corrupt last line that has its newline', `${line('started')}\nnot json\n`, 2],
    ['an unknown status', `${JSON.stringify({ at: 't', workflowId: 'w', runId: 'r', action: 'upgrade', status: 'finished' })}\n`, 1],
  ])('refuses %s, naming its line', (_name, text, lineNo) => {
    expect(() => parseApplyJournal(text)).toThrow(JournalFormatError);
    expect(() => parseApplyJournal(text)).toThrow(new RegExp(`^line ${lineNo}:`));
  });
});

describe('isSettled', () => {
  it.each([
    ['done', false, true],
    ['reverted', false, true],
    ['started', false, false],
    ['failed', true, false],
    ['replanned without a candidate', false, true],
    ['replanned given a candidate (reconsidered)', true, false],
  ] as const)('%s', (name, canReplay, settled) => {
    expect(isSettled(name.split(' ')[0] as never, canReplay)).toBe(settled);
  });
});
