import { describe, expect, it } from 'vitest';
import { MIXED_RESULTS, sampleReport, sampleResult, UNCHECKED_ITEMS } from './check-fixtures.js';
import { codeCell, escapeCell, MAX_FAILURE_ROWS, renderCheckMarkdown } from './check-markdown.js';

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

describe('renderCheckMarkdown', () => {
  it('all compatible: ✅ heading, candidate line, group table, no failure table', () => {
    const md = renderCheckMarkdown(sampleReport());
    expect(md.split('\n')[0]).toBe('## ✅ safe-deploy check passed');
    expect(md).toContain('**Candidate:** sample-workers/orders/workflows.ts · bundle hash `sha256:9f2c4e` · Build ID `orders:v2`');
    expect(md).toContain(
      [
        '| Workflow type | Version | Total | Compatible | Nondeterministic | Missing type | Errors |',
        '| --- | --- | --: | --: | --: | --: | --: |',
        '| `OrderWorkflow` | `orders:v1` | 2 | 2 | 0 | 0 | 0 |',
      ].join('\n'),
    );
    expect(md).not.toContain('Not proven compatible');
    expect(lastLine(md)).toBe('**PASSED: 2 of 2 executions replay cleanly on the candidate**');
  });

  it('mixed verdicts: ❌ heading and a failure table, failures first', () => {
    const md = renderCheckMarkdown(sampleReport({ results: MIXED_RESULTS }));
    expect(md.split('\n')[0]).toBe('## ❌ safe-deploy check failed');
    const rows = md.split('\n').filter((l) => l.startsWith('| `') && /`run-/.test(l));
    expect(rows).toEqual([
      "| `order-3` | `run-o3` | `OrderWorkflow` | `orders:v1` | nondeterministic | 5 | history had activity researchStep, code did activity factCheck: \\[TMPRL1100\\] Nondeterminism error: Activity type of scheduled event 'researchStep' does not match activity type of activity command 'factCheck' |",
      "| `refund-1` | `run-r1` | `RefundWorkflow` | `orders:v1` | missing workflow type |  | Failed to initialize workflow of type 'RefundWorkflow': no such function is exported by the workflow bundle |",
      '| `ship-1` | `run-s1` | `ShippingWorkflow` | `unversioned` | replay error |  | Unknown encoding: binary/encrypted |',
    ]);
    expect(lastLine(md)).toBe('**FAILED: 2 incompatible, 1 error of 5 executions**');
  });

  it('interrupted: a warning with how many executions were not checked', () => {
    const md = renderCheckMarkdown(sampleReport({ interrupted: { notChecked: 4 } }));
    expect(md).toContain('> [!WARNING]\n> Interrupted: 4 executions were NOT checked');
    expect(md.split('\n')[0]).toBe('## ❌ safe-deploy check incomplete: not everything was checked');
    expect(md).toContain('| 4 executions | not reached | interrupted |');
  });

  it('unloadable files and unfetchable executions: a "Not checked" table, and never ✅', () => {
    const md = renderCheckMarkdown(sampleReport({ unchecked: [...UNCHECKED_ITEMS] }));
    expect(md.split('\n')[0]).toBe('## ❌ safe-deploy check incomplete: not everything was checked');
    expect(md).toContain('### Not checked (2)');
    expect(md).toContain('| `histories/empty.json` | could not be loaded | histories/empty.json: not valid JSON (Unexpected end of JSON input) |');
    expect(md).toContain('| `order-9` `run-o9` | could not be fetched |');
    expect(md).not.toContain('✅');
  });

  it.each([
    { scenario: 'nothing to check', failOnEmpty: undefined, heading: '## ℹ️ safe-deploy check found nothing to check' },
    { scenario: 'nothing to check with --fail-on-empty', failOnEmpty: true, heading: '## ❌ safe-deploy check found nothing to check' },
  ])('$scenario', ({ failOnEmpty, heading }) => {
    const md = renderCheckMarkdown(sampleReport({ results: [], failOnEmpty }));
    expect(md.split('\n')[0]).toBe(heading);
    expect(md).toContain('**NOTHING TO CHECK: the selection has no running executions');
  });

  it('pipes and newlines in IDs and messages cannot break the table', () => {
    const md = renderCheckMarkdown(
      sampleReport({ results: [sampleResult({ workflowId: 'a|b', runId: 'r`1', verdict: 'replay-error', message: 'x | y\n<script>' })] }),
    );
    const row = md.split('\n').find((l) => l.includes('a\\|b')) ?? '';
    expect(row).toBe('| `a\\|b` | ``r`1`` | `OrderWorkflow` | `orders:v1` | replay error |  | x \\| y\\\\n&lt;script&gt; |');
  });

  it(`caps the failure table at ${MAX_FAILURE_ROWS} rows with a count of the rest`, () => {
    const results = Array.from({ length: MAX_FAILURE_ROWS + 7 }, (_, i) =>
      sampleResult({ workflowId: `order-${String(i).padStart(3, '0')}`, verdict: 'nondeterministic', eventId: '5' }),
    );
    const md = renderCheckMarkdown(sampleReport({ results }));
    expect(md.split('\n').filter((l) => l.startsWith('| `order-'))).toHaveLength(MAX_FAILURE_ROWS);
    expect(md).toContain('… and 7 more');
    expect(md).toContain('### Not proven compatible (107 executions)');
  });
});

describe('cell escaping', () => {
  it.each([
    { scenario: 'a pipe', text: 'a|b', expected: 'a\\|b' },
    { scenario: 'a newline', text: 'a\nb', expected: 'a b' },
    { scenario: 'HTML', text: '<anonymous>', expected: '&lt;anonymous&gt;' },
    { scenario: 'emphasis and links', text: '*x* _y_ [z]', expected: '\\*x\\* \\_y\\_ \\[z\\]' },
  ])('escapeCell: $scenario', ({ text, expected }) => {
    expect(escapeCell(text)).toBe(expected);
  });

  it.each([
    { scenario: 'plain', text: 'order-1', expected: '`order-1`' },
    { scenario: 'a backtick inside', text: 'a`b', expected: '``a`b``' },
    { scenario: 'a leading backtick', text: '`a', expected: '`` `a ``' },
    { scenario: 'a pipe', text: 'a|b', expected: '`a\\|b`' },
  ])('codeCell: $scenario', ({ text, expected }) => {
    expect(codeCell(text)).toBe(expected);
  });
});
