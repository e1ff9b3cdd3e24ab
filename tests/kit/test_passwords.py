"""People's passwords (agents, console operators: kit/passwords.py) get argon2-cffi's default cost
in every environment but a test runtime, whose cheap hashes only make the suite faster."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from carinho import runtime
from carinho.config import Environment, Settings
from carinho.kit import passwords

DEFAULT = "m=65536,t=3,p=4"


@pytest.mark.parametrize(
    ("environment", "parameters"),
    [("development", DEFAULT), ("production", DEFAULT), ("test", "m=8,t=1,p=1")],
)
def test_the_hash_cost_depends_on_the_environment(tmp_path: Path, environment: str, parameters: str) -> None:
    defaults = PasswordHasher()
    assert f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}" == DEFAULT
    # model_construct: production's refusal of placeholder secrets is beside the point here
    settings = Settings.model_construct(carinho_env=Environment(environment), carinho_data_dir=tmp_path)
    rt = runtime.configure(settings)
    try:
        hashed = passwords.hash_password("uma senha")
        assert hashed.startswith(f"$argon2id$v=19${parameters}$")
        assert passwords.verify_password(hashed, "uma senha")
        assert not passwords.verify_password(hashed, "outra senha")
        # an unknown account: a dummy of the same cost is verified, and the answer is no
        assert passwords._DUMMY[environment == "test"].startswith(f"$argon2id$v=19${parameters}$")
        assert not passwords.verify_password(None, "carinho-dummy-password")
    finally:
        rt.close_brokers()
