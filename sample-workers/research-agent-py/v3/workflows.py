"""research-agent v3 (Python): BREAKING, unpatched changes (deliberately not replay-compatible
with v1/v2):
 - ResearchWorkflow runs fact_check after each research step (the lab's change).
 - ResearchPollingWorkflow no longer idles on a timer: it runs check_inbox, then waits for a signal
   or a versioning flag with no timeout.
The v2 review step (patched "review-step") is kept as is."""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import VersioningBehavior
from temporalio.exceptions import ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from activities import (
        check_inbox,
        execute_research_step,
        fact_check,
        plan_research,
        review_summary,
        synthesize_findings,
    )
    from shared import (
        ACTIVITY_TIMEOUT,
        PROCEED_SIGNAL,
        STATE_QUERY,
        STATUS_QUERY,
        SUBMIT_REQUEST_SIGNAL,
        WAKE_UP_SIGNAL,
        CompletedResearch,
        PollingState,
        ResearchRequest,
    )


@workflow.defn(versioning_behavior=VersioningBehavior.PINNED)
class ResearchWorkflow:
    """plan -> (research step -> fact_check) per planned step -> [proceed gate] -> synthesize -> review (patched)."""

    def __init__(self) -> None:
        self._phase = "planning"
        self._proceed = False

    @workflow.signal(name=PROCEED_SIGNAL)
    def proceed(self) -> None:
        self._proceed = True

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> str:
        return self._phase

    @workflow.run
    async def run(self, topic: str, wait_for_proceed: bool = True) -> str:
        steps = await workflow.execute_activity(plan_research, topic, start_to_close_timeout=ACTIVITY_TIMEOUT)
        self._phase = "researching"
        findings: list[str] = []
        for step in steps:
            finding = await workflow.execute_activity(
                execute_research_step, args=[topic, step], start_to_close_timeout=ACTIVITY_TIMEOUT
            )
            findings.append(
                await workflow.execute_activity(fact_check, args=[topic, finding], start_to_close_timeout=ACTIVITY_TIMEOUT)
            )
        if wait_for_proceed:
            self._phase = "awaiting_proceed"
            await workflow.wait_condition(lambda: self._proceed)
        self._phase = "synthesizing"
        summary = await workflow.execute_activity(
            synthesize_findings, args=[topic, findings], start_to_close_timeout=ACTIVITY_TIMEOUT
        )
        if workflow.patched("review-step"):
            self._phase = "reviewing"
            summary = await workflow.execute_activity(
                review_summary, args=[topic, summary], start_to_close_timeout=ACTIVITY_TIMEOUT
            )
        self._phase = "completed"
        return summary


def should_continue_as_new() -> bool:
    info = workflow.info()
    return info.is_target_worker_deployment_version_changed() or info.is_continue_as_new_suggested()


@workflow.defn(versioning_behavior=VersioningBehavior.PINNED)
class ResearchPollingWorkflow:
    """Long-running inbox: runs each submitted request as a child ResearchWorkflow, one at a time.
    When idle, runs check_inbox, then waits for a signal with NO timer; continues-as-new
    (AUTO_UPGRADE) when the target deployment version changed or the server suggests it, carrying
    the pending and completed requests."""

    @workflow.init
    def __init__(self, state: PollingState | None = None) -> None:
        s = state or PollingState()
        self._state = PollingState(pending=list(s.pending), completed=list(s.completed), runs=s.runs)
        self._woken = False

    @workflow.signal(name=SUBMIT_REQUEST_SIGNAL)
    def submit_request(self, request: ResearchRequest) -> None:
        self._state.pending.append(request)

    @workflow.signal(name=WAKE_UP_SIGNAL)
    def wake_up(self) -> None:
        self._woken = True

    @workflow.query(name=STATE_QUERY)
    def state(self) -> PollingState:
        return self._state

    @workflow.run
    async def run(self, state: PollingState | None = None) -> None:
        s = self._state
        while True:
            if should_continue_as_new():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    PollingState(pending=list(s.pending), completed=list(s.completed), runs=s.runs + 1),
                    initial_versioning_behavior=workflow.ContinueAsNewVersioningBehavior.AUTO_UPGRADE,
                )
            if s.pending:
                request = s.pending[0]
                try:
                    summary = await workflow.execute_child_workflow(
                        ResearchWorkflow.run,
                        args=[request.topic, False],
                        id=f"{workflow.info().workflow_id}/req-{request.id}",
                    )
                except ChildWorkflowError as err:
                    summary = f"failed: {err}"
                s.pending.pop(0)
                s.completed.append(CompletedResearch(id=request.id, topic=request.topic, summary=summary))
                continue
            await workflow.execute_activity(check_inbox, start_to_close_timeout=ACTIVITY_TIMEOUT)
            await workflow.wait_condition(lambda: bool(s.pending) or self._woken or should_continue_as_new())
            self._woken = False
