"""Message templates with pt-BR variables."""
