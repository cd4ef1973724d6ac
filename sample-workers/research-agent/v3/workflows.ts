/**
 * research-agent v3: BREAKING, unpatched changes (deliberately not replay-compatible with v1/v2):
 *  - ResearchWorkflow runs `factCheck` after each `researchStep`.
 *  - ResearchPollingWorkflow no longer idles on a timer: it runs `checkInbox` and then waits on
 *    signals/flags with no timeout.
 * The v2 `review` step (patched('review-step')) is kept as is.
 */
import {
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  executeChild,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setHandler,
  setWorkflowOptions,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities.js';
import {
  PROCEED_SIGNAL,
  STATE_QUERY,
  STATUS_QUERY,
  SUBMIT_REQUEST_SIGNAL,
  WAKE_UP_SIGNAL,
  type PollingState,
  type ResearchOptions,
  type ResearchPhase,
  type ResearchRequest,
} from '../shared.js';

const { plan, researchStep, factCheck, synthesize, review, checkInbox } = proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
});

export const proceedSignal = defineSignal(PROCEED_SIGNAL);
export const statusQuery = defineQuery<ResearchPhase>(STATUS_QUERY);
export const submitRequestSignal = defineSignal<[ResearchRequest]>(SUBMIT_REQUEST_SIGNAL);
export const wakeUpSignal = defineSignal(WAKE_UP_SIGNAL);
export const stateQuery = defineQuery<PollingState>(STATE_QUERY);

/** plan -> (researchStep -> factCheck) per step -> [proceed gate] -> synthesize -> review (patched). */
export async function ResearchWorkflow(topic: string, options?: ResearchOptions): Promise<string> {
  const waitForProceed = options?.waitForProceed ?? true;
  let phase: ResearchPhase = 'planning';
  let proceed = false;
  setHandler(statusQuery, () => phase);
  setHandler(proceedSignal, () => {
    proceed = true;
  });

  const steps = await plan(topic);
  phase = 'researching';
  const findings: string[] = [];
  for (const step of steps) {
    const finding = await researchStep(topic, step);
    findings.push(await factCheck(topic, finding));
  }
  if (waitForProceed) {
    phase = 'awaiting_proceed';
    await condition(() => proceed);
  }
  phase = 'synthesizing';
  let summary = await synthesize(topic, findings);
  if (patched('review-step')) {
    phase = 'reviewing';
    summary = await review(topic, summary);
  }
  phase = 'completed';
  return summary;
}
setWorkflowOptions({ versioningBehavior: 'PINNED' }, ResearchWorkflow);

function shouldContinueAsNew(): boolean {
  const info = workflowInfo();
  return info.targetWorkerDeploymentVersionChanged || info.continueAsNewSuggested;
}

/**
 * Long-running inbox: runs each submitted request as a child ResearchWorkflow, one at a time (FIFO).
 * When idle, runs `checkInbox` then waits for a signal with NO timer; continues-as-new (AUTO_UPGRADE)
 * when the target deployment version changed or the server suggests it, carrying all pending and
 * completed requests.
 */
export async function ResearchPollingWorkflow(state?: PollingState): Promise<void> {
  const s: PollingState = {
    pending: [...(state?.pending ?? [])],
    completed: [...(state?.completed ?? [])],
    runs: state?.runs ?? 0,
  };
  let woken = false;
  setHandler(stateQuery, () => s);
  setHandler(submitRequestSignal, (req) => {
    s.pending.push(req);
  });
  setHandler(wakeUpSignal, () => {
    woken = true;
  });

  for (;;) {
    if (shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      await makeContinueAsNewFunc<typeof ResearchPollingWorkflow>({ initialVersioningBehavior: 'AUTO_UPGRADE' })({
        pending: [...s.pending],
        completed: [...s.completed],
        runs: (s.runs ?? 0) + 1,
      });
    }
    const req = s.pending[0];
    if (req) {
      let summary: string;
      try {
        summary = await executeChild(ResearchWorkflow, {
          args: [req.topic, { waitForProceed: false }],
          workflowId: `${workflowInfo().workflowId}/req-${req.id}`,
        });
      } catch (err) {
        summary = `failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      s.pending.shift();
      s.completed.push({ id: req.id, topic: req.topic, summary });
      continue;
    }
    await checkInbox();
    await condition(() => s.pending.length > 0 || woken || shouldContinueAsNew());
    woken = false;
  }
}
setWorkflowOptions({ versioningBehavior: 'PINNED' }, ResearchPollingWorkflow);

// Unchanged since v1; v4 changes it.
export { ResearchFollowUpWorkflow, askSignal } from '../follow-up.js';
