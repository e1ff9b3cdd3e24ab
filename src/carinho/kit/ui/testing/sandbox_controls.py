"""The sandbox's controls a test or a demo uses (`/_sandbox/...`): the customer's phone, the faults a
simulated system injects, and the platform's clock. A base of `platform.Platform`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from carinho.kit.ui.testing.startup import check_answer, phone_digits


class SandboxControls:
    _http: httpx.Client

    @property
    def sandbox_url(self) -> str:
        raise NotImplementedError

    def phone_sends(
        self,
        phone: str,
        text: str | None = None,
        *,
        sender_name: str = "Cliente",
        media: str | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """The customer's phone sends a WhatsApp message — text, or `media` ("image", "document",
        "audio") with an optional caption; the simulated Z-API posts its callback to the hub."""
        body: dict[str, Any] = {"phone": phone, "sender_name": sender_name, "text": text}
        if media:
            body.update(media=media, caption=caption)
        answer = self._http.post(f"{self.sandbox_url}/_sandbox/zapi/phone/messages", json=body)
        check_answer(answer, "the sandbox phone")
        result: dict[str, Any] = answer.json()
        return result

    def phone_received(self, phone: str) -> list[dict[str, Any]]:
        """Every message the platform sent to this phone through the simulated Z-API, oldest first
        (each with `body`, `status`: PENDING/SENT/RECEIVED/READ/FAILED...)."""
        answer = self._http.get(
            f"{self.sandbox_url}/_sandbox/zapi/messages", params={"phone": phone_digits(phone)}
        )
        check_answer(answer, "the sandbox's sent messages")
        result: list[dict[str, Any]] = answer.json()
        return result

    def faults(self, system: str, **settings: Any) -> dict[str, Any]:
        """Set the faults a simulated system injects next (`fail_next=3, fail_status=503`, `down=True`,
        `fail_next=0` to stop failing; see `carinho.sandbox.faults.FaultSettings`)."""
        answer = self._http.put(f"{self.sandbox_url}/_sandbox/{system}/faults", json=settings)
        check_answer(answer, f"the sandbox's {system} faults")
        result: dict[str, Any] = answer.json()
        return result

    def clock_now(self) -> datetime:
        answer = self._http.get(f"{self.sandbox_url}/_sandbox/clock")
        check_answer(answer, "the sandbox clock")
        return datetime.fromisoformat(answer.json()["now"])

    def set_clock(self, instant: datetime) -> datetime:
        return self._move({"now": instant.astimezone(UTC).isoformat()})

    def move_clock(self, *, minutes: float) -> datetime:
        """Shift the platform's clock (business hours, SLA, delayed jobs, session expiry)."""
        return self._move({"advance_minutes": minutes})

    def reset_clock(self) -> datetime:
        answer = self._http.delete(f"{self.sandbox_url}/_sandbox/clock")
        check_answer(answer, "the sandbox clock")
        return datetime.fromisoformat(answer.json()["now"])

    def _move(self, body: dict[str, Any]) -> datetime:
        answer = self._http.put(f"{self.sandbox_url}/_sandbox/clock", json=body)
        check_answer(answer, "the sandbox clock")
        return datetime.fromisoformat(answer.json()["now"])
