"""The documentos client against its simulator (docs/contratos/documentos.md)."""

from __future__ import annotations

from datetime import date

from carinho.connectors.documentos import DocumentosClient
from carinho.connectors.documentos.schemas import ContractDocumentInput, ProposalInput
from tests.sandbox.harness import RunningSandbox


async def test_proposal_and_contract_with_their_pdfs(sandbox: RunningSandbox) -> None:
    async with DocumentosClient(sandbox.settings) as documentos:
        proposal = await documentos.create_proposal(
            ProposalInput(
                client_name="Helena Prado", service_type="cuidador_diurno", monthly_amount_cents=480000
            )
        )
        assert proposal.kind == "proposta" and proposal.number.startswith("PROP-")
        assert (await documentos.get_proposal(proposal.id)).number == proposal.number
        pdf = await documentos.proposal_pdf(proposal.id)
        assert pdf.startswith(b"%PDF-") and b"Helena Prado" in pdf

        contract = await documentos.create_contract(
            ContractDocumentInput(
                crm_contract_id=5,
                crm_client_id=5,
                client_name="Helena Prado",
                service_type="cuidador_diurno",
                start_date=date(2026, 12, 1),
                monthly_amount_cents=480000,
            )
        )
        assert contract.status == "aguardando_assinatura" and contract.signature_url
        assert (await documentos.get_contract(contract.id)).id == contract.id
        assert (await documentos.contract_pdf(contract.id)).startswith(b"%PDF-")
