"""Batch requests: multipart/mixed in, multipart/mixed out, exactly as googleapiclient's
BatchHttpRequest writes and reads them.

Request parts are `Content-Type: application/http` with `Content-ID: <base + N>` and an embedded HTTP
request (LF line endings, Python's email Generator). Response parts carry `Content-ID: <response-base + N>`
and an embedded HTTP response whose header block must end in CRLF CRLF: googleapiclient splits the body
off on "\\r\\n\\r\\n".
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from .errors import bad_request
from .wire import Request, Response

BATCH_PATHS = ("/batch/calendar/v3", "/batch/people/v1", "/batch")
MAX_CALLS = 50
_BOUNDARY_RE = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)


@dataclass
class Part:
    """One sub-call of a batch body: its Content-ID (its response part answers to it) and its request."""

    content_id: str | None
    request: Request


def _headers(lines: list[bytes]) -> dict[str, str]:
    out: dict[str, str] = {}
    last = ""
    for raw in lines:
        line = raw.decode("utf-8", "replace")
        if not line.strip():
            continue
        if line[:1] in (" ", "\t") and last:  # folded continuation line
            out[last] += " " + line.strip()
            continue
        name, _, value = line.partition(":")
        last = name.strip().lower()
        out[last] = value.strip()
    return out


def _first_head_split(block: bytes) -> tuple[list[bytes], bytes]:
    # The earliest blank line wins, whichever line ending the writer used.
    crlf, lf = block.find(b"\r\n\r\n"), block.find(b"\n\n")
    if crlf == -1 and lf == -1:
        return block.replace(b"\r\n", b"\n").split(b"\n"), b""
    if lf == -1 or (crlf != -1 and crlf < lf):
        head, rest = block[:crlf], block[crlf + 4 :]
    else:
        head, rest = block[:lf], block[lf + 2 :]
    return head.replace(b"\r\n", b"\n").split(b"\n"), rest


def parse(body: bytes, content_type: str) -> list[Part]:
    found = _BOUNDARY_RE.search(content_type or "")
    if not content_type.lower().startswith("multipart/") or not found:
        raise bad_request("Batch requests must be multipart/mixed with a boundary.", "badContent")
    delimiter = b"--" + (found.group(1) or found.group(2)).encode()
    chunks = body.split(delimiter)
    parts: list[Part] = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        # The line break before a delimiter belongs to the delimiter.
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        elif chunk.endswith(b"\n"):
            chunk = chunk[:-1]
        chunk = chunk.lstrip(b"\r\n")
        mime_lines, http_block = _first_head_split(chunk)
        mime = _headers(mime_lines)
        http_lines, sub_body = _first_head_split(http_block)
        if not http_lines or not http_lines[0].strip():
            raise bad_request("A batch part holds no HTTP request.", "badContent")
        request_line = http_lines[0].decode("utf-8", "replace").split()
        if len(request_line) < 2:
            raise bad_request(f"Bad request line in batch part: {http_lines[0]!r}.", "badContent")
        headers = _headers(http_lines[1:])
        length = headers.get("content-length")
        if length and length.isdecimal():  # isdigit() would pass "²", which int() refuses
            sub_body = sub_body[: int(length)]
        parts.append(
            Part(
                mime.get("content-id"),
                Request.build(request_line[0], request_line[1], headers, sub_body, in_batch=True),
            )
        )
    return parts


def _response_id(content_id: str | None, index: int) -> str:
    if content_id and content_id.startswith("<") and content_id.endswith(">"):
        return f"<response-{content_id[1:-1]}>"
    return f"<response-item{index + 1}>"


def render(results: list[tuple[str | None, Response]]) -> Response:
    boundary = "batch_" + secrets.token_hex(12)
    out: list[bytes] = []
    for index, (content_id, resp) in enumerate(results):
        head = [f"HTTP/1.1 {resp.status} {resp.reason}"]
        head += [
            f"{name}: {value}" for name, value in resp.headers.items() if name.lower() != "content-length"
        ]
        head.append(f"Content-Length: {len(resp.body)}")
        out.append(
            (
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-ID: {_response_id(content_id, index)}\r\n\r\n" + "\r\n".join(head) + "\r\n\r\n"
            ).encode()
            + resp.body
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return Response(200, b"".join(out), {"Content-Type": f"multipart/mixed; boundary={boundary}"})
