"""Google service builders: one switch, `api_root`, moves every call -- batch included.

`client_options={"api_endpoint": ...}` would move ordinary calls but leave batch on
https://www.googleapis.com/batch/..., so instead we load the discovery document bundled with
google-api-python-client (no network) and rewrite its `rootUrl`, from which the library derives both the
base URL and the batch URL. That document is trimmed of what only feeds docstrings and cached once per
process (`discovery_document`), so building a service and touching a resource costs about a millisecond
instead of 5-80 ms of docstring rendering. Every service counts its HTTP requests (`RequestCounter`).

Must never fetch a discovery document over the network, and never retry (core.google.retry does).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import google_auth_httplib2
import httplib2
from googleapiclient import discovery, discovery_cache

DEFAULT_TIMEOUT_S = 30.0


class RequestCounter:
    """Thread-safe HTTP request counts per category ("calendar", "people", "batch"), for run records."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def add(self, category: str, n: int = 1) -> None:
        with self._lock:
            self._counts[category] = self._counts.get(category, 0) + n

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


class CountingAuthorizedHttp(google_auth_httplib2.AuthorizedHttp):
    """AuthorizedHttp that counts each API request it sends (token refreshes are not counted).

    Subclassing (rather than wrapping) keeps the `.credentials` attribute where googleapiclient's
    batch code looks for it to authorize each sub-request.
    """

    def __init__(self, credentials: Any, *, category: str, counter: RequestCounter, timeout: float) -> None:
        super().__init__(credentials, http=httplib2.Http(timeout=timeout))
        self.category = category
        self.counter = counter

    def request(self, uri: str, method: str = "GET", *args: Any, **kwargs: Any) -> Any:
        self.counter.add("batch" if "/batch/" in uri else self.category)
        return super().request(uri, method, *args, **kwargs)


def normalise_root(api_root: str) -> str:
    root = api_root.strip()
    if not root.startswith(("http://", "https://")):
        raise ValueError(f"Google API root must be an http(s) URL, got {api_root!r}")
    return root if root.endswith("/") else root + "/"


# resource path ("events", "people.connections") -> names of the methods to keep
Methods = Mapping[str, Iterable[str]]
_PAGE_TOKENS = ("pageToken", "nextPageToken")


def discovery_document(name: str, version: str, methods: Methods | None = None) -> str:
    """The bundled discovery document without what only feeds docstrings (cached per process).

    googleapiclient renders every method of a resource into a docstring when the resource is first touched:
    request and response schemas pretty-printed, every description. Nothing reads those docstrings, and
    JSON bodies are sent and parsed without the schemas, so each schema is reduced to an empty object
    (keeping only a page-token property, from which the library derives `list_next`) and descriptions
    are dropped. `methods` keeps only those methods (the sync's services: a few kilobytes to parse).
    """
    frozen = None if methods is None else tuple(sorted((k, tuple(v)) for k, v in methods.items()))
    return _trimmed_document(name, version, frozen)


@functools.lru_cache(maxsize=16)
def _trimmed_document(
    name: str, version: str, methods: tuple[tuple[str, tuple[str, ...]], ...] | None
) -> str:
    doc = json.loads(discovery_cache.get_static_doc(name, version))
    if methods is not None:
        resources: dict[str, Any] = {}
        for path, keep in methods:
            source: dict[str, Any] = doc
            target = resources
            node: dict[str, Any] = {}
            parts = path.split(".")
            for i, part in enumerate(parts):
                source = source["resources"][part]
                node = target.setdefault(part, {})
                if i < len(parts) - 1:
                    target = node.setdefault("resources", {})
            node["methods"] = {m: source["methods"][m] for m in keep}
        doc["resources"] = resources
        doc.pop("methods", None)
    schemas: dict[str, Any] = {}
    for key, schema in (doc.get("schemas") or {}).items():
        slim: dict[str, Any] = {"id": key, "type": "object"}
        tokens = {p: {"type": "string"} for p in _PAGE_TOKENS if p in (schema.get("properties") or {})}
        if tokens:
            slim["properties"] = tokens
        schemas[key] = slim
    doc["schemas"] = schemas
    for part in ("resources", "methods", "parameters"):
        _drop_descriptions(doc.get(part) or {})
    return json.dumps(doc)


def _drop_descriptions(node: Any) -> None:
    if isinstance(node, dict):
        for key in ("description", "enumDescriptions"):
            if isinstance(node.get(key), (str, list)):  # a parameter *named* description is a dict: kept
                del node[key]
        for value in node.values():
            _drop_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _drop_descriptions(value)


def build_service(
    name: str,
    version: str,
    credentials: Any,
    api_root: str | None = None,
    *,
    category: str,
    counter: RequestCounter | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    methods: Methods | None = None,
) -> Any:
    """A service from the trimmed bundled document, on the chosen root, counting its requests."""
    doc = json.loads(discovery_document(name, version, methods))  # a fresh dict: the library changes it
    if api_root is not None:
        root = normalise_root(api_root)
        # rootUrl feeds both the base URL (rootUrl + servicePath) and the batch URL (rootUrl + batchPath);
        # mtlsRootUrl too, in case GOOGLE_API_USE_MTLS_ENDPOINT=always is set in the environment.
        doc["rootUrl"] = root
        doc["mtlsRootUrl"] = root
        doc["baseUrl"] = root + doc.get("servicePath", "")
    http = CountingAuthorizedHttp(
        credentials, category=category, counter=counter or RequestCounter(), timeout=timeout
    )
    return discovery.build_from_document(doc, http=http)


def build_calendar(
    credentials: Any,
    api_root: str | None = None,
    *,
    counter: RequestCounter | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Any:
    """Calendar v3 service. api_root None = real Google; else e.g. the emulator's "http://127.0.0.1:PORT"."""
    return build_service(
        "calendar", "v3", credentials, api_root, category="calendar", counter=counter, timeout=timeout
    )


def build_people(
    credentials: Any,
    api_root: str | None = None,
    *,
    counter: RequestCounter | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Any:
    """People v1 service (contacts import), same root switch as build_calendar."""
    return build_service(
        "people", "v1", credentials, api_root, category="people", counter=counter, timeout=timeout
    )


def request_counter(service: Any) -> RequestCounter:
    """The RequestCounter a service built here counts into."""
    return service._http.counter
