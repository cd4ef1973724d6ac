import { describe, expect, it } from 'vitest';
import { classifyFailure, decideWatch, pinBackMethod, resetCommand, resetPoint, tasksFailing, type TaskOutcome, type WatchedExecution } from './watch.js';

const V1 = 'agent:v1';
const V4 = 'agent:v4';
const done = (eventId: number, version?: string): TaskOutcome => ({ eventId, kind: 'completed', ...(version && { version }) });
const failed = (eventId: number, message: string, cause = 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE'): TaskOutcome => ({ eventId, kind: 'failed', cause, message });
const execution = (over: Partial<WatchedExecution> = {}): WatchedExecution => ({
  workflowId: 'wf',
  runId: 'run',
  workflowType: 'ResearchFollowUpWorkflow',
  behavior: 'PINNED',
  version: V1,
  transitioningTo: V4,
  override: { kind: 'auto_upgrade' },
  taskAttempt: 3,
  reportedProblems: [],
  ...over,
});

describe('classifyFailure', () => {
  it.each([
    ['the server names it an NDE', 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR', 'anything', 'nde'],
    ['a command mismatch ([TMPRL1100])', 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE', '[TMPRL1100] Nondeterminism error: Activity type mismatch', 'nde'],
    ['a timer state-machine conflict', 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE', 'Fatal error in workflow machines: TimerMachine in state CancelTimerCommandSent says the transition is invalid', 'nde'],
    ['a plain Error thrown by workflow code', 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE', 'question too long', 'other'],
    ['no cause, no message', undefined, undefined, 'other'],
  ] as const)('%s', (_name, cause, message, kind) => expect(classifyFailure(cause, message)).toBe(kind));
});

describe('tasksFailing', () => {
  it.each([
    ['first attempt, nothing flagged', 1, [], false],
    ['no pending task', 0, [], false],
    ['a retry (the last attempt failed)', 2, [], true],
    ['flagged by the server', 1, ['category=WorkflowTaskFailed', 'cause=WorkflowTaskFailedCauseWorkflowWorkerUnhandledFailure'], true],
  ] as const)('%s', (_name, taskAttempt, reportedProblems, expected) => expect(tasksFailing({ taskAttempt, reportedProblems: [...reportedProblems] })).toBe(expected));
});

describe('decideWatch', () => {
  it('the candidate never completed a task: pin back to the version that wrote the history', () => {
    const d = decideWatch({ execution: execution(), tasks: [done(4, V1), done(28, V1), done(33, V1), failed(38, 'Fatal error in workflow machines: TimerMachine')], candidateVersion: V4 });
    expect(d).toMatchObject({ action: 'pin-back', to: V1, lastTaskEventId: 33, failure: { kind: 'nde', eventId: 38, attempt: 3 } });
  });

  it('the candidate completed a task: reset report at the last task before it took over', () => {
    const d = decideWatch({ execution: execution({ version: V4, transitioningTo: undefined }), tasks: [done(4, V1), done(28, V1), done(34, V4), failed(40, 'question too long')], candidateVersion: V4 });
    expect(d).toMatchObject({ action: 'reset-report', resetEventId: 28, from: V1, failure: { kind: 'other' } });
  });

  it('the candidate wrote the whole history: nothing to go back to', () => {
    const d = decideWatch({ execution: execution({ version: V4, transitioningTo: undefined }), tasks: [done(4, V4), failed(10, 'boom')], candidateVersion: V4 });
    expect(d).toMatchObject({ action: 'reset-report' });
    expect(d.action === 'reset-report' && d.resetEventId).toBeFalsy();
  });

  it('a task timed out rather than failed: other, with the timeout named', () => {
    const d = decideWatch({ execution: execution(), tasks: [done(4, V1), { eventId: 9, kind: 'timed-out' }], candidateVersion: V4 });
    expect(d).toMatchObject({ action: 'pin-back', failure: { kind: 'other', message: 'workflow task timed out' } });
  });
});

describe('resetPoint', () => {
  it('ignores tasks on the candidate after its first one', () => {
    expect(resetPoint([done(4, V1), done(10, V4), done(16, V1), done(20, V4)], V4)?.eventId).toBe(4);
  });
  it('unversioned tasks are no reset point', () => {
    expect(resetPoint([done(4), done(10, V4)], V4)).toBeUndefined();
  });
});

describe('resetCommand', () => {
  it('names the run and event, and pins the new run to the old version', () => {
    const cmd = resetCommand({ workflowId: 'research 1', runId: 'r1' }, { resetEventId: 28, from: V1 }, V4, { address: '127.0.0.1:7233', namespace: 'default' });
    expect(cmd).toBe(
      "temporal workflow reset --workflow-id 'research 1' --run-id r1 --event-id 28 --reason 'safe-deploy watch: tasks fail on agent:v4' --address 127.0.0.1:7233 --namespace default with-workflow-update-options --versioning-override-behavior pinned --versioning-override-deployment-name agent --versioning-override-build-id v1",
    );
  });
  it('no reset point, no command', () => {
    expect(resetCommand({ workflowId: 'w', runId: 'r' }, {}, V4, { address: 'a', namespace: 'n' })).toBeUndefined();
  });
});

describe('pinBackMethod', () => {
  it.each([
    ['moving to the candidate: the server ignores an override, so reset to its last task', { transitioningTo: V4 }, 'reset-to-last-task'],
    ['not moving: the pinned override alone', {}, 'override'],
    ['moving to another version', { transitioningTo: 'agent:v5' }, 'override'],
  ] as const)('%s', (_name, e, method) => expect(pinBackMethod(e, V4)).toBe(method));
});
