"""Imports every module that registers jobs, so any process (API, worker, scheduler) knows them all."""

from __future__ import annotations

import importlib

JOB_MODULES = ("carinho.integracoes.tasks", "carinho.atendimento.tasks", "carinho.backups.tasks")


def load_all_jobs(extra: str = "") -> None:
    for module in (*JOB_MODULES, *(m.strip() for m in extra.split(",") if m.strip())):
        importlib.import_module(module)
