"""Schemathesis over an app's OpenAPI document, sent through the in-process client.

Cases are generated first (hypothesis, bounded, derandomised) and then sent in the test's own event
loop; every response goes through all of schemathesis' checks (`--checks all`: no 5xx, a documented
status, content type, headers and body, invalid data refused, valid data accepted, auth enforced, ...).
Every test asserts on what `send_cases` returns: how many requests went out, and the failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES
from schemathesis.core import NOT_SET
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case

from tests.support.loop_bridge import LoopBridge

# Generated requests per operation and mode (valid, invalid). Every run sends each operation both
# kinds; CARINHO_FUZZ_EXAMPLES=25, say, for a nightly-size run.
EXAMPLES_PER_OPERATION = int(os.environ.get("CARINHO_FUZZ_EXAMPLES", "3"))

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())

# A request valid by the document may break a rule the document cannot state: our APIs answer that
# 400 (kit/openapi_responses.py), which positive_data_acceptance accepts beside its defaults (409,
# 404, ...); a 422 (the request does not have the documented shape) still fails it.
VALID_BUT_REFUSED = [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "400"]
# Where a field's own validation goes beyond what its schema says (a JMESPath spec must compile; an
# e-mail must not be at a special-use domain such as .test), a schema-valid request gets a 422 too.
REFUSED_BEYOND_SCHEMA = {
    "POST /api/agents": "422",
    "POST /api/mappings": "422",
    "POST /api/mappings/test": "422",
}
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {"positive_data_acceptance": {"expected-statuses": VALID_BUT_REFUSED}},
        "operations": [
            {
                "include-name": name,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*VALID_BUT_REFUSED, status]}},
            }
            for name, status in REFUSED_BEYOND_SCHEMA.items()
        ],
    }
)

# The checks that send requests of their own (ignored_auth sends each operation again without, then
# with wrong, credentials) send them through schemathesis' ASGI transport to this app, which hands
# them to the test's client on the test's event loop.
BRIDGE = LoopBridge()


def generate(operation: Any, mode: GenerationMode) -> list[Case]:
    cases: list[Case] = []

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: Case) -> None:
        cases.append(case)

    # Unsatisfiable: e.g. no invalid request exists for an operation without inputs.
    with contextlib.suppress(Unsatisfiable):
        collect()
    return cases


_generated: dict[str, list[Case]] = {}


def cases_for(document: dict[str, Any]) -> list[Case]:
    """Generated once per schema and run, and reused on every backend (generation is the slow part):
    in this process's memory, and across the run's pytest-xdist workers through `_shared_cases`."""
    fingerprint = json.dumps(document, sort_keys=True)
    if fingerprint not in _generated:
        schema = schemathesis.openapi.from_dict(document, config=CONFIG)
        schema.app = BRIDGE
        operations = [result.ok() for result in schema.get_all_operations()]

        def generate_all() -> list[Case]:
            return [
                case
                for operation in operations
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                for case in generate(operation, mode)
            ]

        run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
        _generated[fingerprint] = (
            _shared_cases(run, fingerprint, operations, generate_all) if run else generate_all()
        )
    return _generated[fingerprint]


# The cases of one run, shared by its xdist workers (each backend of a fuzz test may run on another
# worker): the first worker to need a document's cases generates them under a file lock and stores
# them; the others wait for it and load them: every backend gets the same cases, as in one process
# (generated on each worker they could differ a little: derandomised, but hypothesis also draws
# constants from the modules that worker has loaded). Kept per run, in the system's temporary folder;
# runs older than a day are removed.
SHARED_DIR = Path(tempfile.gettempdir()) / "carinho-fuzz-cases"


class _CasePickler(pickle.Pickler):
    """A case without its operation (which holds compiled validators): the operation is found again
    by label; schemathesis' NOT_SET sentinel stays the one object it is compared to with `is`."""

    def persistent_id(self, obj: Any) -> str | None:
        return "NOT_SET" if obj is NOT_SET else None


class _CaseUnpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        if pid == "NOT_SET":
            return NOT_SET
        raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")


# The metadata keeps hashes of the generated containers (to notice a hook changing them); hash() of
# a string differs between processes, so they are stored as "equal to the container's" and computed
# again where the case is loaded.
HASHES = ("_initial_hashes", "_last_validated_hashes")


def _case_state(case: Case) -> tuple[str, dict[str, Any], dict[str, set[Any]]]:
    state = {slot: getattr(case, slot) for slot in Case.__slots__ if slot != "operation"}
    unchanged: dict[str, set[Any]] = {name: set() for name in HASHES}
    if case._meta is not None:
        for name in HASHES:
            for location, value in getattr(case._meta, name).items():
                if value == case._hash_container(case.get_container(location)):
                    unchanged[name].add(location)
    return case.operation.label, state, unchanged


def _case_from(operation: Any, state: dict[str, Any], unchanged: dict[str, set[Any]]) -> Case:
    case = Case.__new__(Case)
    for slot, value in [("operation", operation), *state.items()]:
        object.__setattr__(case, slot, value)  # as stored: Case's own __setattr__ marks changes
    if case._meta is not None:
        for name in HASHES:
            hashes = getattr(case._meta, name)
            for location in unchanged[name]:
                hashes[location] = case._hash_container(case.get_container(location))
    return case


def _shared_cases(
    run: str, fingerprint: str, operations: list[Any], generate_all: Callable[[], list[Case]]
) -> list[Case]:
    key = f"{fingerprint}|{EXAMPLES_PER_OPERATION}|{hypothesis.__version__}|{schemathesis.__version__}"
    folder = SHARED_DIR / run
    if not folder.exists():
        _forget_old_runs()
        folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{hashlib.sha256(key.encode()).hexdigest()}.pickle"
    with (folder / f"{stored.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if stored.exists():
            by_label = {operation.label: operation for operation in operations}
            with stored.open("rb") as file:
                states = _CaseUnpickler(file).load()
            return [_case_from(by_label[label], state, unchanged) for label, state, unchanged in states]
        cases = generate_all()
        written = stored.with_suffix(".part")
        with written.open("wb") as file:
            _CasePickler(file).dump([_case_state(case) for case in cases])
        written.replace(stored)
        return cases


def _forget_old_runs() -> None:
    if not SHARED_DIR.exists():
        return
    for old in SHARED_DIR.iterdir():
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > 86_400:
                shutil.rmtree(old)


def as_httpx(case: Case, base_url: str, headers: dict[str, str]) -> dict[str, Any]:
    kwargs = case.as_transport_kwargs(base_url=base_url, headers=headers)
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": {k: str(v) for k, v in (kwargs.get("headers") or {}).items()},
        "params": kwargs.get("params"),
    }
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        request["content"] = data if isinstance(data, bytes | str) else str(data)
    return request


def credentials_for(case: Case, headers: dict[str, str]) -> dict[str, str]:
    """The caller's headers, less those the case leaves out on purpose: a negative case may drop a
    required header (the API key's), and sending it anyway would make the request valid again."""
    mutations = getattr(case.meta.phase.data, "mutations", ()) if case.meta else ()
    dropped = {
        m.parameter.lower()
        for m in mutations
        if m.parameter_location is ParameterLocation.HEADER and "required" in m.keywords and m.parameter
    }
    return {name: value for name, value in headers.items() if name.lower() not in dropped}


def check(case: Case, response: httpx.Response, headers: dict[str, str]) -> list[str]:
    """Every schemathesis check on one response; the failures, one line each."""
    try:
        case.validate_response(
            response, checks=ALL_CHECKS, headers=headers, transport_kwargs={"headers": headers}
        )
    except FailureGroup as group:
        request = response.request
        return [
            f"{type(failure).__name__}: {response.status_code} <- {request.method} {request.url}"
            f" {request.content[:300]!r} | {failure.message.splitlines()[0] if failure.message else ''}"
            f" | answer: {response.text[:300]}"
            for failure in group.exceptions
        ]
    return []


async def send_cases(
    client: httpx.AsyncClient,
    document: dict[str, Any],
    headers: dict[str, str],
    *,
    prepare: Callable[[Case, int], None] | None = None,
) -> tuple[int, list[str]]:
    """Send every generated case of `document` (after `prepare(case, sent_so_far)`, if given) and run
    every check on its response; returns (requests sent, failures)."""
    failures: list[str] = []
    sent = 0
    BRIDGE.target(client, asyncio.get_running_loop())
    for case in cases_for(document):
        if prepare is not None:
            prepare(case, sent)
        sent_headers = credentials_for(case, headers)
        try:
            response = await client.request(**as_httpx(case, str(client.base_url).rstrip("/"), sent_headers))
        except (httpx.InvalidURL, UnicodeEncodeError):
            continue  # not representable as an HTTP request at all
        except Exception as exc:  # the app raised: it answered 500
            failures.append(f"{type(exc).__name__}: {exc} <- {case.as_curl_command()}")
            continue
        sent += 1
        # In a thread: a check that sends a request waits for it while this loop serves it.
        failures += await asyncio.to_thread(check, case, response, sent_headers)
    return sent, failures
