"""atendimento: the contact center."""
