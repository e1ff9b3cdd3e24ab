"""Loaded into the kill test's processes (CARINHO_JOB_MODULES): `lead.created` runs only the
delivery step, so the test exercises the pipeline itself, not the business steps (which
call the CRM, Z-API, ... and have tests of their own)."""

from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS, register_flow
from carinho.worker import Lane

register_flow("lead.created", Lane.integrations_high, (DELIVER_WEBHOOKS,))
