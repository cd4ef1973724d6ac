import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { annotation, appendStepSummary, escapeData, escapeProperty, formatOutput, isGitHubActions, writeOutputs } from './github-actions.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'safe-deploy-gha-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('isGitHubActions', () => {
  it.each([
    { env: { GITHUB_ACTIONS: 'true' }, expected: true },
    { env: { GITHUB_ACTIONS: 'false' }, expected: false },
    { env: {}, expected: false },
  ])('GITHUB_ACTIONS=$env.GITHUB_ACTIONS → $expected', ({ env, expected }) => {
    expect(isGitHubActions(env)).toBe(expected);
  });
});

describe('appendStepSummary', () => {
  it('appends to what earlier steps wrote, never overwrites', () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, '# from an earlier step\n');
    expect(appendStepSummary('## first', { GITHUB_STEP_SUMMARY: file })).toBe(true);
    expect(appendStepSummary('## second\n', { GITHUB_STEP_SUMMARY: file })).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('# from an earlier step\n## first\n## second\n');
  });

  it('does nothing outside Actions', () => {
    expect(appendStepSummary('## x', {})).toBe(false);
  });
});

describe('writeOutputs', () => {
  it('appends single-line values as key=value and multi-line values as a heredoc', () => {
    const file = join(dir, 'output');
    writeFileSync(file, 'earlier=1\n');
    expect(writeOutputs({ verdict: 'failed', total: 3, ok: false, 'bundle-hash': 'sha256:ab=cd', notes: 'line one\nline two' }, { GITHUB_OUTPUT: file })).toBe(true);
    const text = readFileSync(file, 'utf8');
    const heredoc = /notes<<(ghadelimiter_[0-9a-f-]{36})\nline one\nline two\n\1\n$/.exec(text);
    expect(heredoc).not.toBeNull();
    expect(text.slice(0, text.indexOf('notes<<'))).toBe('earlier=1\nverdict=failed\ntotal=3\nok=false\nbundle-hash=sha256:ab=cd\n');
  });

  it('uses a fresh random delimiter each time', () => {
    const a = formatOutput('x', 'a\nb');
    const b = formatOutput('x', 'a\nb');
    expect(a).not.toBe(b);
  });

  it('a value trying to close the heredoc and set its own output stays inside it', () => {
    const evil = 'x\nEOF\nverdict=passed';
    const out = formatOutput('detail', evil);
    const [first, ...rest] = out.trimEnd().split('\n');
    const delimiter = first?.replace('detail<<', '');
    expect(rest.at(-1)).toBe(delimiter);
    expect(rest.slice(0, -1).join('\n')).toBe(evil);
  });

  it('refuses a delimiter that occurs in the value', () => {
    expect(() => formatOutput('x', 'a\nDELIM\n', () => 'DELIM')).toThrow(/delimiter/);
  });

  it.each(['', 'a=b', 'a\nb', 'x<<y'])('refuses the output name %j', (name) => {
    expect(() => formatOutput(name, 'v')).toThrow(/invalid GitHub output name/);
  });

  it('does nothing outside Actions', () => {
    expect(writeOutputs({ a: 1 }, {})).toBe(false);
  });
});

describe('annotation', () => {
  it.each([
    { scenario: 'a plain error', level: 'error' as const, message: 'boom', props: undefined, expected: '::error::boom' },
    {
      scenario: 'a multi-line message with percent signs',
      level: 'error' as const,
      message: '100% broken\r\nsecond line',
      props: undefined,
      expected: '::error::100%25 broken%0D%0Asecond line',
    },
    {
      scenario: 'properties with colons, commas, newlines and percent signs',
      level: 'warning' as const,
      message: 'a: b, c',
      props: { title: 'OrderWorkflow order:1, 50%\nx', file: 'src/a,b.ts', line: 7 },
      expected: '::warning title=OrderWorkflow order%3A1%2C 50%25%0Ax,file=src/a%2Cb.ts,line=7::a: b, c',
    },
    { scenario: 'a notice with only a title', level: 'notice' as const, message: 'hi', props: { title: 't' }, expected: '::notice title=t::hi' },
  ])('$scenario', ({ level, message, props, expected }) => {
    expect(annotation(level, message, props)).toBe(expected);
  });

  it('escapes % before the characters whose escapes contain it', () => {
    expect(escapeData('%0A\n')).toBe('%250A%0A');
    expect(escapeProperty('%3A:')).toBe('%253A%3A');
  });
});
