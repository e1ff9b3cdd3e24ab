from __future__ import annotations

from carinho.errors import CarinhoError


class BackupError(CarinhoError):
    """A backup or restore that cannot be done; the message says why and what to do."""

    code = "backup_error"
