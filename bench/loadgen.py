"""Open-loop load generator: sends pre-signed requests at a fixed rate over keep-alive connections and
measures each latency from its *scheduled* send time (no coordinated omission).

Usage: python bench/loadgen.py HOST PORT REQUESTS_FILE RATE SECONDS OFFSET
Prints one JSON line: sent, ok (2xx), errors, p50/p90/p99/max latency in ms, achieved rate, and the
wall-clock time the first request was scheduled for (`start_epoch`; request i is due i/RATE later).
`build_requests` also signs for other paths (bench/run_e2e.py posts Z-API callbacks with `X-Signature`).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

PATH = b"/webhooks/site/lead"
MAX_CONNECTIONS = 256


def build_requests(
    path: str,
    host: str,
    offset: int,
    count: int,
    target: bytes = PATH,
    signature_header: bytes = b"Signature",
) -> list[bytes]:
    out: list[bytes] = []
    with open(path, "rb") as source:
        for n, line in enumerate(source):
            if n < offset:
                continue
            if len(out) >= count:
                break
            signature, body = line.rstrip(b"\n").split(b" ", 1)
            out.append(
                b"POST " + target + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
                b"Content-Type: application/json\r\n" + signature_header + b": " + signature + b"\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
    if len(out) < count:
        raise SystemExit(f"only {len(out)} requests available after offset {offset}; need {count}")
    return out


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def run(host: str, port: int, requests: list[bytes], rate: float) -> dict[str, float]:
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    tasks: set[asyncio.Task[None]] = set()

    opened = 0
    freed = asyncio.Condition()

    async def connection_for() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        nonlocal opened
        async with freed:
            while not idle and opened >= MAX_CONNECTIONS:
                await freed.wait()  # the wait counts in the latency: it is measured from `scheduled`
            while idle:
                reader, writer = idle.pop()
                if not reader.at_eof():
                    return reader, writer
                # The server closed it while idle (uvicorn's keep-alive timeout): as HTTP clients do,
                # open another rather than send into a closed connection.
                writer.close()
                opened -= 1
            opened += 1
        return await asyncio.open_connection(host, port)

    async def release(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
        nonlocal opened
        async with freed:
            if connection is None:
                opened -= 1
            else:
                idle.append(connection)
            freed.notify()

    async def send(payload: bytes, scheduled: float) -> None:
        nonlocal errors
        try:
            connection = await connection_for()
        except OSError:
            errors += 1
            await release(None)
            return
        reader, writer = connection
        try:
            writer.write(payload)
            status = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
            writer.close()
            await release(None)
            return
        latencies.append(time.perf_counter() - scheduled)
        statuses[status] = statuses.get(status, 0) + 1
        await release(connection)

    # perf_counter, not loop.time(): uvloop's loop clock has a 1 ms resolution.
    interval = 1.0 / rate
    start = time.perf_counter() + 0.05
    start_epoch = time.time() + 0.05
    for index, payload in enumerate(requests):
        scheduled = start + index * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.ensure_future(send(payload, scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    for _, writer in idle:
        writer.close()
    latencies.sort()

    def pct(p: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else -1
        )

    ok = sum(count for status, count in statuses.items() if 200 <= status < 300)
    return {
        "sent": len(requests),
        "ok": ok,
        "errors": len(requests) - ok,
        "statuses": statuses,  # type: ignore[dict-item]
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else -1,
        "achieved_rps": round(len(latencies) / elapsed, 1),
        "start_epoch": start_epoch,
    }


def main() -> None:
    host, port, path, rate, seconds, offset = sys.argv[1:7]
    count = int(float(rate) * float(seconds))
    requests = build_requests(path, host, int(offset), count)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    started = time.perf_counter()
    result = asyncio.run(run(host, int(port), requests, float(rate)))
    result["wall_s"] = round(time.perf_counter() - started, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
