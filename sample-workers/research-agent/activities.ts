/**
 * Activities for the research-agent sample. Each one sleeps
 * RESEARCH_ACTIVITY_DELAY_MS (default 500) to simulate LLM latency.
 * All return values are deterministic functions of their inputs.
 */
import { setTimeout as sleep } from 'node:timers/promises';

function delayMs(): number {
  const raw = process.env.RESEARCH_ACTIVITY_DELAY_MS;
  const n = raw === undefined || raw === '' ? 500 : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : 500;
}

async function think(): Promise<void> {
  const ms = delayMs();
  if (ms > 0) await sleep(ms);
}

/** Three research steps derived from the topic. */
export async function plan(topic: string): Promise<string[]> {
  await think();
  return [`background on ${topic}`, `recent developments in ${topic}`, `open questions about ${topic}`];
}

export async function researchStep(topic: string, step: string): Promise<string> {
  await think();
  return `finding[${step}] for "${topic}"`;
}

/** v3 only: verifies one finding. */
export async function factCheck(topic: string, finding: string): Promise<string> {
  await think();
  return `${finding} (fact-checked for "${topic}")`;
}

export async function synthesize(topic: string, findings: string[]): Promise<string> {
  await think();
  return `Summary of "${topic}" from ${findings.length} findings: ${findings.join('; ')}`;
}

/** v2+: reviews the synthesized summary. */
export async function review(topic: string, summary: string): Promise<string> {
  await think();
  return `${summary} [reviewed: "${topic}"]`;
}

/** v3 only: the polling loop checks an external inbox before idling. Returns the number of new items (always 0 here). */
export async function checkInbox(): Promise<number> {
  await think();
  return 0;
}

export function createActivities() {
  return { plan, researchStep, factCheck, synthesize, review, checkInbox };
}
