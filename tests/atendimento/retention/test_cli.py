"""`carinho privacy export|erase|run` as an operator uses them, against a SQLite data directory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from carinho import runtime
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.models import Contact, Conversation, Message
from carinho.atendimento.retention.models import PrivacyRequest
from carinho.atendimento.retention.scrubbing import ERASURE_MARKER
from carinho.config import Settings
from carinho.runtime import Runtime
from tests.support.processes import ROOT, carinho_env

PHONE = "5511977770001"


def carinho(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carinho", *args],
        cwd=ROOT,
        env=carinho_env(carinho_data_dir=tmp_path, carinho_log_level="WARNING"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


async def a_person(rt: Runtime) -> tuple[int, int]:
    async with rt.db("atendimento").session() as session:
        contact = Contact(phone=PHONE, name="Ana Lima", email="ana@example.com")
        session.add(contact)
        await session.flush()
        conversation = Conversation(contact_id=contact.id, status="resolved")
        session.add(conversation)
        await session.flush()
        for text in ("Meu pai caiu ontem", "Ele toma insulina"):
            session.add(
                Message(
                    conversation_id=conversation.id,
                    direction="inbound",
                    sender_type="contact",
                    content=text,
                    delivery_status="received",
                )
            )
        await session.commit()
        return contact.id, conversation.id


async def test_export_erase_and_run_from_the_command_line(tmp_path: Path) -> None:
    assert carinho(tmp_path, "migrate").returncode == 0
    rt = runtime.configure(Settings(_env_file=None, carinho_data_dir=tmp_path))  # type: ignore[call-arg]
    try:
        contact_id, conversation_id = await a_person(rt)

        out = tmp_path / "ana.json"
        exported = carinho(tmp_path, "privacy", "export", "--phone", "(11) 97777-0001", "--out", str(out))
        assert exported.returncode == 0, exported.stderr
        assert "written to" in exported.stderr
        assert out.stat().st_mode & 0o077 == 0  # personal data: the owner only
        data = json.loads(out.read_text(encoding="utf-8"))
        [contact] = data["contacts"]
        assert (contact["phone"], contact["name"]) == (PHONE, "Ana Lima")
        assert [m["text"] for m in contact["conversations"][0]["messages"]] == [
            "Meu pai caiu ontem",
            "Ele toma insulina",
        ]
        to_stdout = carinho(tmp_path, "privacy", "export", "--email", "ana@example.com")
        assert json.loads(to_stdout.stdout)["contacts"][0]["id"] == contact_id

        unconfirmed = carinho(tmp_path, "privacy", "erase", "--phone", PHONE, "--reason", "pedido")
        assert unconfirmed.returncode == 1  # no terminal to confirm on: nothing is erased
        invalid = carinho(tmp_path, "privacy", "erase", "--phone", "12", "--reason", "pedido", "--yes")
        assert invalid.returncode == 1 and "Telefone inválido" in invalid.stderr
        async with rt.db("atendimento").session() as session:
            assert (await session.get(Contact, contact_id)).phone == PHONE  # type: ignore[union-attr]

        erased = carinho(
            tmp_path, "privacy", "erase", "--phone", PHONE, "--reason", "Pedido por e-mail", "--yes"
        )
        assert erased.returncode == 0, erased.stderr
        assert "completed" in erased.stdout
        async with rt.db("atendimento").session() as session:
            contact_row = await session.get(Contact, contact_id)
            assert contact_row is not None and contact_row.phone == f"anon-{contact_id}"
            texts = (
                await session.execute(
                    select(Message.content).where(Message.conversation_id == conversation_id)
                )
            ).scalars()
            assert set(texts) == {ERASURE_MARKER}
            requests = (
                (await session.execute(select(PrivacyRequest).order_by(PrivacyRequest.id))).scalars().all()
            )
            assert [(r.kind, r.requester_type) for r in requests] == [
                ("export", "cli"),
                ("export", "cli"),
                ("erase", "cli"),
            ]
            assert requests[0].export_data is None  # discarded by the erasure
            entries = (
                await session.execute(
                    select(HistoryEntry).where(
                        HistoryEntry.action.in_([Action.data_exported, Action.data_erased])
                    )
                )
            ).scalars()
            assert {(e.action, e.actor_name) for e in entries} == {
                (Action.data_exported, "cli"),
                (Action.data_erased, "cli"),
            }

        ran = carinho(tmp_path, "privacy", "run", "--batch-size", "1")
        assert ran.returncode == 0, ran.stderr
        summary = json.loads(ran.stdout)
        assert set(summary["counts"]) == {"message_text", "attachments", "contact_data", "audit_trail"}
        async with rt.db("atendimento").session() as session:
            conversation = await session.get(Conversation, conversation_id)
            assert conversation is not None and conversation.status == "resolved"
    finally:
        await rt.db("atendimento").dispose()
        await rt.db("integracoes").dispose()
