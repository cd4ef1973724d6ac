/**
 * `safe-deploy check --output json`: the report as a stable document for scripts. Objects are
 * rebuilt field by field so the key order follows the interfaces and nothing a caller happened to
 * attach leaks into the schema.
 */
import { checkVerdict, gatePasses, notCheckedCount, sortResults, type CheckReport, type CheckResult, type CheckVerdict, type SdkInfo, type UncheckedItem } from '../core/check-report.js';
import { writeStdout } from './stdout.js';

/** The report plus the gate's answer, so scripts need not recompute it. */
export type CheckJson = CheckReport & { verdict: CheckVerdict; gate: 'pass' | 'fail' };

function uncheckedJson(u: UncheckedItem): UncheckedItem {
  return { reason: u.reason, origin: u.origin, workflowId: u.workflowId, runId: u.runId, message: u.message, hint: u.hint };
}

function resultJson(r: CheckResult): CheckResult {
  return {
    workflowId: r.workflowId,
    runId: r.runId,
    workflowType: r.workflowType,
    version: r.version,
    lastEventId: r.lastEventId,
    origin: r.origin,
    overrideSetBy: r.overrideSetBy,
    verdict: r.verdict,
    eventId: r.eventId,
    message: r.message,
    historyHad: r.historyHad,
    codeDid: r.codeDid,
  };
}

function selectionJson(selection: CheckReport['selection']): CheckReport['selection'] {
  switch (selection.source) {
    case 'histories':
      return { source: 'histories', paths: [...selection.paths] };
    case 'server':
      return { source: 'server', address: selection.address, namespace: selection.namespace, query: selection.query };
  }
}

const sdkJson = (sdk: SdkInfo): SdkInfo => ({ language: sdk.language, version: sdk.version, origin: sdk.origin, path: sdk.path, ...(sdk.runtime && { runtime: sdk.runtime }) });

/** The JSON document, before serialisation: what `renderCheckJson` prints. */
export function checkJson(report: CheckReport): CheckJson {
  const { candidate, summary, shard, interrupted, serverLost } = report;
  return {
    schemaVersion: report.schemaVersion,
    verdict: checkVerdict(report),
    gate: gatePasses(report) ? 'pass' : 'fail',
    candidate: {
      source: candidate.source,
      bundleHash: candidate.bundleHash,
      buildId: candidate.buildId,
      bundleCache: candidate.bundleCache,
      sdk: candidate.sdk && sdkJson(candidate.sdk),
      sdks: candidate.sdks?.map(sdkJson),
    },
    selection: selectionJson(report.selection),
    shard: shard && { index: shard.index, count: shard.count },
    summary: { total: summary.total, compatible: summary.compatible, incompatible: summary.incompatible, errors: summary.errors, notChecked: notCheckedCount(report) },
    groups: report.groups.map((g) => ({
      workflowType: g.workflowType,
      version: g.version,
      total: g.total,
      compatible: g.compatible,
      nondeterministic: g.nondeterministic,
      missingWorkflowType: g.missingWorkflowType,
      replayErrors: g.replayErrors,
    })),
    results: sortResults(report.results).map(resultJson),
    unchecked: (report.unchecked ?? []).map(uncheckedJson),
    interrupted: interrupted && { notChecked: interrupted.notChecked },
    serverLost: serverLost && { notChecked: serverLost.notChecked, message: serverLost.message, hint: serverLost.hint },
    failOnEmpty: report.failOnEmpty,
    durationMs: report.durationMs,
  };
}

export function renderCheckJson(report: CheckReport): string {
  return JSON.stringify(checkJson(report), null, 2) + '\n';
}

export function reportCheckJson(report: CheckReport): void {
  writeStdout(renderCheckJson(report));
}
