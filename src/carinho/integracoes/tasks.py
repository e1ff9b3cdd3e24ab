"""Every job module of integracoes; importing this registers them all."""
