"""A send failure's reason as an attendant reads it: WhatsApp's known answers in Portuguese."""

from __future__ import annotations

import pytest

from carinho.atendimento.inbox.failures import explain_failure


@pytest.mark.parametrize(
    ("reason", "explained"),
    [
        ("Phone number does not exist", "Este número não tem WhatsApp."),
        ("tentativa 2 falhou: Z-API timed out", "O serviço de WhatsApp não respondeu a tempo."),
        ("instance disconnected", "O WhatsApp da empresa está desconectado."),
        (
            "You need to have an active subscription",
            "A assinatura do serviço de WhatsApp (Z-API) está inativa.",
        ),
        (None, "O WhatsApp não confirmou o envio."),
        ("Mensagem recusada pelo destinatário", "Mensagem recusada pelo destinatário"),  # ours: as is
    ],
)
def test_known_reasons_are_explained_and_others_kept(reason: str | None, explained: str) -> None:
    assert explain_failure(reason) == explained
