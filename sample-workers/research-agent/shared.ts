/**
 * Shared constants and types for the research-agent sample.
 *
 * Imported by workflow code (all versions), activities, the worker and clients,
 * so it must stay free of runtime @temporalio imports and Node APIs.
 */

/** Default task queue the research-agent worker polls. */
export const TASK_QUEUE_DEFAULT = 'research-agent';
/** Default Worker Deployment name. */
export const DEPLOYMENT_NAME_DEFAULT = 'research-agent';

/** ResearchWorkflow: releases the human-approval gate between research and synthesis (no payload). */
export const PROCEED_SIGNAL = 'proceed';
/** ResearchPollingWorkflow: queue a request (payload: ResearchRequest). */
export const SUBMIT_REQUEST_SIGNAL = 'submit_request';
/** ResearchFollowUpWorkflow: a reader's question to answer after the follow-up period (payload: string). */
export const ASK_SIGNAL = 'ask';
/** ResearchPollingWorkflow: wake the idle loop so it re-checks its state and versioning flags (no payload). */
export const WAKE_UP_SIGNAL = 'wake_up';

/** ResearchWorkflow query: current ResearchPhase. */
export const STATUS_QUERY = 'status';
/** ResearchPollingWorkflow query: current PollingState. */
export const STATE_QUERY = 'state';

/** v1/v2 idle timer of the polling loop (v3 removed the timer). */
export const POLL_INTERVAL = '1 hour';

/** ResearchFollowUpWorkflow's default follow-up period. */
export const FOLLOW_UP_AFTER = '1 hour';

/** v4 rejects longer questions (and, by a bug, fails its workflow task doing so). */
export const MAX_QUESTION_LENGTH = 200;

export interface FollowUpOptions {
  /** How long to collect questions after the research (a duration string or ms). */
  followUpAfter?: string | number;
}

export interface ResearchRequest {
  id: string;
  topic: string;
}

export interface ResearchOptions {
  /** Pause at the `proceed` gate after the research steps. Default: true. */
  waitForProceed?: boolean;
}

export interface CompletedResearch {
  id: string;
  topic: string;
  summary: string;
}

export interface PollingState {
  /** FIFO queue; the head is removed only after its child workflow finished. */
  pending: ResearchRequest[];
  completed: CompletedResearch[];
  /** How many continue-as-new generations came before this run (0 for the first run). */
  runs?: number;
}

export type ResearchPhase =
  | 'planning'
  | 'researching'
  | 'awaiting_proceed'
  | 'synthesizing'
  | 'reviewing'
  | 'completed';

export const RESEARCH_VERSIONS = ['v1', 'v2', 'v3', 'v4'] as const;
export type ResearchVersion = (typeof RESEARCH_VERSIONS)[number];
