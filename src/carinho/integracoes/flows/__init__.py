"""Flows: each event type's ordered, named steps and the lane its processing runs on.

- `table.py`: the flow table, every event type's lane and steps, declared once;
- `registry.py`: the lookups on it (`get_flow`, `handles`, `lane_for`, `step_lane`);
- `step_api.py`: how a step is written (`@step`, `StepContext`, `StepError`);
- `steps/`: every step;
- `runner.py`, `service.py`, `repository.py`, `models.py`: running an event's steps, one
  `EventStep` row (the step's outcome) per step; `tasks.py`: the `integracoes.process_event` job;
- `endpoints.py`: the retry/replay API (retry schedules are `carinho.kit.retry`'s).
"""
