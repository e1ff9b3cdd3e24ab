"""The workspace benchmark's scenarios: each page or fragment requested, by whom, and its baseline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from bench.atendimento_data import DataSet
from carinho.kit.clock import utcnow
from carinho.kit.ui.formatting import LOCAL_TZ


@dataclass
class Scenario:
    key: str
    label: str
    who: str  # "attendant" or "supervisor"
    url: str
    kind: str  # "inbox", "fragment", "conversation", "baseline"
    baseline: str | None = None  # key of the scenario it is compared with
    htmx: bool = False
    timings: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    statements: int = 0
    size: int = 0
    sql: list[tuple[str, Any]] = field(default_factory=list)


def scenarios(data: DataSet) -> list[Scenario]:
    """What is measured. Baselines first; each page names the baseline it is divided by."""
    name, phone, word = (quote(data.terms[k]) for k in ("name", "phone", "message"))
    long_id = data.long_conversation_id
    today_local = utcnow().astimezone(LOCAL_TZ).date()
    today, ninety_days_ago = today_local.isoformat(), (today_local - timedelta(days=89)).isoformat()
    return [
        Scenario(
            "api_att",
            "API: GET /api/conversations?limit=50",
            "attendant",
            "/api/conversations?limit=50",
            "baseline",
        ),
        Scenario(
            "api_sup",
            "API: GET /api/conversations?limit=50",
            "supervisor",
            "/api/conversations?limit=50",
            "baseline",
        ),
        Scenario(
            "api_msgs",
            "API: GET /api/conversations/{id}/messages (1,000)",
            "attendant",
            f"/api/conversations/{long_id}/messages",
            "baseline",
        ),
        Scenario(
            "plain", "plain page of the same layout (/conta/senha)", "attendant", "/conta/senha", "baseline"
        ),
        Scenario("att_mine", "inbox, minhas", "attendant", "/conversas?aba=minhas", "inbox", "api_att"),
        Scenario(
            "att_queue",
            "inbox, não atribuídas",
            "attendant",
            "/conversas?aba=nao-atribuidas",
            "inbox",
            "api_att",
        ),
        Scenario("att_all", "inbox, todas (the default view)", "attendant", "/conversas", "inbox", "api_att"),
        Scenario(
            "att_search",
            f"inbox, todas, search “{data.terms['name']}”",
            "attendant",
            f"/conversas?aba=todas&busca={name}",
            "inbox",
            "api_att",
        ),
        Scenario("sup_all", "inbox, todas", "supervisor", "/conversas?aba=todas", "inbox", "api_sup"),
        Scenario(
            "sup_all_any",
            "inbox, todas, every status (10,000)",
            "supervisor",
            "/conversas?aba=todas&status=todas",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_queue",
            "inbox, não atribuídas",
            "supervisor",
            "/conversas?aba=nao-atribuidas",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_search_active",
            f"inbox, todas, search “{data.terms['name']}”",
            "supervisor",
            f"/conversas?aba=todas&busca={name}",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_search",
            f"inbox, todas, every status, search “{data.terms['name']}”",
            "supervisor",
            f"/conversas?aba=todas&status=todas&busca={name}",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_search_phone",
            "inbox, todas, every status, search phone digits",
            "supervisor",
            f"/conversas?aba=todas&status=todas&busca={phone}",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_search_text",
            f"inbox, todas, every status, search “{data.terms['message']}”",
            "supervisor",
            f"/conversas?aba=todas&status=todas&busca={word}",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "att_fragment",
            "fragment refresh, minhas",
            "attendant",
            "/conversas/lista?aba=minhas",
            "fragment",
            "api_att",
            htmx=True,
        ),
        Scenario(
            "sup_fragment",
            "fragment refresh, todas",
            "supervisor",
            "/conversas/lista?aba=todas",
            "fragment",
            "api_sup",
            htmx=True,
        ),
        Scenario(
            "att_long",
            "conversation with 1,000 messages",
            "attendant",
            f"/conversas/{long_id}",
            "conversation",
            "api_msgs",
        ),
        Scenario(
            "att_typical",
            "conversation with a median history",
            "attendant",
            f"/conversas/{data.typical_conversation_id}",
            "conversation",
            "api_msgs",
        ),
        Scenario(
            "att_long_thread",
            "thread refresh, 1,000 messages",
            "attendant",
            f"/conversas/{long_id}/mensagens",
            "conversation_fragment",
            "api_msgs",
            htmx=True,
        ),
        Scenario(
            "att_panel",
            "side panel refresh (median conversation)",
            "attendant",
            f"/conversas/{data.typical_conversation_id}/painel",
            "conversation_fragment",
            "api_msgs",
            htmx=True,
        ),
        Scenario(
            "sup_long",
            "conversation with 1,000 messages",
            "supervisor",
            f"/conversas/{long_id}",
            "conversation",
            "api_msgs",
        ),
        # The supervisor's screens (issue 17): bench/run_supervision.py measures them (with surveys).
        Scenario("sup_dash", "Dashboard em tempo real", "supervisor", "/supervisao/dashboard", "supervision"),
        Scenario(
            "sup_dash_live",
            "dashboard, the live refresh (fragment)",
            "supervisor",
            "/supervisao/dashboard/dados",
            "supervision",
            htmx=True,
        ),
        Scenario(
            "sup_sla", "Painel de SLA (now + 30-day report)", "supervisor", "/supervisao/sla", "supervision"
        ),
        Scenario(
            "sup_sla_live",
            "SLA panel, the live refresh (fragment)",
            "supervisor",
            "/supervisao/sla/agora",
            "supervision",
            htmx=True,
        ),
        Scenario(
            "sup_sla_90d",
            "SLA report, 90 days per day and agent (fragment)",
            "supervisor",
            f"/supervisao/sla/relatorio?de={ninety_days_ago}&ate={today}&por=dia&grupo=atendente",
            "report",
            htmx=True,
        ),
        Scenario(
            "sup_nps_90d",
            "Satisfação (NPS), 90 days per week, by agent",
            "supervisor",
            f"/supervisao/satisfacao?de={ninety_days_ago}&ate={today}&serie=semana&por=atendente",
            "report",
        ),
        Scenario(
            "sup_funnel_90d",
            "Funil, 90 days (board, conversion, loss reasons)",
            "supervisor",
            f"/supervisao/funil?de={ninety_days_ago}&ate={today}",
            "report",
        ),
    ]
