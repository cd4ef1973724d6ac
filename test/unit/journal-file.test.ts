/** The apply journal read back a line at a time: whole (a re-run's starting point, a torn line repaired) and from where a run began (the report's entries). */
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../cli/core/journal.js';
import { InputError } from '../../cli/errors.js';
import { journalEntriesFrom, openJournal } from '../../cli/pipeline/journal-file.js';

const entry = (i: number, status: JournalEntry['status']): JournalEntry => ({ at: '2026-12-03T00:00:00.000Z', workflowId: `wf-${i}`, runId: `r-${i}`, action: 'upgrade', status, detail: `d\u00e9tail ${i}` });

async function all(source: AsyncIterable<JournalEntry>): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for await (const e of source) out.push(e);
  return out;
}

describe('journalEntriesFrom', () => {
  it("gives this run's entries only: those appended after the offset, in order", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'safe-deploy-journal-')), 'j.jsonl');
    const earlier = Array.from({ length: 50 }, (_, i) => entry(i, 'done'));
    writeFileSync(path, earlier.map((e) => JSON.stringify(e) + '\n').join(''));
    const offset = statSync(path).size;
    const mine = Array.from({ length: 3000 }, (_, i) => entry(1000 + i, i % 2 ? 'done' : 'started'));
    for (const e of mine) appendFileSync(path, JSON.stringify(e) + '\n');
    expect(await all(journalEntriesFrom(path, offset))).toEqual(mine);
    expect(await all(journalEntriesFrom(path, 0))).toEqual([...earlier, ...mine]);
    expect(await all(journalEntriesFrom(path, statSync(path).size))).toEqual([]);
  });

  it('a journal not written (nothing was sent) has no entries', async () => {
    expect(await all(journalEntriesFrom(join(tmpdir(), 'safe-deploy-no-such-journal.jsonl'), 0))).toEqual([]);
  });
});

describe('openJournal', () => {
  const lines = (...entries: JournalEntry[]) => entries.map((e) => JSON.stringify(e) + '\n').join('');
  const fresh = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'safe-deploy-journal-')), 'j.jsonl');
    writeFileSync(path, text);
    return path;
  };

  it('keeps the last step per execution + action, small', async () => {
    const path = fresh(lines(entry(1, 'started'), { ...entry(1, 'done'), jobId: 'job-1' }, entry(2, 'failed'), { ...entry(2, 'failed'), action: 'protect-pin' }) + '\n\n');
    const { steps, notes } = await openJournal(path);
    expect(notes).toEqual([]);
    expect([...steps.values()]).toEqual([
      { action: 'upgrade', status: 'done', jobId: 'job-1' },
      { action: 'upgrade', status: 'failed' },
      { action: 'protect-pin', status: 'failed' },
    ]);
  });

  it('a torn last line (no newline) is moved aside and cut off; with readOnly, only ignored', async () => {
    const whole = lines(entry(1, 'done'), entry(2, 'started'));
    const torn = JSON.stringify(entry(3, 'done')).slice(0, 40);
    const readOnly = fresh(whole + torn);
    expect((await openJournal(readOnly, { readOnly: true })).notes[0]).toMatch(/line 3 was cut short by a crash; ignored/);
    expect(readFileSync(readOnly, 'utf8')).toBe(whole + torn);
    const path = fresh(whole + torn);
    const { steps, notes } = await openJournal(path);
    expect(steps.size).toBe(2);
    const aside = /moved to (\S+)/.exec(notes[0] ?? '')?.[1] as string;
    expect(readFileSync(aside, 'utf8')).toBe(torn);
    expect(readFileSync(path, 'utf8')).toBe(whole);
  });

  it('a whole last entry without its newline gets one, so the next append starts a line', async () => {
    const text = lines(entry(1, 'done')) + JSON.stringify(entry(2, 'done'));
    const path = fresh(text);
    expect((await openJournal(path)).steps.size).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe(text + '\n');
  });

  it('a damaged line with another after it, or ending in a newline, is corrupt: exit 2 naming the line', async () => {
    const middle = fresh(lines(entry(1, 'done')) + '{"not":"an entry"}\n' + lines(entry(2, 'done')));
    await expect(openJournal(middle)).rejects.toThrow(/corrupt at line 2: not a journal entry/);
    const last = fresh(lines(entry(1, 'done')) + '{oops\n');
    const err = await openJournal(last).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/corrupt at line 2: not JSON/);
    expect((err as InputError).exitCode).toBe(2);
  });

  it('no journal, or an empty one, is no steps', async () => {
    expect((await openJournal(join(tmpdir(), 'safe-deploy-absent-journal.jsonl'))).steps.size).toBe(0);
    expect((await openJournal(fresh(''))).steps.size).toBe(0);
  });
});
