"""The baseline of the ingest benchmark: a bare FastAPI endpoint that reads the body and answers 202."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.post("/webhooks/site/lead")
async def accept(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"event_id": 0, "status": "received", "duplicate": False}, status_code=202)
