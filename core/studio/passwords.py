"""Console passwords, stored as scrypt hashes (hashlib, no extra dependency)."""

from __future__ import annotations

import os

# hashlib, hmac and base64 are imported where a password is hashed or checked: loading OpenSSL costs every
# other command (`studiosync users list`) a few milliseconds of start-up for nothing.

# scrypt with N=2^14, r=8, p=1 (16 MiB, ~50 ms): the classic interactive-login parameters.
_N, _R, _P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024


def hash_password(password: str) -> str:
    import base64
    import hashlib

    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    import base64
    import hashlib
    import hmac

    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest_b64)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt_b64),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
