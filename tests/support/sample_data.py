"""Secrets of the test settings and the sample personal data the tests use: the log guard
(tests/support/log_guard.py) fails a test whose log lines carry any of them in clear."""

from __future__ import annotations

# The secrets of the `settings` fixture (tests/conftest.py builds its Settings with these).
TEST_SECRETS = {
    "session_secret": "test-session-secret",
    "zapi_webhook_secret": "test-zapi-secret",
    "webhook_secret_site": "whsec_c2l0ZS10ZXN0LXNlY3JldC0yNGJ5dGVz",
    "webhook_secret_crm": "whsec_Y3JtLXRlc3Qtc2VjcmV0LTI0Ynl0ZXMh",
    "webhook_secret_operacao": "whsec_b3BlcmFjYW8tdGVzdC1zZWNyZXQtMjRi",
    "webhook_secret_financeiro": "whsec_ZmluYW5jZWlyby10ZXN0LXNlY3JldC0y",
    "webhook_secret_cuidadores": "whsec_Y3VpZGFkb3Jlcy10ZXN0LXNlY3JldC0y",
}

# Phones, e-mails and CPFs of the tests' sample data (the fixtures of tests/conftest.py and
# tests/atendimento/conftest.py, and the ones most tests use), in the shapes they are written.
SAMPLE_PERSONAL_DATA = (
    "5511987654321",
    "11987654321",
    "98765-4321",
    "5511912345678",
    "11912345678",
    "91234-5678",
    "5544999999999",
    "5511987650101",
    "5511911112222",
    "maria@example.com",
    "maria@exemplo.com.br",
    "maria.santos@exemplo.com.br",
    "familia@exemplo.com.br",
    "familia.souza@example.com",
    "ana@carinho.com.vc",
    "bruno@carinho.com.vc",
    "000.001.101-00",
)
