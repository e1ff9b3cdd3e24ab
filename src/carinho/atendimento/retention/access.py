"""Who answers a data subject's requests (LGPD: find, export, erase, the log): an administrator.
The one rule of /api/privacy/requests and of the Privacidade page (and of its menu item)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from carinho.atendimento.agents.auth import require_role, session_agent
from carinho.atendimento.agents.models import Agent, Role

PRIVACY_ROLE = Role.admin

# API credentials (bearer token or session cookie) / the pages' session.
PrivacyOfficer = Annotated[Agent, Depends(require_role(PRIVACY_ROLE))]
SessionPrivacyOfficer = Annotated[Agent, Depends(require_role(PRIVACY_ROLE, session_agent))]
