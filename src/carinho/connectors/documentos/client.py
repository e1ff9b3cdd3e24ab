"""Documentos client: proposals and contracts, and their PDFs (docs/contratos/documentos.md)."""

from __future__ import annotations

from carinho.connectors.base import SystemClient
from carinho.connectors.documentos.schemas import ContractDocumentInput, Document, ProposalInput


class DocumentosClient(SystemClient):
    system = "documentos"

    async def create_proposal(
        self, proposal: ProposalInput, *, idempotency_key: str | None = None
    ) -> Document:
        return Document.model_validate(
            await self._write("POST", "/proposals", proposal, idempotency_key=idempotency_key)
        )

    async def get_proposal(self, proposal_id: int | str) -> Document:
        return await self._get_one(f"/proposals/{proposal_id}", Document)

    async def proposal_pdf(self, proposal_id: int | str) -> bytes:
        return await self._get_bytes(f"/proposals/{proposal_id}/pdf")

    async def create_contract(
        self, contract: ContractDocumentInput, *, idempotency_key: str | None = None
    ) -> Document:
        return Document.model_validate(
            await self._write("POST", "/contracts", contract, idempotency_key=idempotency_key)
        )

    async def get_contract(self, document_id: int | str) -> Document:
        return await self._get_one(f"/contracts/{document_id}", Document)

    async def contract_pdf(self, document_id: int | str) -> bytes:
        return await self._get_bytes(f"/contracts/{document_id}/pdf")
