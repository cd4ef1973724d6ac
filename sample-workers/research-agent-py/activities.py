"""Activities of the Python research agent. Each one sleeps RESEARCH_ACTIVITY_DELAY_MS (default 500)
to stand in for an LLM call; every result is a deterministic function of the inputs."""

from __future__ import annotations

import asyncio
import os

from temporalio import activity


def _delay_s() -> float:
    raw = os.environ.get("RESEARCH_ACTIVITY_DELAY_MS", "")
    try:
        ms = float(raw) if raw else 500.0
    except ValueError:
        ms = 500.0
    return max(ms, 0.0) / 1000.0


async def _think() -> None:
    delay = _delay_s()
    if delay > 0:
        await asyncio.sleep(delay)


@activity.defn
async def plan_research(topic: str) -> list[str]:
    await _think()
    return [f"background on {topic}", f"recent developments in {topic}", f"open questions about {topic}"]


@activity.defn
async def execute_research_step(topic: str, step: str) -> str:
    await _think()
    return f'finding[{step}] for "{topic}"'


@activity.defn
async def fact_check(topic: str, finding: str) -> str:
    """v3 only: verifies one finding."""
    await _think()
    return f'{finding} (fact-checked for "{topic}")'


@activity.defn
async def synthesize_findings(topic: str, findings: list[str]) -> str:
    await _think()
    return f'Summary of "{topic}" from {len(findings)} findings: ' + "; ".join(findings)


@activity.defn
async def review_summary(topic: str, summary: str) -> str:
    """v2+: reviews the synthesized summary."""
    await _think()
    return f'{summary} [reviewed: "{topic}"]'


@activity.defn
async def check_inbox() -> int:
    """v3 only: the polling loop checks an external inbox before idling (always 0 new items here)."""
    await _think()
    return 0


ALL_ACTIVITIES = [plan_research, execute_research_step, fact_check, synthesize_findings, review_summary, check_inbox]
