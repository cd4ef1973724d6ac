/**
 * research-agent v4: v2's workflows, and ResearchFollowUpWorkflow answers as soon as the first
 * question arrives instead of sleeping out the follow-up period: `sleep(d)` became
 * `condition(() => questions.length > 0, d)`. Not patched.
 *
 * Why replay does not catch it: a v1 execution that got a question while sleeping has
 * TimerStarted, then the signal's workflow task (no command). v4 replays that history cleanly: its
 * condition turns true at the signal and asks to cancel the timer, and the recorded history simply
 * ends there. When the timer fires, every workflow task fails with a non-determinism error
 * (TimerMachine in state CancelTimerCommandSent sees TimerFired), retried forever.
 *
 * It also rejects long questions, with a plain Error: that fails the workflow task (only an
 * ApplicationFailure fails the workflow), so such a question breaks an execution the candidate
 * already ran, a failure that is not an NDE.
 */
import { condition, defineSignal, proxyActivities, setHandler, setWorkflowOptions } from '@temporalio/workflow';
import type * as activities from '../activities.js';
import { ASK_SIGNAL, FOLLOW_UP_AFTER, MAX_QUESTION_LENGTH, type FollowUpOptions } from '../shared.js';

export {
  ResearchPollingWorkflow,
  ResearchWorkflow,
  proceedSignal,
  stateQuery,
  statusQuery,
  submitRequestSignal,
  wakeUpSignal,
} from '../v2/workflows.js';

const { plan, researchStep, synthesize } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export const askSignal = defineSignal<[string]>(ASK_SIGNAL);

export async function ResearchFollowUpWorkflow(topic: string, options?: FollowUpOptions): Promise<string> {
  const questions: string[] = [];
  setHandler(askSignal, (q) => {
    if (q.length > MAX_QUESTION_LENGTH) throw new Error(`question too long: ${q.length} characters (at most ${MAX_QUESTION_LENGTH})`);
    questions.push(q);
  });
  const findings: string[] = [];
  for (const step of await plan(topic)) findings.push(await researchStep(topic, step));
  await condition(() => questions.length > 0, options?.followUpAfter ?? FOLLOW_UP_AFTER);
  for (const q of questions) findings.push(await researchStep(topic, `question: ${q}`));
  return synthesize(topic, findings);
}
setWorkflowOptions({ versioningBehavior: 'PINNED' }, ResearchFollowUpWorkflow);
