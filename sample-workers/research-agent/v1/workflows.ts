/**
 * research-agent v1: the version currently running in "production".
 */
import {
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  executeChild,
  makeContinueAsNewFunc,
  proxyActivities,
  setHandler,
  setWorkflowOptions,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities.js';
import {
  POLL_INTERVAL,
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

const { plan, researchStep, synthesize } = proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
});

export const proceedSignal = defineSignal(PROCEED_SIGNAL);
export const statusQuery = defineQuery<ResearchPhase>(STATUS_QUERY);
export const submitRequestSignal = defineSignal<[ResearchRequest]>(SUBMIT_REQUEST_SIGNAL);
export const wakeUpSignal = defineSignal(WAKE_UP_SIGNAL);
export const stateQuery = defineQuery<PollingState>(STATE_QUERY);

/** plan -> researchStep per step -> [proceed gate] -> synthesize. */
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
    findings.push(await researchStep(topic, step));
  }
  if (waitForProceed) {
    phase = 'awaiting_proceed';
    await condition(() => proceed);
  }
  phase = 'synthesizing';
  const summary = await synthesize(topic, findings);
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
 * Idles on a POLL_INTERVAL timer; continues-as-new (AUTO_UPGRADE) when the target deployment version
 * changed or the server suggests it, carrying all pending and completed requests.
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
    await condition(() => s.pending.length > 0 || woken || shouldContinueAsNew(), POLL_INTERVAL);
    woken = false;
  }
}
setWorkflowOptions({ versioningBehavior: 'PINNED' }, ResearchPollingWorkflow);

// Unchanged since v1; v4 changes it.
export { ResearchFollowUpWorkflow, askSignal } from '../follow-up.js';
