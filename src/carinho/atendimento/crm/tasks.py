from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.crm.service import SYNC_JOB, crm_sync_service
from carinho.atendimento.inbox.models import Contact
from carinho.logging import get_logger
from carinho.worker import Lane, job

log = get_logger(__name__)


CRM_STATUS = {
    "new": "novo",
    "in_service": "em_atendimento",
    "qualified": "qualificado",
    "proposal_sent": "proposta",
    "won": "convertido",
    "lost": "perdido",
}


async def push_lead(lead: dict[str, Any], idempotency_key: str) -> str | None:
    """Send the lead snapshot to the CRM; returns the CRM's lead id (None when skipped).

    Skipped (logged) while CARINHO_CRM_URL is unset or the CRM connector is not installed; the
    next change sends the whole snapshot again, so nothing is lost by skipping.
    """
    settings = runtime.current().settings
    if not settings.system_url("crm"):
        log.info("atendimento.crm_skipped", reason="CARINHO_CRM_URL is not set")
        return None
    try:
        from carinho.connectors.crm.client import CrmClient
    except ImportError:
        log.info("atendimento.crm_skipped", reason="CRM connector not available")
        return None
    values = {k: v for k, v in lead.items() if v is not None}
    stage = values.pop("funnel_stage", None)
    if stage:
        values["status"] = CRM_STATUS.get(str(stage))
        values["funnel_stage"] = stage
    async with CrmClient(settings) as client:
        result = await client.upsert_lead(values, idempotency_key=idempotency_key)
    return str(result.id)


@job(SYNC_JOB, context="atendimento", lane=Lane.atendimento_low, max_attempts=8, time_limit_seconds=60)
async def sync_crm_lead(session: AsyncSession, contact_id: int, reason: str = "") -> None:
    # Read once and held: the snapshot reads it from the session, and so does the update below
    # (the session keeps only weak references to the rows it loaded).
    contact = await session.get(Contact, contact_id)
    if contact is None:
        return
    lead = await crm_sync_service.snapshot(session, contact_id)
    if lead is None:
        return
    digest = hashlib.sha256(json.dumps(lead, sort_keys=True, default=str).encode()).hexdigest()[:32]
    lead_id = await push_lead(lead, f"atendimento-lead-{contact_id}-{digest}")
    if lead_id and contact.crm_lead_id != lead_id:
        contact.crm_lead_id = lead_id
