/**
 * Plan files read as a stream (cli/pipeline/plan-file.ts): the same plan and the same refusals as
 * parsing it whole, whatever the layout and key order, and a file changed between passes refused.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlan, planSource, type Plan, type PlannedExecution } from '../../cli/core/plan.js';
import { InputError } from '../../cli/errors.js';
import { readPlanFile, writePlanFile } from '../../cli/pipeline/plan-file.js';

const dir = mkdtempSync(join(tmpdir(), 'safe-deploy-plan-file-'));
let files = 0;
function file(text: string): string {
  const path = join(dir, `plan-${files++}.json`);
  writeFileSync(path, text);
  return path;
}

function execution(i: number, over: Partial<PlannedExecution> = {}): PlannedExecution {
  const runId = `run-${i}`;
  return {
    workflowId: `wf-${i}`,
    runId,
    workflowType: 'Research',
    state: { behavior: 'PINNED', version: 'research-agent:v1' },
    effectiveBehavior: 'PINNED',
    receipt: { runId, lastEventId: '11', bundleHash: 'h', verdict: 'compatible' },
    action: i % 3 ? 'upgrade' : 'keep-pinned',
    ...(i % 3 ? { targetOverride: { kind: 'auto_upgrade' } } : {}),
    reason: 'test "quoted" \\ and \u00e9',
    ...over,
  };
}

function plan(executions: PlannedExecution[]): Plan {
  return {
    schemaVersion: 1,
    createdAt: '2026-12-03T00:00:00.000Z',
    deployment: 'research-agent',
    // A key named like the top-level list, deeper down, is not the list.
    candidate: { buildId: 'v2', version: 'research-agent:v2', bundleHash: 'h', source: 'workflows.ts', executions: 'not these' } as Plan['candidate'],
    policy: { onAutoUpgradeFailure: 'protect', longRunningTypes: [], nudgeSignal: 'wake_up' },
    executions,
  };
}

function header(p: Plan): Omit<Plan, 'executions'> {
  const { executions: _, ...rest } = p;
  return rest;
}

async function all(source: AsyncIterable<PlannedExecution>): Promise<PlannedExecution[]> {
  const out: PlannedExecution[] = [];
  for await (const e of source) out.push(e);
  return out;
}

async function refusal(path: string): Promise<string> {
  const err = await readPlanFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return (err as InputError).message;
}

describe('readPlanFile', () => {
  const p = plan(Array.from({ length: 1200 }, (_, i) => execution(i)));

  it.each([
    ['pretty', JSON.stringify(p, null, 2)],
    ['compact', JSON.stringify(p)],
    ['executions first', JSON.stringify({ executions: p.executions, ...header(p) })],
  ])('%s: the same header, executions and counts as parsing it whole', async (_layout, text) => {
    const source = await readPlanFile(file(text));
    const { executions, ...header } = parsePlan(JSON.parse(text));
    expect(source.header).toEqual(header);
    expect(await all(source.executions())).toEqual(executions);
    expect(source.tally).toEqual(planSource(parsePlan(JSON.parse(text))).tally);
    expect(source.tally.actions).toEqual({ upgrade: 800, 'keep-pinned': 400 });
    // Every pass reads the file again, from the start.
    expect((await all(source.executions())).length).toBe(1200);
  });

  it('an empty list of executions is a plan', async () => {
    const source = await readPlanFile(file(JSON.stringify(plan([]))));
    expect(await all(source.executions())).toEqual([]);
    expect(source.tally.actions).toEqual({});
  });

  it('refuses what parsePlan refuses, naming the entry, before handing out any execution', async () => {
    const bad = plan([execution(1), execution(2), execution(4, { action: 'upgrade', targetOverride: undefined })]);
    expect(await refusal(file(JSON.stringify(bad)))).toMatch(/executions\[2\] \(wf-4\): an upgrade needs targetOverride/);
    const twice = plan([execution(1), execution(2), execution(1)]);
    expect(await refusal(file(JSON.stringify(twice)))).toMatch(/executions\[2\] \(wf-1\): the same execution is planned twice/);
    expect(await refusal(file(JSON.stringify({ ...p, schemaVersion: 2 })))).toMatch(/schemaVersion 2 is not supported/);
    const { executions: _, ...noList } = p;
    expect(await refusal(file(JSON.stringify(noList)))).toMatch(/executions is missing/);
    expect(await refusal(file(JSON.stringify({ ...p, executions: { a: 1 } })))).toMatch(/executions is missing/);
    expect(await refusal(file(JSON.stringify([p])))).toMatch(/not a plan file/);
    expect(await refusal(file(JSON.stringify({ ...p, executions: [execution(1), 'x'] })))).toMatch(/executions\[1\]: not an object/);
  });

  it('refuses a file that is not JSON: cut short, empty, or two documents', async () => {
    const text = JSON.stringify(p);
    expect(await refusal(file(text.slice(0, text.length / 2)))).toMatch(/not JSON/);
    expect(await refusal(file(''))).toMatch(/not a plan file|not JSON/);
    expect(await refusal(file(text + text))).toMatch(/not a plan file|not JSON/);
    expect(await refusal(join(dir, 'absent.json'))).toMatch(/cannot read plan file/);
  });

  it('refuses to hand out executions once the file has changed since it was validated', async () => {
    const path = file(JSON.stringify(p));
    const source = await readPlanFile(path);
    writeFileSync(path, JSON.stringify(plan([execution(1, { action: 'upgrade', targetOverride: undefined })])));
    await expect(all(source.executions())).rejects.toThrow(/changed while apply ran/);
    // Part-way through a pass: the execution after the change is not handed out.
    const midway = file(JSON.stringify(p));
    const during = await readPlanFile(midway);
    const seen: PlannedExecution[] = [];
    await expect(
      (async () => {
        for await (const e of during.executions()) {
          seen.push(e);
          if (seen.length === 10) writeFileSync(midway, JSON.stringify(plan([execution(1)])));
        }
      })(),
    ).rejects.toThrow(/changed while apply ran/);
    expect(seen).toHaveLength(10);
    // A touch alone (the same bytes, a new mtime) is refused too: the file is not read again to tell.
    const again = file(JSON.stringify(p));
    const before = await readPlanFile(again);
    utimesSync(again, new Date(), new Date(Date.now() + 5000));
    await expect(all(before.executions())).rejects.toThrow(/changed while apply ran/);
  });
});

describe('writePlanFile', () => {
  const p = plan(Array.from({ length: 3000 }, (_, i) => execution(i)));
  const { executions, ...head } = p;

  it('writes the plan JSON.parse reads back, with the tally of its executions and a source over the file', async () => {
    const out = join(mkdtempSync(join(dir, 'write-')), 'plan.json');
    const source = await writePlanFile(out, head, executions);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(p);
    expect(source.header).toEqual(head);
    expect(source.tally).toEqual(planSource(p).tally);
    expect(await all(source.executions())).toEqual(executions);
    expect(await readPlanFile(out).then((s) => s.tally)).toEqual(source.tally);
  });

  it('writes as the executions come: the file has grown before the last of them is made', async () => {
    const folder = mkdtempSync(join(dir, 'write-'));
    let written = 0;
    async function* slow(): AsyncGenerator<PlannedExecution> {
      for (const [i, e] of executions.entries()) {
        if (i === executions.length - 1) written = readdirSync(folder).reduce((n, f) => n + statSync(join(folder, f)).size, 0);
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, 5)); // let the stream flush
        yield e;
      }
    }
    await writePlanFile(join(folder, 'plan.json'), head, slow());
    expect(written).toBeGreaterThan(64 * 1024);
  });

  it('a source that fails part-way leaves the plan that was there, and no partial file', async () => {
    const folder = mkdtempSync(join(dir, 'write-'));
    const out = join(folder, 'plan.json');
    writeFileSync(out, 'the earlier plan');
    async function* failing(): AsyncGenerator<PlannedExecution> {
      for (const [i, e] of executions.entries()) {
        if (i === 2000) throw new Error('describe failed');
        yield e;
      }
    }
    await expect(writePlanFile(out, head, failing())).rejects.toThrow('describe failed');
    expect(readFileSync(out, 'utf8')).toBe('the earlier plan');
    expect(readdirSync(folder)).toEqual(['plan.json']);
  });

  it('a file that cannot be written is an input error naming it (exit 2), not an internal one', async () => {
    const out = join(dir, 'no-such-folder', 'plan.json');
    const err = await writePlanFile(out, head, executions).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/cannot write the plan to .*no-such-folder.*ENOENT/);
  });
});
