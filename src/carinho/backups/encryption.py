"""Streaming authenticated encryption of backup files (AES-256-GCM in chunks, the STREAM construction).

A backup may be far larger than memory, so it is sealed in 64 KiB chunks: chunk i is encrypted with
the nonce `prefix (8 random bytes) || i (4 bytes)` and, as associated data, a digest of the file's
header plus a flag saying whether it is the last chunk. Reordered, dropped, truncated or altered chunks
and a tampered header all fail to decrypt. Keys are BACKUP_ENCRYPTION_KEYS: urlsafe-base64 32-byte
keys (`carinho backup --new-key` prints one); the first encrypts, all are tried by their id to decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from carinho.kit.crypto import new_key as new_key  # same format: urlsafe base64 of 32 random bytes
from carinho.kit.crypto import parse_keys

CHUNK = 64 * 1024
_TAG = 16
_LENGTH = struct.Struct(">I")


class BackupKeyError(Exception):
    """A key that is not valid, or no configured key opens the backup."""


def decode_key(key: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise BackupKeyError("each BACKUP_ENCRYPTION_KEYS key must be 32 bytes in urlsafe base64")
    return raw


def key_id(key: str) -> str:
    """A short public id of a key, stored in the backup's header to pick the key that opens it."""
    return hashlib.sha256(b"carinho-backup-key:" + decode_key(key)).hexdigest()[:16]


def keys_by_id(keys: str) -> dict[str, bytes]:
    return {key_id(key): decode_key(key) for key in parse_keys(keys)}


def new_nonce_prefix() -> bytes:
    return os.urandom(8)


def _nonce(prefix: bytes, index: int) -> bytes:
    if index >= 2**32:
        raise ValueError("backup too large for one nonce prefix")
    return prefix + struct.pack(">I", index)


def _aad(header_digest: bytes, last: bool) -> bytes:
    return header_digest + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only binary file: what is written goes to `out` sealed in chunks. `close()` seals the
    last chunk (it does not close `out`)."""

    def __init__(self, out: BinaryIO, key: bytes, prefix: bytes, header_digest: bytes) -> None:
        self._out = out
        self._aead = AESGCM(key)
        self._prefix = prefix
        self._digest = header_digest
        self._buffer = bytearray()
        self._index = 0
        self.closed = False

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self.closed = True

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._index), plaintext, _aad(self._digest, last))
        self._out.write(_LENGTH.pack(len(sealed)) + sealed)
        self._index += 1


class DecryptingReader:
    """A read-only binary file over a sealed stream; raises BackupKeyError on any tampering."""

    def __init__(self, source: BinaryIO, key: bytes, prefix: bytes, header_digest: bytes) -> None:
        self._source = source
        self._aead = AESGCM(key)
        self._prefix = prefix
        self._digest = header_digest
        self._buffer = bytearray()
        self._index = 0
        self._done = False
        self.closed = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._open_next()
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def close(self) -> None:
        self.closed = True

    def _open_next(self) -> None:
        head = self._source.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            raise BackupKeyError("the backup is truncated (its last encrypted chunk is missing)")
        (length,) = _LENGTH.unpack(head)
        sealed = self._source.read(length)
        if len(sealed) != length or length < _TAG or length > CHUNK + _TAG:
            raise BackupKeyError("the backup is truncated or damaged")
        nonce = _nonce(self._prefix, self._index)
        try:
            plaintext = self._aead.decrypt(nonce, sealed, _aad(self._digest, False))
        except InvalidTag:
            try:
                plaintext = self._aead.decrypt(nonce, sealed, _aad(self._digest, True))
            except InvalidTag:
                raise BackupKeyError("the backup is damaged or was altered (authentication failed)") from None
            self._done = True
        if self._done and self._source.read(1):
            raise BackupKeyError("the backup has data after its last encrypted chunk")
        self._buffer += plaintext
        self._index += 1
