"""The Carinho systems as the sandbox simulates them, each per its page in docs/contratos/."""
