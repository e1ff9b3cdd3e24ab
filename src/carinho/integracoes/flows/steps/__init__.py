"""Every step of the hub's flows, one module per area: the delivery to subscribed endpoints
(`deliver_webhooks`) and the business steps of the seed's modules 1–4 (`whatsapp`, `leads`,
`onboarding`, `feedback`), with what they share (`common`, `internal_events`, `feedback_replies`,
and the rows they keep: `models`, `repository`).

To add a step: write an `@step("<area>.<what>")` function (`carinho.integracoes.flows.step_api`)
in the module of its area and name it in the flows of its event types (`flows/table.py`), which
imports every step module it names.
"""
