"""The control API's routing helper: the path prefix and a decorator factory that turns a handler's
JSON-able result (or a control/API error) into a response. routes.py and routes_google.py both use it, so
neither imports the other's module for it. Must never import anything outside the emulator package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ApiError, ControlError
from ..wire import Request, Response, Router

P = "/_emulator"
Route = Callable[[str, str], Callable[[Callable[..., Any]], Callable[..., Any]]]


def flag(req: Request, name: str) -> bool:
    return (req.arg(name) or "").lower() in ("1", "true", "yes")


def route_maker(r: Router) -> Route:
    """A decorator factory: `@route("GET", path)` registers a handler returning JSON-able data."""

    def route(method: str, pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
            def handler(req: Request, **params: str) -> Response:
                try:
                    result = fn(req, **params)
                except ControlError as err:
                    return Response.json({"error": str(err)}, 400)
                except ApiError as err:
                    return Response.error(err)
                except (KeyError, TypeError, ValueError) as err:
                    return Response.json({"error": f"bad request: {err}"}, 400)
                return result if isinstance(result, Response) else Response.json(result)

            r.add(method, pattern, handler)
            return fn

        return wrap

    return route
