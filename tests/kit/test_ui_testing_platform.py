"""The pure parts of the browser-test platform helper (the rest runs in tests/browser)."""

from __future__ import annotations

from datetime import UTC, datetime

from carinho.kit.ui.testing.startup import (
    SAO_PAULO,
    FirstStart,
    Ports,
    business_morning,
    parse_credentials,
)

FIRST_START = """
Carinho platform is up (embedded default)
  integracoes  http://127.0.0.1:27101   (API docs: /docs)
  atendimento  http://127.0.0.1:27102
  sandbox      http://127.0.0.1:27103   (SMTP :27104)
  data         /tmp/bt/d1

Created on this start (shown only once, keep them safe):
  Hub API key (X-API-Key):      ck_a75832d6c317_BlzVCYgDKYT2W9i9YWo2i6SotwCLUdNvBd_kmNwfV-A
  atendimento admin login:      admin@carinho.com.vc
  atendimento admin senha:      oZaksnXcodXfvMuR
  hub console admin login:      admin@carinho.com.vc
  hub console admin senha:      Q2kv8pLmZx7YtR4w
  ZAPI_WEBHOOK_SECRET=6ARkk7DP3c43KiZCRK6Y4pZbsH4SBnJJ
Press Ctrl-C to stop.
"""


def test_the_credentials_printed_on_the_first_start_are_read() -> None:
    printed = parse_credentials(FIRST_START)

    assert printed.api_key == "ck_a75832d6c317_BlzVCYgDKYT2W9i9YWo2i6SotwCLUdNvBd_kmNwfV-A"
    assert printed.admin is not None and printed.console_admin is not None
    assert (printed.admin.email, printed.admin.password) == ("admin@carinho.com.vc", "oZaksnXcodXfvMuR")
    assert printed.console_admin.password == "Q2kv8pLmZx7YtR4w"


def test_a_later_start_prints_no_credentials() -> None:
    later = FIRST_START.split("Created on this start")[0] + "Press Ctrl-C to stop.\n"
    assert parse_credentials(later) == FirstStart()


def test_the_business_morning_is_a_tuesday_at_ten_in_sao_paulo_skipping_holidays() -> None:
    # Monday 16 November 2026: Tuesday the 17th is a plain working day.
    morning = business_morning(datetime(2026, 11, 16, 15, 0, tzinfo=UTC)).astimezone(SAO_PAULO)
    assert (morning.date().isoformat(), morning.hour, morning.minute) == ("2026-11-17", 10, 0)
    # 25 December 2029 and 1 January 2030 are Tuesdays and holidays: the morning is the 8th.
    morning = business_morning(datetime(2029, 12, 24, 15, 0, tzinfo=UTC)).astimezone(SAO_PAULO)
    assert morning.date().isoformat() == "2030-01-08"


def test_ports_are_four_distinct_ones_even_if_the_picker_repeats() -> None:
    offered = iter([20001, 20001, 20002, 20003, 20002, 20004])
    ports = Ports.pick(lambda: next(offered))

    assert ports == Ports(20001, 20002, 20003, 20004)
    assert ports.env()["SANDBOX_SMTP_PORT"] == "20004"
