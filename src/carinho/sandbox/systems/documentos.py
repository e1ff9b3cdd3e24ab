"""The documentos simulator (docs/contratos/documentos.md): proposals and contracts as PDFs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from carinho.connectors.documentos.schemas import ContractDocumentInput, ProposalInput
from carinho.kit import clock
from carinho.sandbox.systems.common import dump, get_or_404, guard, idempotent, store_of, validated
from carinho.sandbox.systems.pdf import text_pdf

SYSTEM = "documentos"
router = APIRouter(
    prefix=f"/{SYSTEM}/api/v1", tags=["sandbox: documentos"], dependencies=[Depends(guard(SYSTEM))]
)
KINDS = {
    "proposals": ("proposta", "PROP", "gerada"),
    "contracts": ("contrato", "CONT", "aguardando_assinatura"),
}


async def _create(request: Request, resource: str, model: type[BaseModel]) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        document = await validated(request, model)
        kind, prefix, status = KINDS[resource]
        store = store_of(request)
        record = await store.insert(SYSTEM, resource, {"kind": kind, "status": status, **dump(document)})
        extra: dict[str, Any] = {
            "number": f"{prefix}-{clock.utcnow():%Y}-{record['id']:04d}",
            "pdf_url": f"/api/v1/{resource}/{record['id']}/pdf",
        }
        if resource == "contracts":
            extra["signature_url"] = f"https://assinatura.carinho.com.vc/c/{record['id']:04d}"
        return 201, {"data": await store.update(SYSTEM, resource, record["id"], extra)}

    return await idempotent(request, SYSTEM, work)


def _pdf(record: dict[str, Any]) -> Response:
    title = "Proposta de Serviço" if record["kind"] == "proposta" else "Contrato de Prestação de Serviços"
    amount = record.get("monthly_amount_cents", 0) / 100
    lines = [
        f"Carinho com Você - {title}",
        f"Número: {record['number']}",
        f"Cliente: {record.get('client_name', '')}",
        f"Serviço: {record.get('service_type', '')}",
        f"Valor mensal: R$ {amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."),
    ]
    lines += [
        f"Escala: dia {s['weekday']} das {s['start_time']} às {s['end_time']}"
        for s in record.get("schedules", [])
    ]
    filename = f"{record['number']}.pdf"
    return Response(
        text_pdf(lines),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.post("/proposals")
async def create_proposal(request: Request) -> JSONResponse:
    return await _create(request, "proposals", ProposalInput)


@router.get("/proposals/{document_id}")
async def get_proposal(request: Request, document_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "proposals", document_id)}


@router.get("/proposals/{document_id}/pdf")
async def proposal_pdf(request: Request, document_id: int) -> Response:
    return _pdf(await get_or_404(request, SYSTEM, "proposals", document_id))


@router.post("/contracts")
async def create_contract(request: Request) -> JSONResponse:
    return await _create(request, "contracts", ContractDocumentInput)


@router.get("/contracts/{document_id}")
async def get_contract(request: Request, document_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "contracts", document_id)}


@router.get("/contracts/{document_id}/pdf")
async def contract_pdf(request: Request, document_id: int) -> Response:
    return _pdf(await get_or_404(request, SYSTEM, "contracts", document_id))
