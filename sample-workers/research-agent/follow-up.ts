/**
 * ResearchFollowUpWorkflow as v1..v3 have it: research a topic, then wait a fixed follow-up period
 * (`sleep`) while readers ask questions (`ask` signal), then answer them and synthesize.
 * v4 changes the wait (see v4/workflows.ts): the change that replays cleanly and breaks later.
 */
import { defineSignal, proxyActivities, setHandler, setWorkflowOptions, sleep } from '@temporalio/workflow';
import type * as activities from './activities.js';
import { ASK_SIGNAL, FOLLOW_UP_AFTER, type FollowUpOptions } from './shared.js';

const { plan, researchStep, synthesize } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export const askSignal = defineSignal<[string]>(ASK_SIGNAL);

export async function ResearchFollowUpWorkflow(topic: string, options?: FollowUpOptions): Promise<string> {
  const questions: string[] = [];
  setHandler(askSignal, (q) => void questions.push(q));
  const findings: string[] = [];
  for (const step of await plan(topic)) findings.push(await researchStep(topic, step));
  await sleep(options?.followUpAfter ?? FOLLOW_UP_AFTER);
  for (const q of questions) findings.push(await researchStep(topic, `question: ${q}`));
  return synthesize(topic, findings);
}
setWorkflowOptions({ versioningBehavior: 'PINNED' }, ResearchFollowUpWorkflow);
