"""libsodium (PyNaCl) primitives for the tips app, in one place.

- data key: 32 random bytes per report; content, messages and files are SecretBox ciphertext.
- sealing: the data key is sealed (SealedBox, X25519) to each receiver's public key.
- password wrapping: a private key is SecretBox-encrypted with a key derived by Argon2id
  (nacl.pwhash) from the owner's password; the salt and cost travel with it.
- receipt code: 16 digits; an Argon2 hash (argon2-cffi) checks it and an Argon2id-derived key
  wraps the data key for the reporter.
- recovery: the recovery private key is split in two XOR shares; neither share alone says
  anything about the key.
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from dataclasses import dataclass

import nacl.pwhash
import nacl.secret
import nacl.utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings
from nacl.public import PrivateKey, PublicKey, SealedBox

KEY_BYTES = nacl.secret.SecretBox.KEY_SIZE


def _limits() -> tuple[int, int]:
    # Tests use the minimum cost; production the libsodium "interactive" profile.
    if getattr(settings, "TIPS_KDF", "interactive") == "min":
        return nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN
    return nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE


def _hasher() -> PasswordHasher:
    if getattr(settings, "TIPS_KDF", "interactive") == "min":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def new_data_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def encrypt(key: bytes, plaintext: bytes) -> bytes:
    return bytes(nacl.secret.SecretBox(key).encrypt(plaintext))


def decrypt(key: bytes, ciphertext: bytes) -> bytes:
    return nacl.secret.SecretBox(key).decrypt(bytes(ciphertext))


def encrypt_json(key: bytes, value) -> bytes:
    return encrypt(key, json.dumps(value, ensure_ascii=False).encode())


def decrypt_json(key: bytes, ciphertext: bytes):
    return json.loads(decrypt(key, ciphertext).decode())


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(bytes(public_key))).encrypt(plaintext))


def unseal(private_key: bytes, ciphertext: bytes) -> bytes:
    return SealedBox(PrivateKey(bytes(private_key))).decrypt(bytes(ciphertext))


def public_of(private_key: bytes) -> bytes:
    return bytes(PrivateKey(bytes(private_key)).public_key)


@dataclass
class Wrapped:
    public_key: bytes
    salt: bytes
    opslimit: int
    memlimit: int
    wrapped_secret: bytes


def derive(secret: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        KEY_BYTES, secret.encode(), bytes(salt), opslimit=opslimit, memlimit=memlimit
    )


def wrap_with_password(private_key: bytes, password: str) -> Wrapped:
    opslimit, memlimit = _limits()
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    wrapped = encrypt(derive(password, salt, opslimit, memlimit), bytes(private_key))
    return Wrapped(public_of(private_key), salt, opslimit, memlimit, wrapped)


def new_wrapped_keypair(password: str) -> tuple[Wrapped, bytes]:
    private_key = bytes(PrivateKey.generate())
    return wrap_with_password(private_key, password), private_key


def unwrap_with_password(record, password: str) -> bytes:
    """The private key of a UserKey or KeyRecovery row; raises nacl CryptoError on a wrong password."""
    key = derive(password, record.salt, record.opslimit, record.memlimit)
    return decrypt(key, record.wrapped_secret)


# --- receipt codes ---------------------------------------------------------------------------


def new_receipt_code() -> str:
    return f"{secrets.randbelow(10**16):016d}"


def normalise_code(text: str) -> str:
    # any script's decimal digits (a phone's full-width ２ is 2), written as ASCII; everything else dropped
    return "".join(str(unicodedata.decimal(ch)) for ch in (text or "") if ch.isdecimal())


def hash_code(code: str) -> str:
    return _hasher().hash(code)


def check_code(code_hash: str, code: str) -> bool:
    try:
        return _hasher().verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False


def reporter_wrap(code: str, data_key: bytes) -> tuple[bytes, bytes]:
    opslimit, memlimit = _limits()
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    # Cost parameters are stored as a 9-byte prefix of the salt field's companion: keep them
    # inside the wrapped blob's header so the reporter key stays self-describing.
    header = opslimit.to_bytes(1, "big") + memlimit.to_bytes(8, "big")
    return salt, header + encrypt(derive(code, salt, opslimit, memlimit), data_key)


def reporter_unwrap(code: str, salt: bytes, blob: bytes) -> bytes:
    blob = bytes(blob)
    opslimit, memlimit = blob[0], int.from_bytes(blob[1:9], "big")
    return decrypt(derive(code, salt, opslimit, memlimit), blob[9:])


# --- recovery shares --------------------------------------------------------------------------


def split_secret(secret: bytes) -> tuple[bytes, bytes]:
    first = nacl.utils.random(len(secret))
    second = bytes(a ^ b for a, b in zip(secret, first, strict=True))
    return first, second


def join_secret(first: bytes, second: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(first, second, strict=True))
