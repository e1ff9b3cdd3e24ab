"""Alembic environment of the atendimento database."""

from alembic import context

import carinho.atendimento.models  # noqa: F401  (registers every table)
from carinho.atendimento.database import Base
from carinho.kit.migrations import run_env

run_env(context.config, Base.metadata, offline=context.is_offline_mode())
