"""Calendar and People services for the sync, built from trimmed, cached discovery documents.

googleapiclient builds every method of a resource when the resource is first touched, rendering each
method's request and response schemas into a docstring: `service.people()` costs ~80 ms and
`service.events()` ~4 ms of pure CPU, every run, every user (and under the GIL, threads do not help).
The sync calls a handful of methods and never reads those docstrings, so it builds its services from a
copy of the bundled discovery document that keeps only those methods, with schemas reduced to empty
objects (they only feed docstrings; JSON bodies are sent and parsed without them). The trimmed text is made
once per process; each build parses a few kilobytes.

Everything else is core.google.api's: the same root switch (rootUrl moves ordinary and batch calls) and
the same counting, authorized http.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from googleapiclient import discovery, discovery_cache

from core.google.api import DEFAULT_TIMEOUT_S, CountingAuthorizedHttp, RequestCounter, normalise_root

# resource path -> methods kept
CALENDAR_METHODS = {"events": ("list", "instances", "insert", "patch", "delete")}
PEOPLE_METHODS = {"people.connections": ("list",)}


@functools.cache
def trimmed_document(name: str, version: str) -> str:
    keep = CALENDAR_METHODS if name == "calendar" else PEOPLE_METHODS
    doc = json.loads(discovery_cache.get_static_doc(name, version))
    resources: dict[str, Any] = {}
    for path, methods in keep.items():
        source: dict[str, Any] = doc
        target = resources
        parts = path.split(".")
        for i, part in enumerate(parts):
            source = source["resources"][part]
            node = target.setdefault(part, {})
            if i < len(parts) - 1:
                target = node.setdefault("resources", {})
        node["methods"] = {m: source["methods"][m] for m in methods}
    doc["resources"] = resources
    doc.pop("methods", None)
    doc["schemas"] = {key: {"id": key, "type": "object"} for key in doc.get("schemas", {})}
    return json.dumps(doc)


def _build(
    name: str,
    version: str,
    category: str,
    credentials: Any,
    api_root: str | None,
    counter: RequestCounter | None,
) -> Any:
    doc = json.loads(trimmed_document(name, version))
    if api_root is not None:
        root = normalise_root(api_root)
        doc["rootUrl"] = root
        doc["mtlsRootUrl"] = root
        doc["baseUrl"] = root + doc.get("servicePath", "")
    http = CountingAuthorizedHttp(
        credentials, category=category, counter=counter or RequestCounter(), timeout=DEFAULT_TIMEOUT_S
    )
    return discovery.build_from_document(doc, http=http)


def calendar_service(credentials: Any, api_root: str | None, counter: RequestCounter | None = None) -> Any:
    return _build("calendar", "v3", "calendar", credentials, api_root, counter)


def people_service(credentials: Any, api_root: str | None, counter: RequestCounter | None = None) -> Any:
    return _build("people", "v1", "people", credentials, api_root, counter)
