"""The flow table: every event type the hub processes, with its lane and ordered, named steps.
Business steps run first; the delivery to subscribed endpoints is always last. An event type not
in this table is stored as `ignored`.

Importing this module registers every flow and every step it names; the registry's lookups and
`step_api.get_step` import it on first use, so no caller has to.
"""

from __future__ import annotations

from carinho.integracoes.flows.registry import (
    DELIVER_WEBHOOKS,
    register_flow,
    register_source_lane,
    register_step_lane,
)
from carinho.integracoes.flows.steps import (
    deliver_webhooks,  # noqa: F401  (the step every flow ends with)
    feedback,
    leads,
    onboarding,
    whatsapp,
)
from carinho.worker import Lane

# WhatsApp and site leads are critical; notifications and batch syncs get their own lanes so they
# never hold the critical ones back.
# The seed names the jobs ProcessLeadCreated, ProcessClientRegistered, ProcessServiceCompleted:
# here each is the flow of its event type, run by `integracoes.process_event`.
FLOWS: dict[str, tuple[Lane, tuple[str, ...]]] = {
    "whatsapp.message.received": (
        Lane.integrations_high,
        (
            # First: an attendant waits for it, and it needs nothing the CRM steps produce (a CRM
            # outage must not hold families' messages back from the inbox).
            whatsapp.FORWARD_TO_ATENDIMENTO,
            whatsapp.FIND_OR_CREATE_LEAD,
            whatsapp.REGISTER_INTERACTION,
            whatsapp.FEEDBACK_REPLY,
            whatsapp.RAISE_LEAD_CREATED,
            DELIVER_WEBHOOKS,
        ),
    ),
    "whatsapp.message.status": (Lane.integrations, (whatsapp.FORWARD_TO_ATENDIMENTO, DELIVER_WEBHOOKS)),
    # A send that WhatsApp could not deliver (a number without WhatsApp) is known only from this one.
    "whatsapp.delivery": (Lane.integrations, (whatsapp.FORWARD_TO_ATENDIMENTO, DELIVER_WEBHOOKS)),
    "lead.created": (
        Lane.integrations_high,
        # The welcome runs on its own lane (STEP_LANES), after everything the critical lane does.
        (leads.REGISTER_LEAD, leads.ATTRIBUTE_CAMPAIGN, leads.SEND_WELCOME, DELIVER_WEBHOOKS),
    ),
    "client.registered": (
        Lane.integrations,
        (
            onboarding.SEND_WELCOME_EMAIL,
            onboarding.SEND_WELCOME_WHATSAPP,
            onboarding.SETUP_FINANCEIRO,
            DELIVER_WEBHOOKS,
        ),
    ),
    "service.completed": (
        Lane.integrations,
        (feedback.NOTIFY_COMPLETED, feedback.SCHEDULE_REQUEST, DELIVER_WEBHOOKS),
    ),
    "feedback.requested": (
        Lane.notifications,
        (feedback.SEND_REQUEST_WHATSAPP, feedback.SEND_REQUEST_EMAIL, DELIVER_WEBHOOKS),
    ),
    "feedback.received": (
        Lane.integrations,
        (feedback.RECORD_IN_CRM, feedback.RECORD_IN_CUIDADORES, DELIVER_WEBHOOKS),
    ),
    # Delivered to the subscribed endpoints only.
    "payment.received": (Lane.integrations, (DELIVER_WEBHOOKS,)),
    "payout.processed": (Lane.integrations, (DELIVER_WEBHOOKS,)),
}


# Outbound greetings wait for Z-API's send limit: on `notifications`, never on the lane that carries
# inbound messages. The rest of the event (its delivery) follows the step there.
STEP_LANES: dict[str, Lane] = {leads.SEND_WELCOME: Lane.notifications}

# The lead.created the hub raises for a WhatsApp first contact: the person's message is in atendimento
# already (its own flow forwarded it first), so registering the lead waits its turn behind the next
# inbound messages instead of holding their lane (a burst of first contacts held a new message back
# for minutes: bench/run_e2e.py --only held). A site's lead stays on the critical lane.
SOURCE_LANES: dict[tuple[str, str], Lane] = {("lead.created", "whatsapp"): Lane.integrations}


def _register_table() -> None:
    for event_type, (lane, steps) in FLOWS.items():
        register_flow(event_type, lane, steps)
    for step_name, lane in STEP_LANES.items():
        register_step_lane(step_name, lane)
    for (event_type, source), lane in SOURCE_LANES.items():
        register_source_lane(event_type, source, lane)


_register_table()
