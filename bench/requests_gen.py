"""Pre-signed `/webhooks/site/lead` requests with unique ids (the load generators only replay them).

Each line of the output file is `<hex HMAC-SHA256 signature> <body>`; bodies are PHP-style JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import uuid


def body(n: int, run: str) -> bytes:
    data = {
        "lead_id": f"{run}-{n}",
        "name": "Maria da Concei\u00e7\u00e3o Souza",
        "phone": f"119{n % 100_000_000:08d}",
        "email": "maria.souza@example.com.br",
        "city": "S\u00e3o Paulo",
        "service_type": "cuidador_diurno",
        "message": "Preciso de cuidadora para minha m\u00e3e, 82 anos. https://carinho.com.vc/",
        "utm_source": "google",
    }
    return json.dumps(data, separators=(",", ":")).replace("/", "\\/").encode()


def write(path: str, secret: str, count: int) -> None:
    run = uuid.uuid4().hex[:10]
    with open(path, "wb") as out:
        for n in range(count):
            payload = body(n, run)
            signature = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
            out.write(signature.encode() + b" " + payload + b"\n")


if __name__ == "__main__":
    write(sys.argv[1], sys.argv[2], int(sys.argv[3]))
