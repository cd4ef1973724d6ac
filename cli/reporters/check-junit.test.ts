import { describe, expect, it } from 'vitest';
import { MIXED_RESULTS, sampleReport, sampleResult, UNCHECKED_ITEMS } from './check-fixtures.js';
import { escapeXml, renderCheckJunit } from './check-junit.js';

/** Cheap well-formedness checks: every `&` starts an entity and no raw control character remains. */
function expectWellFormedText(xml: string): void {
  expect(xml.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, '')).not.toContain('&');
  expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  for (const [, value] of xml.matchAll(/="([^"]*)"/g)) expect(value).not.toMatch(/[<>\n]/);
}

const suiteNames = (xml: string): string[] => [...xml.matchAll(/<testsuite name="([^"]*)"/g)].map((m) => m[1] ?? '');

describe('renderCheckJunit', () => {
  it('all compatible: one suite per workflow type, a bare test case per execution, candidate as properties', () => {
    const xml = renderCheckJunit(sampleReport());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="safe-deploy check" tests="2" failures="0" errors="0" skipped="0" time="1.234">')).toBe(true);
    expect(suiteNames(xml)).toEqual(['OrderWorkflow']);
    expect(xml).toContain('<testcase classname="orders:v1" name="order-1 (run-o1)"/>');
    expect(xml).toContain('<property name="candidate.source" value="sample-workers/orders/workflows.ts"/>');
    expect(xml).toContain('<property name="candidate.bundleHash" value="sha256:9f2c4e"/>');
    expect(xml).toContain('<property name="candidate.buildId" value="orders:v2"/>');
    expect(xml).not.toContain('<failure');
    expectWellFormedText(xml);
  });

  it('mixed verdicts: failures for incompatible executions, errors for replay errors, counted per suite', () => {
    const xml = renderCheckJunit(sampleReport({ results: MIXED_RESULTS }));
    expect(xml).toContain('<testsuites name="safe-deploy check" tests="5" failures="2" errors="1" skipped="0"');
    expect(suiteNames(xml)).toEqual(['OrderWorkflow', 'RefundWorkflow', 'ShippingWorkflow']);
    expect(xml).toContain('<testsuite name="OrderWorkflow" tests="3" failures="1" errors="0" skipped="0">');
    expect(xml).toContain('<failure message="nondeterministic at event 5: history had activity researchStep, code did activity factCheck: [TMPRL1100]');
    expect(xml).toContain('type="nondeterministic">workflow ID: order-3\nrun ID: run-o3\nworkflow type: OrderWorkflow\nversion: orders:v1\nevent ID: 5\nhistory had activity researchStep, code did activity factCheck\n');
    expect(xml).toContain('type="missing-workflow-type">workflow ID: refund-1');
    expect(xml).toContain('<error message="replay error: Unknown encoding: binary/encrypted" type="replay-error">');
    expectWellFormedText(xml);
  });

  it('interrupted: one errored "not reached" case saying how many were left', () => {
    const xml = renderCheckJunit(sampleReport({ interrupted: { notChecked: 12 } }));
    expect(xml).toContain('<testsuites name="safe-deploy check" tests="3" failures="0" errors="1" skipped="0"');
    expect(xml).toContain('<testcase classname="safe-deploy check: not checked" name="not reached">\n      <error message="12 executions not checked: interrupted" type="interrupted">');
  });

  it('unloadable files and unfetchable executions are errored test cases, counted in the totals', () => {
    const xml = renderCheckJunit(sampleReport({ unchecked: [...UNCHECKED_ITEMS], serverLost: { notChecked: 3, message: 'cannot reach Temporal' } }));
    expect(xml).toContain('<testsuites name="safe-deploy check" tests="5" failures="0" errors="3" skipped="0"');
    expect(xml).toContain('<testsuite name="safe-deploy check: not checked" tests="3" failures="0" errors="3" skipped="0">');
    expect(xml).toContain('<testcase classname="safe-deploy check: not checked" name="histories/empty.json">\n      <error message="history file histories/empty.json: could not be loaded: histories/empty.json: not valid JSON (Unexpected end of JSON input)" type="unloadable">');
    expect(xml).toContain('<testcase classname="safe-deploy check: not checked" name="order-9 (run-o9)">');
    expect(xml).toContain('type="unfetchable"');
    expect(xml).toContain('<error message="3 executions not checked: the server was lost part-way: cannot reach Temporal" type="server-lost">');
  });

  it('escapes markup and drops characters XML 1.0 forbids in IDs and messages', () => {
    const nasty = `<&"'>\u0001\u0008x`;
    const xml = renderCheckJunit(
      sampleReport({
        candidate: { source: 'a&b<c>', bundleHash: `"h'` },
        results: [sampleResult({ workflowId: nasty, runId: 'r', workflowType: `T<&>`, verdict: 'replay-error', message: `bad ${nasty}\nsecond line` })],
      }),
    );
    expect(xml).toContain('<testsuite name="T&lt;&amp;&gt;"');
    expect(xml).toContain('name="&lt;&amp;&quot;&apos;&gt;x (r)"');
    expect(xml).toContain('<property name="candidate.source" value="a&amp;b&lt;c&gt;"/>');
    expect(xml).toContain('<property name="candidate.bundleHash" value="&quot;h&apos;"/>');
    expect(xml).toContain('message: bad &lt;&amp;&quot;&apos;&gt;x\nsecond line');
    expectWellFormedText(xml);
  });
});

describe('escapeXml', () => {
  it.each([
    { scenario: 'the five markup characters', text: `<&"'>`, context: 'attribute' as const, expected: '&lt;&amp;&quot;&apos;&gt;' },
    { scenario: 'C0 controls, lone surrogates and U+FFFE dropped', text: 'a\u0000b\u001fc\ud800d\ufffee', context: 'text' as const, expected: 'abcde' },
    { scenario: 'an astral character kept', text: 'ok 🚀', context: 'text' as const, expected: 'ok 🚀' },
    { scenario: 'newlines kept in text', text: 'a\nb\tc', context: 'text' as const, expected: 'a\nb\tc' },
    { scenario: 'newlines as references in attributes', text: 'a\nb\tc\r', context: 'attribute' as const, expected: 'a&#10;b&#9;c&#13;' },
  ])('$scenario', ({ text, context, expected }) => {
    expect(escapeXml(text, context)).toBe(expected);
  });
});
