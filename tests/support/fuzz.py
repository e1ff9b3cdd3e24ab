"""Schemathesis over an app's OpenAPI document, sent through the in-process client.

Cases are generated first (hypothesis, bounded, derandomised) and then sent in the test's own event
loop; every test asserts on what `send_cases` returns: how many requests went out, and the failures
(any 5xx, or the app raising).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case

# Generated requests per operation and mode (valid, invalid). Every run sends each operation both
# kinds; CARINHO_FUZZ_EXAMPLES=25, say, for a nightly-size run.
EXAMPLES_PER_OPERATION = int(os.environ.get("CARINHO_FUZZ_EXAMPLES", "3"))


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
    """Generated once per schema and reused on every backend (generation is the slow part)."""
    fingerprint = json.dumps(document, sort_keys=True)
    if fingerprint not in _generated:
        schema = schemathesis.openapi.from_dict(document)
        _generated[fingerprint] = [
            case
            for result in schema.get_all_operations()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            for case in generate(result.ok(), mode)
        ]
    return _generated[fingerprint]


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


async def send_cases(
    client: httpx.AsyncClient,
    document: dict[str, Any],
    headers: dict[str, str],
    *,
    prepare: Callable[[Case, int], None] | None = None,
) -> tuple[int, list[str]]:
    """Send every generated case of `document` (after `prepare(case, sent_so_far)`, if given);
    returns (requests sent, failures)."""
    failures: list[str] = []
    sent = 0
    for case in cases_for(document):
        if prepare is not None:
            prepare(case, sent)
        try:
            response = await client.request(**as_httpx(case, str(client.base_url).rstrip("/"), headers))
        except (httpx.InvalidURL, UnicodeEncodeError):
            continue  # not representable as an HTTP request at all
        except Exception as exc:  # the app raised: it answered 500
            failures.append(f"{type(exc).__name__}: {exc} <- {case.as_curl_command()}")
            continue
        sent += 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {case.as_curl_command()}")
    return sent, failures
