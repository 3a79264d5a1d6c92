"""Playing the person at the browser during a Google sign-in against the emulator.

The emulator shows a real consent page (an HTML form); with `set_consent_account` it consents at once
instead. These helpers work either way: they read the page like a browser (form action, hidden fields,
the preselected account, ticked boxes) and submit it with Allow or Cancel.
"""

from __future__ import annotations

import html.parser
import http.client
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class ConsentForm:
    """The consent page's form, as a browser sees it."""

    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden inputs and ticked boxes
    accounts: list[str] = field(default_factory=list)  # the chooser's radio values
    chosen: str | None = None  # the preselected radio
    other_email: str = ""
    decisions: list[str] = field(default_factory=list)  # the submit buttons' values, in page order
    text: str = ""  # the page's visible text

    def body(self, decision: str, account: str | None = None) -> bytes:
        """The form as a browser submits it: `account` is a listed account, "other", or a typed address."""
        pairs = list(self.fields)
        choice = account if account is not None else self.chosen
        email = self.other_email
        if choice in self.accounts or choice == "other":
            pairs.append(("account", choice))
        elif choice is not None:  # typed under "Use another account"
            pairs.append(("account", "other"))
            email = choice
        pairs += [("email", email), ("decision", decision)]
        return urllib.parse.urlencode(pairs).encode()


class _FormReader(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form: ConsentForm | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = ConsentForm(action=a.get("action", ""))
        if self.form is None:
            return
        kind, name, value = a.get("type", ""), a.get("name", ""), a.get("value", "")
        if tag == "input" and (kind == "hidden" or (kind == "checkbox" and "checked" in a)):
            self.form.fields.append((name, value))
        elif tag == "input" and kind == "radio" and name == "account":
            if value != "other":
                self.form.accounts.append(value)
            if "checked" in a:
                self.form.chosen = value
        elif tag == "input" and name == "email":
            self.form.other_email = value
        elif tag == "button" and kind == "submit":
            self.form.decisions.append(value)

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def read_consent_page(url: str, timeout: float = 10.0) -> ConsentForm:
    """GET the authorization address and parse its consent form (fails if the address redirects at once)."""
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/html")
        page = resp.read().decode("utf-8")
    reader = _FormReader()
    reader.feed(page)
    assert reader.form is not None, page
    reader.form.text = " ".join("".join(reader._text).split())  # noqa: SLF001
    return reader.form


def submit_consent(
    url: str, decision: str = "allow", account: str | None = None, timeout: float = 10.0
) -> tuple[int, str]:
    """Open the consent page at `url` and press Allow/Cancel; returns (status, Location) of the answer
    without following it: the 302 to the loopback address (or 400 and the page's text on a problem)."""
    form = read_consent_page(url, timeout)
    target = urllib.parse.urljoin(url, form.action)
    parts = urllib.parse.urlsplit(target)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(
            "POST",
            f"{parts.path}?{parts.query}",
            body=form.body(decision, account),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        return resp.status, resp.getheader("Location") or text
    finally:
        conn.close()


def consent_redirect(
    url: str, timeout: float = 10.0, *, account: str | None = None, decision: str = "allow"
) -> str:
    """The address the browser is sent to after consent, not followed: what a user would paste back over
    SSH (http://localhost:PORT/?state=...&code=...). Works with the page and with scripted consent."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=timeout).close()
    except urllib.error.HTTPError as exc:
        if exc.code == 302:
            return exc.headers["Location"]
        raise
    status, location = submit_consent(url, decision, account, timeout)
    assert status == 302, (status, location)
    return location


def browse(
    url: str, timeout: float = 20.0, *, account: str | None = None, decision: str = "allow"
) -> tuple[int, str, str]:
    """Consent, then follow the redirect to the loopback listener, as a browser would.

    Returns (status, final URL, body) of the listener's page.
    """
    location = consent_redirect(url, timeout, account=account, decision=decision)
    try:
        with urllib.request.urlopen(
            location.replace("//localhost:", "//127.0.0.1:"), timeout=timeout
        ) as resp:
            return resp.status, location, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, location, exc.read().decode("utf-8", "replace")
