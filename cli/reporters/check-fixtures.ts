/**
 * Hand-made `check` reports for the reporters' tests (imported only by *.test.ts). Summary and
 * groups are derived with core's own functions, so a fixture can never contradict itself.
 */
import { CHECK_SCHEMA_VERSION, groupResults, summarize, type CheckReport, type CheckResult, type UncheckedItem } from '../core/check-report.js';

export function sampleResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    workflowId: 'order-1',
    runId: '0b6c1a52-7d1e-4d6f-9a53-3f1f3b7e2a01',
    workflowType: 'OrderWorkflow',
    version: 'orders:v1',
    lastEventId: '42',
    origin: 'server',
    verdict: 'compatible',
    ...overrides,
  };
}

/** Two compatible orders, one nondeterministic order, one missing type, one replay error. */
export const MIXED_RESULTS: readonly CheckResult[] = [
  sampleResult({ workflowId: 'order-2', runId: 'run-o2' }),
  sampleResult({
    workflowId: 'order-3',
    runId: 'run-o3',
    verdict: 'nondeterministic',
    eventId: '5',
    historyHad: 'activity researchStep',
    codeDid: 'activity factCheck',
    message: "[TMPRL1100] Nondeterminism error: Activity type of scheduled event 'researchStep' does not match activity type of activity command 'factCheck'",
  }),
  sampleResult({ workflowId: 'order-1', runId: 'run-o1' }),
  sampleResult({
    workflowId: 'ship-1',
    runId: 'run-s1',
    workflowType: 'ShippingWorkflow',
    version: 'unversioned',
    verdict: 'replay-error',
    message: 'Unknown encoding: binary/encrypted',
  }),
  sampleResult({
    workflowId: 'refund-1',
    runId: 'run-r1',
    workflowType: 'RefundWorkflow',
    version: 'orders:v1',
    verdict: 'missing-workflow-type',
    message: "Failed to initialize workflow of type 'RefundWorkflow': no such function is exported by the workflow bundle",
  }),
];

/** One good history, one file that would not load, one execution the server would not return. */
export const UNCHECKED_ITEMS: readonly UncheckedItem[] = [
  { reason: 'unloadable', origin: 'histories/empty.json', message: 'histories/empty.json: not valid JSON (Unexpected end of JSON input)', hint: 'is the file complete? re-download it' },
  { reason: 'unfetchable', origin: 'server', workflowId: 'order-9', runId: 'run-o9', message: 'fetch the history of order-9: not found: workflow execution not found' },
];

export function sampleReport(overrides: Partial<Omit<CheckReport, 'results'>> & { results?: readonly CheckResult[] } = {}): CheckReport {
  const results = [...(overrides.results ?? [sampleResult({ workflowId: 'order-1', runId: 'run-o1' }), sampleResult({ workflowId: 'order-2', runId: 'run-o2' })])];
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    candidate: { source: 'sample-workers/orders/workflows.ts', bundleHash: 'sha256:9f2c4e', buildId: 'orders:v2' },
    selection: { source: 'server', address: 'localhost:7233', namespace: 'default', query: "ExecutionStatus = 'Running'" },
    summary: summarize(results),
    groups: groupResults(results),
    durationMs: 1234,
    ...overrides,
    results,
  };
}
