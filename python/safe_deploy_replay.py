"""safe-deploy's replay helper for Python candidates. Runs in the user's own interpreter, so the
user's own `temporalio` replays; safe-deploy starts one per core and streams histories through it.

    python safe_deploy_replay.py --workflows SPEC [--codec MODULE] [--payload-converter MODULE]
                                 [--failure-converter MODULE] [--describe]

SPEC is a module (`app.workflows`) or a file / package folder (`src/app/workflows.py`), optionally
followed by `:ClassA,ClassB`; without a list, every workflow class in the module is replayed.

Protocol, one JSON object per line (UTF-8):
  out, first:  {"type": "ready", "temporalio": "1.24.0", "python": "3.11.7",
                "workflows": {"ResearchWorkflow": "ResearchWorkflow", ...}, "sources": [paths]}
               or {"type": "error", "message": ..., "hint": ...} and exit 2 (the candidate does not load)
  in:          {"id": 7, "workflowId": "...", "history": "<base64 of a temporal.api.history.v1.History>"}
  out:         {"type": "result", "id": 7, "error": null | {"name": ..., "message": ...}}
End of input: the helper finishes the histories it has and exits 0. --describe: the ready line only.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import faulthandler
import importlib
import inspect
import json
import logging
import os
import platform
import re
import signal
import site
import sys
import threading
import traceback
from collections import deque
from types import ModuleType
from typing import TYPE_CHECKING, Any, AsyncIterator, Sequence, cast

if TYPE_CHECKING:
    # For annotations only: temporalio is imported once main() has checked that it is installed.
    from temporalio.api.common.v1 import Payload
    from temporalio.api.failure.v1 import Failure
    from temporalio.converter import DataConverter, PayloadCodec
    from temporalio.worker import Replayer

_CLASS_LIST = re.compile(r"^[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*$")


class CandidateError(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


# The protocol owns the real stdout; anything the user's code prints goes to stderr instead.
_protocol = sys.stdout


def claim_stdout() -> None:
    global _protocol
    _protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr


def emit(obj: dict[str, Any]) -> None:
    _protocol.write(json.dumps(obj, separators=(",", ":")) + "\n")
    _protocol.flush()


def split_spec(spec: str) -> tuple[str, list[str] | None]:
    """`mod:ClassA,ClassB` -> ("mod", ["ClassA", "ClassB"]); a Windows drive colon is not a list."""
    head, sep, tail = spec.rpartition(":")
    if sep and head and _CLASS_LIST.match(tail.strip()):
        return head, [name.strip() for name in tail.split(",")]
    return spec, None


def package_root(path: str) -> tuple[str, str]:
    """The folder to put on sys.path for a file or package folder, and its dotted module name."""
    path = os.path.abspath(path)
    if os.path.isdir(path):
        folder, parts = path, []
    else:
        folder, parts = os.path.dirname(path), [os.path.splitext(os.path.basename(path))[0]]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        parts.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    return folder, ".".join(parts)


def load_module(spec: str, what: str) -> ModuleType:
    """A module by dotted name (from the working directory or the environment) or by path."""
    looks_like_path = spec.endswith(".py") or os.sep in spec or "/" in spec or os.path.exists(spec)
    try:
        if looks_like_path:
            if not os.path.exists(spec):
                raise CandidateError(f"{what} not found: {spec}", "pass a Python file, a package folder or a module name")
            root, name = package_root(spec)
            if root not in sys.path:
                sys.path.insert(0, root)
            return importlib.import_module(name)
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        return importlib.import_module(spec)
    except CandidateError:
        raise
    except BaseException as err:  # a SyntaxError or SystemExit in user code is the candidate's problem
        last = traceback.format_exception_only(type(err), err)[-1].strip()
        raise CandidateError(
            f"cannot import {what} {spec}: {last}",
            "run it with the same interpreter (--python) and working directory as your worker",
        ) from err


def workflow_classes(module: ModuleType, names: list[str] | None) -> dict[str, type]:
    """Workflow type name -> class: the listed classes, else every @workflow.defn class in the module."""
    from temporalio import workflow

    def workflow_name(cls: type, fallback: str) -> str | None:
        """The workflow type a @workflow.defn class registers (a dynamic one has no name: fallback)."""
        try:
            # No public API reads a class's definition; the SDK's Worker and Replayer use this one.
            defn = workflow._Definition.from_class(cls)  # pyright: ignore[reportPrivateUsage]
        except Exception:
            return None
        return None if defn is None else defn.name or fallback

    found: dict[str, type] = {}
    if names is not None:
        for name in names:
            obj = getattr(module, name, None)
            if not inspect.isclass(obj) or (workflow_type := workflow_name(obj, name)) is None:
                raise CandidateError(
                    f"{module.__name__} has no workflow class {name}",
                    "list classes decorated with @workflow.defn, or leave the list out to take them all",
                )
            found[workflow_type] = obj
        return found
    for obj in vars(module).values():
        if inspect.isclass(obj) and (workflow_type := workflow_name(obj, obj.__name__)) is not None:
            found[workflow_type] = obj
    if not found:
        raise CandidateError(f"{module.__name__} defines no @workflow.defn class", "point --workflows at the module with your workflows")
    return found


def module_attr(spec: str | None, names: Sequence[str], what: str) -> Any:
    if not spec:
        return None
    module = load_module(spec, what)
    for name in names:
        if hasattr(module, name):
            return getattr(module, name)
    raise CandidateError(f"{what} {spec} exports none of {', '.join(names)}", f"define `{names[0]}` in it")


def data_converter(args: argparse.Namespace) -> DataConverter:
    """The user's converter and codec, as their worker's client would use them."""
    import dataclasses

    from temporalio.converter import DataConverter

    changes: dict[str, Any] = {}
    codec = module_attr(args.codec, ["payload_codec", "payload_codecs"], "codec module")
    if isinstance(codec, (list, tuple)):
        codecs = list(cast("Sequence[PayloadCodec]", codec))
        codec = chain_codec(codecs) if len(codecs) != 1 else codecs[0]
    if codec is not None:
        changes["payload_codec"] = codec
    converter = module_attr(args.payload_converter, ["payload_converter_class"], "payload converter module")
    if converter is not None:
        changes["payload_converter_class"] = converter
    failure = module_attr(args.failure_converter, ["failure_converter_class"], "failure converter module")
    if failure is not None:
        changes["failure_converter_class"] = failure
    return dataclasses.replace(DataConverter.default, **changes) if changes else DataConverter.default


def chain_codec(codecs: list[PayloadCodec]) -> PayloadCodec:
    """Several codecs in the order a worker applies them on encode (decode runs them backwards). A
    PayloadCodec subclass, so the SDK's encode_wrapper / decode_wrapper run the chain too; defined
    here because temporalio is imported only once main() has checked that it is installed."""
    from temporalio.converter import PayloadCodec

    class ChainCodec(PayloadCodec):
        async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
            out = list(payloads)
            for codec in codecs:
                out = await codec.encode(out)
            return out

        async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
            out = list(payloads)
            for codec in reversed(codecs):
                out = await codec.decode(out)
            return out

        # Each codec's own failure methods, as before: older SDKs call these on the codec directly.
        async def encode_failure(self, failure: Failure) -> None:
            for codec in codecs:
                await codec.encode_failure(failure)

        async def decode_failure(self, failure: Failure) -> None:
            for codec in reversed(codecs):
                await codec.decode_failure(failure)

    return ChainCodec()


def own_sources() -> list[str]:
    """Files of the loaded modules that belong to the candidate: not the interpreter's, not installed
    packages, not this helper. Their content is the candidate's fingerprint."""
    outside = {os.path.realpath(p) for p in [sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()]}
    outside.add(os.path.realpath(site.getusersitepackages()))
    me = os.path.realpath(__file__)
    files: set[str] = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not os.path.isfile(path):
            continue
        real = os.path.realpath(path)
        if real == me or any(real.startswith(p + os.sep) for p in outside):
            continue
        files.add(real)
    return sorted(files)


def read_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes | None]) -> None:
    """stdin on a thread of its own: the replay keeps the event loop busy between lines."""
    for line in sys.stdin.buffer:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


async def serve(replayer: Replayer, registered: dict[str, type]) -> None:
    from temporalio.api.history.v1 import History
    from temporalio.client import WorkflowHistory

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()
    threading.Thread(target=read_lines, args=(loop, queue), daemon=True).start()
    fed: deque[int] = deque()

    async def histories() -> AsyncIterator[WorkflowHistory]:
        while True:
            line = await queue.get()
            if line is None:
                return
            if not line.strip():
                continue
            request = json.loads(line)
            item = request["id"]
            try:
                history = History.FromString(base64.b64decode(request["history"]))
                started = history.events[0].workflow_execution_started_event_attributes
                workflow_type = started.workflow_type.name
            except Exception as err:  # noqa: BLE001 - a damaged history is that history's verdict
                emit({"type": "result", "id": item, "error": {"name": "HistoryError", "message": f"cannot read the history: {err}"}})
                continue
            if workflow_type not in registered:
                emit(
                    {
                        "type": "result",
                        "id": item,
                        "error": {
                            "name": "MissingWorkflowType",
                            "message": f"workflow type {workflow_type} not found among the candidate's workflows ({', '.join(sorted(registered))})",
                        },
                    }
                )
                continue
            fed.append(item)
            yield WorkflowHistory(workflow_id=request["workflowId"], events=history.events)

    async with replayer.workflow_replay_iterator(histories()) as results:
        async for result in results:
            failure = result.replay_failure
            error = None if failure is None else {"name": type(failure).__name__, "message": str(failure)}
            emit({"type": "result", "id": fed.popleft(), "error": error})


def main() -> int:
    parser = argparse.ArgumentParser(prog="safe_deploy_replay", description=(__doc__ or "").split("\n\n")[0])  # no docstring under -OO
    parser.add_argument("--workflows", required=True)
    parser.add_argument("--codec")
    parser.add_argument("--payload-converter")
    parser.add_argument("--failure-converter")
    parser.add_argument("--describe", action="store_true")
    args = parser.parse_args()
    claim_stdout()
    # Ctrl-C reaches the whole process group; safe-deploy stops sending histories and closes stdin,
    # and the helper finishes the ones it has. Its own KeyboardInterrupt would lose them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID`: every thread's stack on stderr
    # Replay failures are reported as data; the SDK's own warnings about them would only be noise.
    logging.getLogger("temporalio").setLevel(logging.ERROR)
    try:
        import temporalio
        from temporalio.worker import Replayer
    except ImportError:
        emit({"type": "error", "message": f"temporalio is not installed in {sys.executable}", "hint": "pass --python PATH: the interpreter your workers run with"})
        return 2
    try:
        module_spec, names = split_spec(args.workflows)
        registered = workflow_classes(load_module(module_spec, "workflows module"), names)
        converter = data_converter(args)
    except CandidateError as err:
        emit({"type": "error", "message": str(err), "hint": err.hint})
        return 2
    emit(
        {
            "type": "ready",
            "temporalio": temporalio.__version__,
            "python": platform.python_version(),
            "executable": sys.executable,
            "workflows": {name: cls.__qualname__ for name, cls in registered.items()},
            "sources": own_sources(),
        }
    )
    if args.describe:
        return 0
    from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

    quiet = TelemetryConfig(logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR")))
    replayer = Replayer(workflows=list(registered.values()), runtime=Runtime(telemetry=quiet), data_converter=converter)
    asyncio.run(serve(replayer, registered))
    # Every verdict is out. Leave without interpreter finalization: tearing down the SDK's native
    # runtime at exit sometimes hangs (seen with temporalio 1.24.0), and nothing is left to clean up.
    _protocol.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
