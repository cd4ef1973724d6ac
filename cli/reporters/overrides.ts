/** The override ledger and `overrides clear`: text and JSON. */
import type { ClearResult, LedgerEntry, LedgerReport } from '../pipeline/overrides.js';
import type { VersioningOverride } from '../core/versioning.js';
import { alignColumns } from './check-columns.js';
import { writeJson, writeStdout } from './stdout.js';

const label = (o: VersioningOverride) => (o.kind === 'pinned' ? `pinned ${o.version}` : 'auto_upgrade');

function rows(entries: readonly LedgerEntry[]): string[] {
  return alignColumns([
    ['Workflow ID', 'Type', 'Override', 'Set by', 'When', 'Needed', 'Why'],
    ...entries.map((e) => [e.workflowId, e.workflowType, label(e.override), e.setBy ?? '?', e.setAt ?? '?', e.needed ? 'yes' : 'no', `${e.why ?? ''}${e.why ? '; ' : ''}${e.neededWhy}`]),
  ]);
}

export function renderLedgerText(r: LedgerReport): string {
  const lines = [`overrides on running executions of ${r.deployment} (current: ${r.currentVersion ?? 'none'})`, ''];
  lines.push(...(r.entries.length ? rows(r.entries) : ['none']));
  lines.push('', `${r.counts.overrides} overrides, ${r.counts.ours} set by safe-deploy, ${r.counts.notNeeded} of ours no longer needed${r.counts.notNeeded ? ' (safe-deploy overrides clear --not-needed)' : ''}`);
  return lines.join('\n') + '\n';
}

export function reportLedger(format: 'text' | 'json', r: LedgerReport): void {
  if (format === 'json') writeJson(r);
  else writeStdout(renderLedgerText(r));
}

export function reportClear(format: 'text' | 'json', r: ClearResult): void {
  if (format === 'json') {
    writeJson({ schemaVersion: r.ledger.schemaVersion, deployment: r.ledger.deployment, dryRun: r.dryRun, cleared: r.cleared, journalFile: r.journalFile });
    return;
  }
  const lines = [`${r.dryRun ? 'would clear' : 'cleared'} ${r.cleared.filter((c) => c.status !== 'failed').length} override(s) safe-deploy set that no longer do anything`];
  for (const c of r.cleared) lines.push(`  ${c.workflowId} (run ${c.runId}): ${c.status}${c.detail ? ` — ${c.detail}` : ''}`);
  if (r.journalFile) lines.push(`journal: ${r.journalFile}`);
  writeStdout(lines.join('\n'));
}
