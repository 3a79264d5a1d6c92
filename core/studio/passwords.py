"""Console passwords: the rules a new password must meet, and scrypt hashes (hashlib, no extra dependency).

Never logs, prints or stores a password in the clear; only `check_new_password` looks at one, to refuse it.
"""

from __future__ import annotations

import os

from studiosync.core.errors import InputError

# hashlib, hmac and base64 are imported where a password is hashed or checked: loading OpenSSL costs every
# other command (`studiosync users list`) a few milliseconds of start-up for nothing.

# scrypt with N=2^14, r=8, p=1 (16 MiB, ~50 ms): the classic interactive-login parameters.
_N, _R, _P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024

# NIST SP 800-63B: at least 8 characters, long passphrases allowed, no composition rules. The console is
# reachable from a browser (`studiosync web`), so a password is a real login, not a formality.
MIN_LENGTH = 8
MAX_LENGTH = 256


def check_new_password(password: str, *, login: str | None = None) -> str:
    """The password if it may be set; InputError (saying which rule) if not. Never echoes the password."""
    if not password or not password.strip():
        raise InputError("the password is empty")
    if len(password) < MIN_LENGTH:
        raise InputError(f"the password is too short: use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InputError(f"the password is too long: use at most {MAX_LENGTH} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise InputError("the password contains control characters (a pasted line break or tab?)")
    if login and password.strip().lower() == login.lower():
        raise InputError("the password must not be the login")
    return password


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


def dummy_verify(password: str) -> None:
    """Spend the time of one real check: a login that does not exist answers as slowly as a wrong password."""
    verify_password(password, _DUMMY_HASH)


# A zero salt and a zero digest, base64 (written out: base64 is imported only where a password is checked).
_DUMMY_HASH = f"scrypt${_N}${_R}${_P}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
