from pathlib import Path

from scripts.gen_env_example import render


def test_env_example_lists_every_setting() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    assert example.read_text(encoding="utf-8") == render(), (
        ".env.example is stale: run `uv run python scripts/gen_env_example.py`"
    )
