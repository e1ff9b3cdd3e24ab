from tests.integracoes.processing import auth, hook, receiver

__all__ = ["auth", "hook", "receiver"]
