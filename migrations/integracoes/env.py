"""Alembic environment of the integracoes database."""

from alembic import context

import carinho.integracoes.models  # noqa: F401  (registers every table)
from carinho.integracoes.database import Base
from carinho.kit.migrations import run_env

run_env(context.config, Base.metadata, offline=context.is_offline_mode())
