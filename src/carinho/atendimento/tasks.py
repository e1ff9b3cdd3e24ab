"""Every job module of atendimento; importing this registers them all."""
