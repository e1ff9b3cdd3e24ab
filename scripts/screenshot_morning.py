"""The demo morning the screenshots show: families writing on WhatsApp (an emergency, a send that
fails, a detractor's answer), an N1 and an N2 attendant and a supervisor at work, conversations
along the funnel, an escalation, and the hub's side (a failing endpoint, syncs run). Built through
what a user has: the platform's JSON APIs and the sandbox (`carinho.kit.ui.testing`)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from carinho.kit.ui.testing.platform import Platform
from carinho.kit.ui.testing.startup import Account, eventually

FAMILIES = {  # key: (name on WhatsApp, phone)
    "rosa": ("Rosa Maria Ferreira", "11987654321"),
    "francisca": ("Francisca Rodrigues", "11955550101"),
    "jorge": ("Jorge Almeida", "11976543210"),
    "primavera": ("Residencial Primavera", "11955550000"),  # ends in 0000: no WhatsApp, sends fail
    "renato": ("Renato Figueiredo", "11991234567"),
    "carlos": ("Carlos Menezes", "11955554444"),
    "patricia": ("Patrícia Gomes", "11961234567"),
    "helena": ("Helena Prado", "11948765432"),
    "otavio": ("Otávio Brandão", "11962223344"),
}


@dataclass
class Day:
    """Who works and who wrote on the demo morning (conversation ids as the platform gave them)."""

    ana: Account  # N1 attendant: every new conversation goes to her
    bruno: Account  # N2 attendant
    sofia: Account  # supervisor
    paula: Account  # N1 on a break: her inbox is empty
    operator: Account  # the hub console's first operator
    admin: Account  # atendimento's first administrator
    conversations: dict[str, int] = field(default_factory=dict)
    hub: dict[str, int] = field(default_factory=dict)  # event and DLQ ids the console's shots open
    incidents: dict[str, int] = field(default_factory=dict)  # the emergency the supervisor's shots open

    def conversation(self, key: str) -> int:
        return self.conversations[key]


class Morning:
    """The morning's events, through the sandbox phone and the JSON API (as Ana unless said)."""

    def __init__(self, platform: Platform, day: Day) -> None:
        self.platform = platform
        self.day = day

    def _path(self, key: str, tail: str) -> str:
        return f"/api/conversations/{self.day.conversation(key)}/{tail}"

    def writes(self, key: str, *texts: str, media: str | None = None, caption: str | None = None) -> None:
        """Messages from the family's phone, each stored by atendimento before the next is sent."""
        name, phone = FAMILIES[key]
        send = self.platform.phone_sends_and_waits
        for text in texts:
            conversation = send(phone, text, sender_name=name)
        if media:
            conversation = send(phone, sender_name=name, media=media, caption=caption)
        self.day.conversations[key] = conversation["id"]

    def replies(self, key: str, text: str) -> None:
        self.platform.api("POST", self._path(key, "messages"), json={"text": text}, as_=self.day.ana)

    def notes(self, key: str, text: str) -> None:
        self.platform.api("POST", self._path(key, "notes"), json={"text": text}, as_=self.day.ana)

    def labels(self, key: str, *names: str) -> None:
        known = {label["name"]: label["id"] for label in self.platform.api("GET", "/api/labels")}
        for name in names:
            if name in known:
                self.platform.api(
                    "POST", self._path(key, "labels"), json={"label_id": known[name]}, as_=self.day.ana
                )

    def funnel(self, key: str, *stages: str) -> None:
        """Move along `stages`, from after the stage it is in (a reply already moves a new lead on)."""
        current = self.platform.api("GET", f"/api/conversations/{self.day.conversation(key)}")["funnel_stage"]
        if current in stages:
            stages = stages[stages.index(current) + 1 :]
        for stage in stages:
            self.platform.api("POST", self._path(key, "funnel"), json={"stage": stage}, as_=self.day.ana)

    def loses(self, key: str, reason_code: str, note: str) -> None:
        reasons = self.platform.api("GET", "/api/loss-reasons", as_=self.day.ana)
        reason_id = next(r["id"] for r in reasons if r["code"] == reason_code)
        body = {"stage": "lost", "loss_reason_id": reason_id, "note": note}
        self.platform.api("POST", self._path(key, "funnel"), json=body, as_=self.day.ana)

    def escalates(self, key: str, level: str, reason: str) -> None:
        body = {"to_level": level, "reason": reason}
        self.platform.api("POST", self._path(key, "escalate"), json=body, as_=self.day.ana)


def realistic_morning(platform: Platform) -> Day:
    day = Day(
        ana=platform.create_agent("Ana Lima", "ana@carinho.com.vc", level="N1", capacity=30),
        bruno=platform.create_agent("Bruno Reis", "bruno@carinho.com.vc", level="N2"),
        sofia=platform.create_agent(
            "Sofia Martins", "sofia@carinho.com.vc", level="N2", role="supervisor", available=False
        ),
        paula=platform.create_agent("Paula Nunes", "paula@carinho.com.vc", level="N1", available=False),
        operator=platform.console_admin,
        admin=platform.admin,
    )
    m = Morning(platform, day)
    hub_subscriber(platform)

    # 10:00 — the first families write; Ana answers, qualifies, sends a proposal.
    m.writes("rosa", "Olá! Vocês têm cuidadora para minha mãe? Ela tem 82 anos e mora em Moema.")
    m.writes("francisca", "Bom dia! Preciso de um orçamento de cuidadora 12 horas, de segunda a sexta.")
    m.writes("jorge", "Bom dia. Meu pai teve alta do hospital ontem e precisa de acompanhamento à noite.")
    m.replies("rosa", "Olá, Rosa! Temos sim. Sua mãe precisa de ajuda com banho, alimentação ou medicação?")
    m.writes(
        "rosa",
        "Com tudo um pouco. Ela usa andador e toma remédio às 8h e às 20h.",
        "Seria de segunda a sábado, das 8h às 20h.",
        media="document",
        caption="A receita dos remédios",
    )
    m.replies(
        "rosa", "Perfeito! Vou preparar a proposta com uma cuidadora experiente em mobilidade reduzida."
    )
    m.notes("rosa", "Família prefere cuidadora que more perto de Moema. Ligar depois das 14h.")
    m.labels("rosa", "Novo cliente")
    m.funnel("rosa", "in_service", "qualified")
    m.replies(
        "francisca", "Bom dia, Francisca! Enviei a proposta para o seu e-mail. Qualquer dúvida, é só chamar."
    )
    m.funnel("francisca", "in_service", "qualified", "proposal_sent")

    # A family that found it too expensive: lost, with its reason (the Funil's loss reasons).
    m.writes("otavio", "Qual o valor de uma cuidadora 24 horas?")
    m.replies("otavio", "Olá, Otávio! Para 24 horas a diária fica em R$ 480. Posso enviar a proposta?")
    m.writes("otavio", "Ficou acima do que podemos pagar agora, obrigado.")
    m.loses("otavio", "preco", "Achou caro; pediu retorno em março.")
    m.platform.api(
        "PATCH", f"/api/conversations/{day.conversation('otavio')}", json={"status": "resolved"}, as_=day.ana
    )

    # A number without WhatsApp: the reply fails, with the reason and "Reenviar".
    m.writes("primavera", "Vocês fazem plantão de fim de semana em casa de repouso?")
    m.replies("primavera", "Fazemos sim! Posso passar os valores por aqui?")

    # A cancellation: Ana escalates it to the N2 (Bruno).
    m.writes("renato", "Quero cancelar o contrato e pedir o reembolso da última fatura.")
    m.escalates("renato", "N2", "Pedido de cancelamento e reembolso: precisa do N2.")

    # An emergency: operação is called at once; the banner waits for someone to acknowledge it.
    m.writes("carlos", "Minha mãe caiu e não está respondendo")

    # 50 minutes later the first families are still waiting (SLA at risk), and more write.
    platform.move_clock(minutes=50)
    m.writes("patricia", "Oi! Vocês atendem em Santo André? Minha tia precisa de ajuda com o banho.")
    m.writes("helena", "Boa tarde, gostaria de saber o valor da diária de uma acompanhante hospitalar.")

    carlos = day.conversation("carlos")
    emergency = platform.api("GET", f"/api/conversations/{carlos}/incidents", as_=day.sofia)
    day.incidents["carlos"] = emergency[0]["id"]
    _detractor_answers(platform, m)
    _wait_for_failed_send(platform, day)
    _wait_for_sla_monitor(platform)
    _hub_failures(platform, day)
    hub_morning(platform)
    return day


def _hub_failures(platform: Platform, day: Day) -> None:
    """The console's content: a lead from the site while the CRM refuses it (its step in the DLQ),
    and the event of Rosa's first message."""
    platform.faults("crm", fail_next=1000, fail_status=422, fail_body={"message": "origem: valor inválido"})
    try:
        created = platform.hub_api(
            "POST",
            "/api/events",
            json={
                "source": "site",
                "type": "lead.created",
                "payload": {
                    "name": "Marcos Tavares",
                    "phone": "(11) 97777-1234",
                    "email": "marcos.tavares@example.com.br",
                    "utm_source": "google",
                },
            },
        )
        event_id = int(created["event_id"])
        eventually(
            lambda: platform.hub_api("GET", f"/api/events/{event_id}")["status"] == "dead",
            timeout=30,
            what="the lead refused by the CRM in the DLQ",
        )
    finally:
        platform.faults("crm", fail_next=0)
    day.hub["failed_event"] = event_id
    day.hub["dlq_item"] = platform.hub_api("GET", "/api/dlq", params={"event_id": event_id})["items"][0]["id"]
    rosa = platform.hub_api(
        "GET", "/api/events", params={"contact": FAMILIES["rosa"][1], "type": "whatsapp.message.received"}
    )
    day.hub["whatsapp_event"] = rosa["items"][-1]["id"]


def hub_subscriber(platform: Platform) -> None:
    """An outbound endpoint subscribed to the WhatsApp messages, whose URL answers 404: its deliveries
    fail and wait for their retries (what the console's Endpoints page shows)."""
    platform.hub_api(
        "POST",
        "/api/endpoints",
        json={
            "url": f"{platform.sandbox_url}/_sandbox/webhooks/painel-bi",
            "target_system": "marketing",
            "event_types": ["whatsapp.message.received"],
            "description": "Painel de BI do marketing (fora do ar)",
        },
    )


def hub_morning(platform: Platform) -> None:
    """The hub's side of the morning: two syncs run from the API."""
    for name in ("crm_operacao_contracts", "cuidadores_crm_caregivers"):
        platform.hub_api("POST", "/api/sync/start", json={"sync": name})

    def synced() -> bool:
        runs = platform.hub_api("GET", "/api/sync/jobs")["items"]
        return bool(runs) and all(run["status"] not in ("queued", "running") for run in runs)

    try:
        eventually(synced, timeout=60, what="the syncs started from the API to finish")
    except AssertionError as exc:
        print(f"warning: {exc}", file=sys.stderr)


def _detractor_answers(platform: Platform, m: Morning) -> None:
    """Otávio's satisfaction survey (sent after his conversation was resolved): a 4 and a comment —
    a detractor, so a supervisor's follow-up (the Satisfação page)."""
    url = f"/api/satisfaction/conversations/{m.day.conversation('otavio')}/surveys"

    def sent() -> bool:
        return any(s["status"] == "sent" for s in platform.api("GET", url))

    try:
        eventually(sent, timeout=60, what="the satisfaction survey to Otávio")
        m.writes("otavio", "4")
        m.writes("otavio", "O valor é alto e demoraram para responder no começo.")
    except AssertionError as exc:
        print(f"warning: {exc}", file=sys.stderr)


def _wait_for_failed_send(platform: Platform, day: Day) -> None:
    def failed() -> bool:
        messages = platform.api("GET", f"/api/conversations/{day.conversation('primavera')}/messages")
        return any(m.get("delivery_status") == "failed" for m in messages)

    try:
        eventually(failed, timeout=60, what="the send to a number without WhatsApp to fail")
    except AssertionError as exc:
        print(f"warning: {exc}", file=sys.stderr)


def _wait_for_sla_monitor(platform: Platform) -> None:
    """The SLA monitor runs once a minute of real time: wait for it to see the first families late."""
    try:
        eventually(
            lambda: platform.api("GET", "/api/sla/conversations", params={"status": "at_risk"}),
            timeout=90,
            what="the SLA monitor to mark the first conversations at risk",
        )
    except AssertionError as exc:
        print(f"warning: {exc}", file=sys.stderr)
