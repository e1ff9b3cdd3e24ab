"""Lists a page reads in several of its parts (every agent, every template, every label): read once
per request. Kept in the request session's `info`, so nothing outlives the request; only for lists a
page's own actions never change."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.labels.models import Label
from carinho.atendimento.labels.service import label_service
from carinho.atendimento.templates.models import MessageTemplate
from carinho.atendimento.templates.service import template_service

_KEY = "web.read_once"


def _cache(session: AsyncSession) -> dict[str, Sequence[object]]:
    return session.info.setdefault(_KEY, {})


async def all_agents(session: AsyncSession) -> Sequence[Agent]:
    cache = _cache(session)
    if "agents" not in cache:
        cache["agents"] = await agent_service.list(session)
    return cache["agents"]  # type: ignore[return-value]


async def all_templates(session: AsyncSession) -> Sequence[MessageTemplate]:
    cache = _cache(session)
    if "templates" not in cache:
        cache["templates"] = await template_service.list(session)
    return cache["templates"]  # type: ignore[return-value]


async def all_labels(session: AsyncSession) -> Sequence[Label]:
    cache = _cache(session)
    if "labels" not in cache:
        cache["labels"] = await label_service.list(session)
    return cache["labels"]  # type: ignore[return-value]
