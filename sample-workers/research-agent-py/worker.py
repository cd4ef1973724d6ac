"""research-agent worker (Python): runs ONE version of the workflows under Worker Versioning.

    python worker.py v1|v2|v3

Env (the same as the TypeScript worker's): TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE
(default), TEMPORAL_DEPLOYMENT_NAME (research-agent), TEMPORAL_WORKER_BUILD_ID (= version),
RESEARCH_TASK_QUEUE (research-agent), RESEARCH_AGENT_VERSION (v1, if no argument),
RESEARCH_ACTIVITY_DELAY_MS (500).
Prints `worker ready <deploymentName>:<buildId> on <taskQueue>` to stdout once polling; stops on
SIGINT / SIGTERM.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import sys

from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import Worker, WorkerDeploymentConfig

from activities import ALL_ACTIVITIES
from shared import DEPLOYMENT_NAME_DEFAULT, RESEARCH_VERSIONS, TASK_QUEUE_DEFAULT


def env(name: str, fallback: str) -> str:
    value = os.environ.get(name, "")
    return value if value else fallback


async def main() -> None:
    version = (sys.argv[1] if len(sys.argv) > 1 else env("RESEARCH_AGENT_VERSION", "v1")).strip().lower()
    if version not in RESEARCH_VERSIONS:
        raise SystemExit(f'unknown research-agent version "{version}" (expected one of {", ".join(RESEARCH_VERSIONS)})')
    workflows = importlib.import_module(f"{version}.workflows")
    deployment_name = env("TEMPORAL_DEPLOYMENT_NAME", DEPLOYMENT_NAME_DEFAULT)
    build_id = env("TEMPORAL_WORKER_BUILD_ID", version)
    task_queue = env("RESEARCH_TASK_QUEUE", TASK_QUEUE_DEFAULT)
    client = await Client.connect(env("TEMPORAL_ADDRESS", "127.0.0.1:7233"), namespace=env("TEMPORAL_NAMESPACE", "default"))
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[workflows.ResearchWorkflow, workflows.ResearchPollingWorkflow],
        activities=ALL_ACTIVITIES,
        deployment_config=WorkerDeploymentConfig(
            version=WorkerDeploymentVersion(deployment_name=deployment_name, build_id=build_id),
            use_worker_versioning=True,
            default_versioning_behavior=VersioningBehavior.PINNED,
        ),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        print(f"worker ready {deployment_name}:{build_id} on {task_queue}", flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
