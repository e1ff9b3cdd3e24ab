"""Faithful local simulators of Z-API, SMTP and the Carinho systems we call."""
