"""What the incidents package does when the inbox emits a signal (see atendimento/signals.py).

Nothing yet: emergencies are reported by agents and by the escalation rules, which call
`incident_service.report_emergency`. Importing this module registers the personal-data source.
"""

from __future__ import annotations

from carinho.atendimento.incidents import privacy

__all__ = ["privacy"]
