/**
 * What a person reads for each kind of breaking change, from real failures: histories recorded
 * from the dev server running test/fixtures/breaking/before.ts (tools/record-breaking-histories.ts),
 * replayed by the real SDK against after.ts, which changes each workflow in one way.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'breaking');

type Result = { workflowId: string; verdict: string; eventId?: string; historyHad?: string; codeDid?: string; message?: string };

describe('failure messages for breaking changes, from real replays', () => {
  let results: Map<string, Result>;
  let text: string;
  beforeAll(async () => {
    const args = ['check', '--histories', join(fixtures, 'histories'), '--workflows', join(fixtures, 'after.ts')];
    const json = await runCli([...args, '--output', 'json']);
    expect(json.exitCode, json.stderr).toBe(1);
    results = new Map((JSON.parse(json.stdout) as { results: Result[] }).results.map((r) => [r.workflowId.replace(/^breaking-/, ''), r]));
    text = (await runCli(args)).stdout;
  }, 120_000);

  it.each([
    {
      change: 'sleep changed to condition(fn, timeout), which a signal satisfies: the code cancels the timer',
      workflow: 'SleepWorkflow',
      expected: {
        verdict: 'nondeterministic',
        eventId: '16',
        historyHad: 'activity greet scheduled at event 16',
        codeDid: 'a timer command (timer 1 started at event 11 was still pending: the code cancelled or replaced it)',
      },
    },
    {
      change: 'a local activity changed to a normal activity',
      workflow: 'LocalActivityWorkflow',
      expected: { verdict: 'nondeterministic', eventId: '5', historyHad: 'local activity 1 (a marker) at event 5', codeDid: 'no local activity 1: a normal activity (or other command) in its place' },
    },
    {
      change: 'an activity type replaced by another',
      workflow: 'ActivityTypeWorkflow',
      expected: { verdict: 'nondeterministic', eventId: '5', historyHad: 'activity greet scheduled at event 5', codeDid: 'activity farewell there' },
    },
    {
      change: 'two child workflows started in the other order',
      workflow: 'ChildrenReorderedWorkflow',
      expected: {
        verdict: 'nondeterministic',
        eventId: '5',
        historyHad: 'child workflow breaking-ChildrenReorderedWorkflow-a (ChildWorkflow) started at event 5',
        codeDid: 'child workflow breaking-ChildrenReorderedWorkflow-b there',
      },
    },
    {
      change: 'a child workflow no longer started',
      workflow: 'ChildrenRemovedWorkflow',
      expected: {
        verdict: 'nondeterministic',
        eventId: '5',
        historyHad: 'child workflow breaking-ChildrenRemovedWorkflow-a (ChildWorkflow) started at event 5',
        codeDid: 'child workflow breaking-ChildrenRemovedWorkflow-b there',
      },
    },
    {
      change: 'a workflow type the candidate no longer exports',
      workflow: 'RetiredWorkflow',
      expected: {
        verdict: 'missing-workflow-type',
        message:
          "workflow type 'RetiredWorkflow' is not exported by the candidate; the candidate exports ActivityTypeWorkflow, ChildWorkflow, ChildrenRemovedWorkflow, ChildrenReorderedWorkflow, LocalActivityWorkflow, SleepWorkflow, wakeSignal",
      },
    },
  ])('$change', ({ workflow, expected }) => {
    expect(results.get(workflow)).toMatchObject(expected);
  });

  it('the text report says it in one place per execution: event, "history had ..., code did ..."', () => {
    expect(text).toContain('    type SleepWorkflow, version unversioned, event 16\n    history had activity greet scheduled at event 16, code did a timer command (timer 1 started at event 11 was still pending');
    expect(text).toContain("MISSING WORKFLOW TYPE  workflow ID breaking-RetiredWorkflow, run ID");
    expect(text).not.toMatch(/^\s+at /m);
  });
});
