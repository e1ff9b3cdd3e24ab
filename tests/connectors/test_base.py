"""What every Carinho system client shares, observed over a real socket: auth, idempotency, Laravel
validation errors, and each fault mode of the sandbox as the right exception."""

from __future__ import annotations

import pytest

from carinho.connectors.crm import CrmClient
from carinho.connectors.crm.schemas import LeadInput
from carinho.connectors.errors import (
    ConnectorAuthError,
    ConnectorGone,
    ConnectorPermanentError,
    ConnectorRateLimited,
    ConnectorTransientError,
)
from carinho.connectors.financeiro import FinanceiroClient
from carinho.connectors.zapi.client import ZapiClient
from carinho.sandbox.faults import FaultSettings
from tests.sandbox.harness import RunningSandbox


def inject(sandbox: RunningSandbox, system: str, **faults: object) -> None:
    sandbox.state.faults[system].update(FaultSettings.model_validate(faults))


async def test_wrong_api_key_is_an_auth_error(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.client_settings(carinho_crm_api_key="errada")) as crm:
        with pytest.raises(ConnectorAuthError) as caught:
            await crm.get_lead(1)
    assert caught.value.upstream_status == 401 and not caught.value.retryable


async def test_unconfigured_url_is_refused_before_any_call(sandbox: RunningSandbox) -> None:
    with pytest.raises(ConnectorPermanentError, match="CARINHO_CRM_URL"):
        CrmClient(sandbox.client_settings(carinho_crm_url=""))


async def test_not_found_and_validation_errors_are_permanent_with_details(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.settings) as crm:
        with pytest.raises(ConnectorPermanentError) as missing:
            await crm.get_lead(999)
        assert missing.value.upstream_status == 404
        with pytest.raises(ConnectorPermanentError) as invalid:
            await crm.create_lead(LeadInput(name="Sem telefone"))
        assert invalid.value.upstream_status == 422
        assert "phone" in invalid.value.details
        with pytest.raises(ConnectorPermanentError, match="já está sendo utilizado"):
            await crm.create_lead(LeadInput(phone="5511987651111"))


async def test_a_retried_write_with_the_same_key_is_replayed_not_repeated(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.settings) as crm:
        lead = LeadInput(phone="5511933332222", name="Olga")
        first = await crm.create_lead(lead, idempotency_key="step-77")
        second = await crm.create_lead(lead, idempotency_key="step-77")
        assert first == second
        with pytest.raises(ConnectorPermanentError, match="Idempotency-Key"):
            await crm.create_lead(LeadInput(phone="5511933330000"), idempotency_key="step-77")
    leads = [r for r in await sandbox.state.store.all("crm", "leads") if r["phone"] == "5511933332222"]
    assert len(leads) == 1


async def test_every_write_carries_an_idempotency_key(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.settings) as crm:
        await crm.create_lead(LeadInput(phone="5511944443333"))
    writes = [r for r in sandbox.state.recorder.list("crm") if r.method != "GET"]
    assert writes and all(r.headers.get("idempotency-key") for r in writes)


@pytest.mark.parametrize(
    ("status", "expected", "retryable"),
    [
        (500, ConnectorTransientError, True),
        (503, ConnectorTransientError, True),
        (408, ConnectorTransientError, True),
        (409, ConnectorTransientError, True),
        (400, ConnectorPermanentError, False),
        (403, ConnectorAuthError, False),
        (410, ConnectorGone, False),
    ],
)
async def test_fail_next_n_with_status(
    sandbox: RunningSandbox, status: int, expected: type, retryable: bool
) -> None:
    inject(sandbox, "crm", fail_next=2, fail_status=status)
    async with CrmClient(sandbox.settings) as crm:
        for _ in range(2):
            with pytest.raises(expected) as caught:
                await crm.get_lead(1)
            assert caught.value.retryable is retryable
            assert caught.value.upstream_status == status
        assert (await crm.get_lead(1)).id == 1
    assert [r.fault for r in sandbox.state.recorder.list("crm")] == ["fail", "fail", None]


async def test_429_carries_retry_after(sandbox: RunningSandbox) -> None:
    inject(sandbox, "financeiro", fail_next=1, fail_status=429, retry_after=30)
    async with FinanceiroClient(sandbox.settings) as financeiro:
        with pytest.raises(ConnectorRateLimited) as caught:
            await financeiro.get_payment(1)
    assert caught.value.retry_after == 30


async def test_down_then_up(sandbox: RunningSandbox) -> None:
    inject(sandbox, "crm", down=True)
    async with CrmClient(sandbox.settings) as crm:
        with pytest.raises(ConnectorTransientError) as caught:
            await crm.get_client(1)
        assert caught.value.upstream_status == 503
        inject(sandbox, "crm", down=False)
        assert (await crm.get_client(1)).id == 1


async def test_hanging_system_times_out_as_transient(sandbox: RunningSandbox) -> None:
    inject(sandbox, "crm", timeout_next=1, hang_seconds=30)
    async with CrmClient(sandbox.client_settings(connector_timeout_seconds=0.3)) as crm:
        with pytest.raises(ConnectorTransientError, match="timed out") as caught:
            await crm.get_lead(1)
        assert caught.value.upstream_status is None
    sandbox.state.faults["crm"].clear()
    async with CrmClient(sandbox.settings) as crm:  # the usual timeout: a busy machine may connect slowly
        assert (await crm.get_lead(1)).id == 1


async def test_latency_is_added_but_the_call_succeeds(sandbox: RunningSandbox) -> None:
    inject(sandbox, "crm", latency_ms=50)
    async with CrmClient(sandbox.settings) as crm:
        assert (await crm.get_lead(1)).id == 1
    assert sandbox.state.faults["crm"].view()["latency_ms"] == 50


async def test_unreachable_system_is_transient(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.client_settings(carinho_crm_url="http://127.0.0.1:9/crm")) as crm:
        with pytest.raises(ConnectorTransientError, match="unreachable"):
            await crm.get_lead(1)


async def test_zapi_faults_use_z_api_error_shape(sandbox: RunningSandbox) -> None:
    inject(sandbox, "zapi", fail_next=1, fail_status=500)
    async with ZapiClient(sandbox.settings) as zapi:
        with pytest.raises(ConnectorTransientError, match="Simulated failure"):
            await zapi.send_text("5511987654321", "Olá")
        inject(sandbox, "zapi", down=True)
        with pytest.raises(ConnectorTransientError):
            await zapi.status()
