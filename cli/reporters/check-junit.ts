/**
 * `safe-deploy check` as JUnit XML, for CI systems that chart test results: one suite per workflow
 * type, one test case per execution. Incompatible executions are failures; replay errors are
 * errors (the replay proved nothing either way). What was selected and never checked (a file that
 * would not load, an execution that could not be fetched, the part not reached after an interrupt
 * or a lost server) is an errored case of its own, so no CI chart shows green for it.
 */
import { sortResults, type CheckReport, type CheckResult, type UncheckedItem } from '../core/check-report.js';
import { describeDivergence, describeFailure, describeSdk, describeSelection, describeUnchecked, plural, verdictLabel } from './check-wording.js';
import { writeStdout } from './stdout.js';

// XML 1.0 allows only these characters; anything else (most C0 controls, lone surrogates, U+FFFE/F)
// makes the whole document unparseable, so it is dropped.
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Parsers turn raw whitespace in attributes into spaces; character references survive.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Escapes text for an attribute value or element content. */
export function escapeXml(text: string, context: 'attribute' | 'text' = 'attribute'): string {
  const special = context === 'attribute' ? /[&<>"'\t\n\r]/g : /[&<>"'\r]/g;
  return text.replace(INVALID_XML_CHARS, '').replace(special, (c) => XML_ENTITIES[c] ?? c);
}

function attributes(attrs: Record<string, string | number | undefined>): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
}

function details(r: CheckResult): string {
  const lines = [`workflow ID: ${r.workflowId}`, `run ID: ${r.runId}`, `workflow type: ${r.workflowType}`, `version: ${r.version}`];
  if (r.eventId) lines.push(`event ID: ${r.eventId}`);
  const divergence = describeDivergence(r);
  if (divergence) lines.push(divergence);
  if (r.message) lines.push(`message: ${r.message}`);
  lines.push(`last event ID: ${r.lastEventId}`, `origin: ${r.origin}`);
  return escapeXml(lines.join('\n'), 'text');
}

function testcase(r: CheckResult): string[] {
  const open = `    <testcase${attributes({ classname: r.version, name: `${r.workflowId} (${r.runId})` })}`;
  const summary = `${verdictLabel(r.verdict)}${r.eventId ? ` at event ${r.eventId}` : ''}: ${describeFailure(r)}`;
  switch (r.verdict) {
    case 'compatible':
      return [`${open}/>`];
    case 'nondeterministic':
    case 'missing-workflow-type':
      return [`${open}>`, `      <failure${attributes({ message: summary, type: r.verdict })}>${details(r)}</failure>`, '    </testcase>'];
    case 'replay-error':
      return [`${open}>`, `      <error${attributes({ message: summary, type: r.verdict })}>${details(r)}</error>`, '    </testcase>'];
  }
}

function properties(report: CheckReport): string[] {
  const props: Record<string, string | undefined> = {
    'candidate.source': report.candidate.source,
    'candidate.bundleHash': report.candidate.bundleHash,
    'candidate.buildId': report.candidate.buildId,
    'candidate.sdk': report.candidate.sdk && describeSdk(report.candidate.sdk),
    'candidate.sdk.version': report.candidate.sdk?.version,
    'candidate.sdk.path': report.candidate.sdk?.path,
    selection: describeSelection(report),
  };
  return [
    '    <properties>',
    ...Object.entries(props)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => `      <property${attributes({ name, value })}/>`),
    '    </properties>',
  ];
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function count(results: readonly CheckResult[]): Counts {
  const counts: Counts = { tests: results.length, failures: 0, errors: 0, skipped: 0 };
  for (const r of results) {
    switch (r.verdict) {
      case 'compatible':
        break;
      case 'nondeterministic':
      case 'missing-workflow-type':
        counts.failures++;
        break;
      case 'replay-error':
        counts.errors++;
        break;
    }
  }
  return counts;
}

export const NOT_CHECKED_SUITE = 'safe-deploy check: not checked';

function uncheckedCase(u: UncheckedItem): string[] {
  const name = u.reason === 'unloadable' ? u.origin : `${u.workflowId ?? '?'} (${u.runId ?? '?'})`;
  const body = escapeXml([describeUnchecked(u), ...(u.hint ? [`hint: ${u.hint}`] : [])].join('\n'), 'text');
  return [
    `    <testcase${attributes({ classname: NOT_CHECKED_SUITE, name })}>`,
    `      <error${attributes({ message: describeUnchecked(u), type: u.reason })}>${body}</error>`,
    '    </testcase>',
  ];
}

function notReachedCase(report: CheckReport): string[] {
  const stop = report.serverLost ?? report.interrupted;
  if (!stop) return [];
  const why = report.serverLost ? `the server was lost part-way: ${report.serverLost.message}` : 'interrupted';
  const message = `${plural(stop.notChecked, 'execution')} not checked: ${why}`;
  return [
    `    <testcase${attributes({ classname: NOT_CHECKED_SUITE, name: 'not reached' })}>`,
    `      <error${attributes({ message, type: report.serverLost ? 'server-lost' : 'interrupted' })}>${escapeXml(message, 'text')}</error>`,
    '    </testcase>',
  ];
}

export function renderCheckJunit(report: CheckReport): string {
  // sortResults puts failures first and orders by type, so each suite lists its failures first.
  const byType = new Map<string, CheckResult[]>();
  for (const r of sortResults(report.results)) {
    const list = byType.get(r.workflowType) ?? [];
    list.push(r);
    byType.set(r.workflowType, list);
  }
  const types = [...byType.keys()].sort((a, b) => a.localeCompare(b));

  const suites: string[] = [];
  for (const type of types) {
    const results = byType.get(type) ?? [];
    suites.push(`  <testsuite${attributes({ name: type, ...count(results) })}>`, ...properties(report), ...results.flatMap(testcase), '  </testsuite>');
  }
  const notChecked = [...(report.unchecked ?? []).map(uncheckedCase), notReachedCase(report)].filter((c) => c.length > 0);
  if (notChecked.length > 0) {
    suites.push(
      `  <testsuite${attributes({ name: NOT_CHECKED_SUITE, tests: notChecked.length, failures: 0, errors: notChecked.length, skipped: 0 })}>`,
      ...properties(report),
      ...notChecked.flat(),
      '  </testsuite>',
    );
  }

  const total = count(report.results);
  const root = attributes({
    name: 'safe-deploy check',
    tests: total.tests + notChecked.length,
    failures: total.failures,
    errors: total.errors + notChecked.length,
    skipped: 0,
    time: (report.durationMs / 1000).toFixed(3),
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${root}>`, ...suites, '</testsuites>', ''].join('\n');
}

export function reportCheckJunit(report: CheckReport): void {
  writeStdout(renderCheckJunit(report));
}
