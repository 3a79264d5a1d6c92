"""Redaction: secrets are scrubbed from a log record itself (message, fields, traceback) before any
handler formats it, never from the output text afterwards.

Holds the registry of runtime secrets (:func:`register_secret`), the token-shaped patterns, the
scrubbers (:func:`redact`, :func:`redact_fields`) and :class:`RedactingFilter`.

Must never write or read a log file, and never log anything itself (a line about a secret would be the
leak it exists to prevent).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Secrets known only at runtime (SMTP password, OAuth client secret): replaced wherever they occur.
# Shorter values are ignored: redacting "abc" everywhere would mangle every line and protect little.
MIN_SECRET_LENGTH = 4
_secrets: set[str] = set()
_secrets_re: re.Pattern[str] | None = None
_secrets_lock = threading.Lock()

_SENSITIVE_NAME = r"[\w.-]*?(?:token|secret|password|passwd|code_verifier|authorization|api_?key)[\w.-]*"
_SENSITIVE_KEY_RE = re.compile(_SENSITIVE_NAME, re.IGNORECASE)
_QUERY_KEYS = r"(?:code|access_token|refresh_token|id_token|client_secret|password|code_verifier)"


def _keep(group: int) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(group) + REDACTED


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    # JSON / Python-repr keys that name a secret: the value goes, whatever it is.
    (
        re.compile(
            r"""(?P<q>["'])(?P<key>""" + _SENSITIVE_NAME + r""")(?P=q)(?P<sep>\s*:\s*)"""
            r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,}\]\s]+)""",
            re.IGNORECASE,
        ),
        lambda m: f'{m["q"]}{m["key"]}{m["q"]}{m["sep"]}"{REDACTED}"',
    ),
    # Authorization headers, any scheme: keep the scheme, drop the credentials.
    (
        re.compile(r"(?i)\b(authorization\s*[:=]\s*(?:(?:bearer|basic|token)\s+)?)[^\s,;\"']+"),
        _keep(1),
    ),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*"), _keep(1)),
    # Query strings and form bodies: ?code=...&client_secret=...  (also key='value' reprs)
    (
        re.compile(r"(?i)(?<![\w-])(" + _QUERY_KEYS + r"=)(?:\"[^\"]*\"|'[^']*'|[^&\s\"'#,;)]+)"),
        _keep(1),
    ),
    # "password: hunter2" in free text.
    (
        re.compile(r"(?i)\b((?:password|passwd|client_secret)\s*:\s*)(?!\[REDACTED\])[^\s,;]+"),
        _keep(1),
    ),
    # Google access tokens and refresh tokens wherever they appear.
    (re.compile(r"ya29\.[0-9A-Za-z\-_.]+"), lambda m: REDACTED),
    (re.compile(r"(?<![\w/:])1//[0-9A-Za-z\-_]{8,}"), lambda m: REDACTED),
]


def register_secret(value: str | None) -> None:
    """Redact every future occurrence of ``value`` (also URL- and JSON-escaped) from the logs."""
    global _secrets_re
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    from urllib.parse import quote, quote_plus

    variants = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    with _secrets_lock:
        if variants <= _secrets:
            return
        _secrets.update(variants)
        # Longest first so a secret containing another is replaced whole.
        ordered = sorted(_secrets, key=len, reverse=True)
        _secrets_re = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """Scrub registered secrets and token-shaped strings from ``text``."""
    pattern = _secrets_re
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    for regex, replacement in _PATTERNS:
        text = regex.sub(replacement, text)
    return text


def redact_fields(value: Any) -> Any:
    """Deep copy of ``value`` with sensitive keys' values and secret-looking strings redacted."""
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and _SENSITIVE_KEY_RE.fullmatch(k) else redact_fields(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_fields(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        return redact(value.decode("utf-8", "replace"))
    return value


class RedactingFilter(logging.Filter):
    """Scrubs a record in place (message, args, fields, traceback) before any handler formats it.

    Attach it to any extra handler too (it is idempotent); configure() attaches it to the file handler.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_studiosync_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # bad %-args: keep the template rather than lose the line
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            record.fields = redact_fields(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._studiosync_redacted = True
        return True
