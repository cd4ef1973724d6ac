"""Names and payload types of the Python research agent, shared by every version, the activities
and the worker. The wire shapes match the TypeScript agent's (sample-workers/research-agent/shared.ts),
so the same client code drives both: a request is {"id", "topic"}, the poller's state is
{"pending", "completed", "runs"}."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

TASK_QUEUE_DEFAULT = "research-agent"
DEPLOYMENT_NAME_DEFAULT = "research-agent"

PROCEED_SIGNAL = "proceed"
SUBMIT_REQUEST_SIGNAL = "submit_request"
WAKE_UP_SIGNAL = "wake_up"
STATUS_QUERY = "status"
STATE_QUERY = "state"

# v1/v2 idle timer of the polling loop (v3 removed the timer).
POLL_INTERVAL = timedelta(hours=1)
ACTIVITY_TIMEOUT = timedelta(minutes=1)

RESEARCH_VERSIONS = ("v1", "v2", "v3")


@dataclass
class ResearchRequest:
    id: str
    topic: str


@dataclass
class CompletedResearch:
    id: str
    topic: str
    summary: str


@dataclass
class PollingState:
    # FIFO queue; the head is removed only after its child workflow finished. The factories are
    # list[T], not list, so that strict pyright knows the element types; both make a plain [].
    pending: list[ResearchRequest] = field(default_factory=list[ResearchRequest])
    completed: list[CompletedResearch] = field(default_factory=list[CompletedResearch])
    # How many continue-as-new generations came before this run (0 for the first run).
    runs: int = 0
