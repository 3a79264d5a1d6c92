"""The bad-argument corpus, generated from tables: every command x every option it validates x bad values.

`corpus()` gives (case id, argv) pairs; every one must be refused with exit 2, exactly one line on stderr
and not one byte of the data directory changed (tests/test_cli_fuzz.py). `STUDIO` describes the data dir
the cases run against (tests/test_cli_fuzz.py builds it; scripts/fuzz_cli.py reuses both for a larger
random fuzz that is not part of CI).

Placeholders in argv: {appt} an existing appointment id, {dir} a folder of input files, {home} the data dir.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

# -- bad values, by kind ----------------------------------------------------------------------------------
CONTROL = {
    "nl": "a\nb",
    "cr": "a\rb",
    "esc": "a\x1b[2Jb",
    "osc": "\x1b]0;owned\x07",
    "bel": "a\x07b",
    "c1": "a\x9bb",
    "ls": "a\u2028b",
    "ps": "a\u2029b",
    "rlo": "a\u202eb",
    "isolate": "a\u2066b",
    "tab": "a\tb",
    "del": "a\x7fb",
    "nul": "a\x00b",
}
NON_UTF8 = {"latin1": "caf\udce9", "bytes": "\udcff\udcfe", "half": "ok\udce2\udc82"}
BAD_TEXT = {**CONTROL, **NON_UTF8}
# Options checked by the same one-line rule need not see every variant: a sample of each family.
SAMPLE = {k: BAD_TEXT[k] for k in ("nl", "cr", "esc", "c1", "ls", "rlo", "tab", "latin1")}
BAD_NAME = {**BAD_TEXT, "empty": "", "blank": "   ", "long201": "x" * 201, "huge128k": "x" * 131072}
BAD_TITLE = {**BAD_TEXT, "empty": "", "blank": "   ", "long501": "t" * 501, "huge128k": "t" * 131072}
BAD_NOTES = {**NON_UTF8, "over64k": "n" * (64 * 1024 + 1), "huge1m": "n" * (1024 * 1024)}
BAD_LOGIN_FORMAT = {
    **BAD_TEXT,
    "upper": "Ann",
    "digit": "9lives",
    "space": "a b",
    "long33": "x" * 33,
    "trailing_nl": "ann\n",
    "empty": "",
}
BAD_LOGIN = {**BAD_LOGIN_FORMAT, "unknown": "ghost"}
BAD_WHEN = {
    **BAD_TEXT,
    "year9999": "9999-12-31",
    "year1": "0001-01-01",
    "year1899": "1899-12-31T10:00",
    "year2201": "2201-01-01T09:00",
    "max": "9999-12-31T23:59:59",
    "offset_max": "9999-12-31T23:00-12:00",
    "dst_gap": "2027-03-28T02:30",
    "dst_gap_edge": "2027-03-28T02:00",
    "feb30": "2027-02-30",
    "hour25": "2027-01-05T25:00",
    "words": "tomorrow",
    "empty": "",
    "time_only": "10:00",
}
BAD_EMAIL = {
    **SAMPLE,
    "no_at": "no-at",
    "no_dot": "a@b",
    "header": "a@b.com\nBcc: x@y.z",
    "space": "ann@exa mple.com",
    "ip": "a@1.2.3.4",
    "empty": "",
    "long": "a" * 250 + "@b.com",
}
BAD_HOST = {
    **BAD_TEXT,
    "path": "/etc/passwd",
    "space": "smtp example.com",
    "dash": "-bad.example.com",
    "dots": "a..b",
    "url": "http://smtp.example.com",
    "long": "x" * 300,
    "empty": "",
    "at": "user@smtp.example.com",
    "port": "smtp.example.com:25",
}
BAD_PORT = {"zero": "0", "big": "65536", "word": "abc", "neg": "-1", "empty": "", **NON_UTF8}
BAD_ZONE = {
    **SAMPLE,
    "mars": "Mars/Olympus",
    "dotdot": "../etc/passwd",
    "abs": "/etc/localtime",
    "trailing_nl": "Europe/Berlin\n",
    "empty": "",
    "space": " Europe/Berlin",
}
BAD_SECRETS = {
    **SAMPLE,
    "missing": "{dir}/missing.json",
    "latin1": "{dir}/latin1.json",
    "devzero": "/dev/zero",
    "devnull": "/dev/null",
    "fifo": "{dir}/fifo.json",
    "directory": "{dir}",
    "big": "{dir}/big.json",
    "notjson": "{dir}/notjson.json",
    "list": "{dir}/list.json",
    "service": "{dir}/service.json",
    "empty_file": "{dir}/empty.json",
}
BAD_URL = {
    **SAMPLE,
    "ftp": "ftp://example.com/",
    "port0": "http://127.0.0.1:0/",
    "userinfo": "http://u@127.0.0.1:8765/",
    "query": "http://127.0.0.1:8765/?q=1",
    "words": "not a url",
    "service_path": "https://www.googleapis.com/calendar/v3/",
    "empty": "",
}
BAD_SCHEDULE = {
    **SAMPLE,
    "short": "* * *",
    "hour25": "0 25 * * *",
    "unit": "5x",
    "words": "every day",
    "empty": "",
    "zero": "0s",
}
BAD_OPTION = {
    **SAMPLE,
    "nokv": "keep",
    "word": "keep=abc",
    "range": "keep=0",
    "unknown": "nokey=1",
    "empty": "",
}
BAD_SECONDS = {"zero": "0", "neg": "-1", "word": "abc", "day": "90000", **NON_UTF8}
BAD_COUNT = {"zero": "0", "neg": "-1", "word": "x", **NON_UTF8}
BAD_LEVEL = {**SAMPLE, "loud": "LOUD", "empty": ""}
BAD_LINES = {"neg": "-1", "word": "x", **NON_UTF8}
BAD_APPT_ID = {**SAMPLE, "missing": "0" * 32, "short": "nope", "empty": ""}
BAD_JOB = {**SAMPLE, "unknown": "nope", "empty": ""}
BAD_GROUP = {**BAD_TEXT, "long81": "g" * 81, "empty": "", "blank": "  "}
BAD_STATUS = {"cancelled": "cancelled", "upper": "CONFIRMED", **NON_UTF8}
BAD_KIND = {"robot": "robot", **NON_UTF8}
BAD_STORE_FILE = {**SAMPLE, "outside": "/etc/passwd", "dotdot": "../secrets/x.json", "empty": ""}
BAD_BACKUP = {**SAMPLE, "words": "yesterday", "missing": "2001-01-01_000000"}
BAD_PHONE = {**SAMPLE, "long": "1" * 65}
BAD_AFTER = {"zero": "0", "big": "101", "word": "x", **NON_UTF8}
BAD_HOME = {
    **CONTROL,
    **NON_UTF8,
    "empty": "",
    "blank": " ",
    "file": "{dir}/latin1.json",
    "through_file": "{dir}/latin1.json/x",
}

APPT = ["--title", "T", "--start", "2027-01-05T10:00", "--end", "2027-01-05T11:00"]
EMAIL = ["--host", "smtp.example.com", "--port", "587", "--from", "studio@example.com"]

# (command argv, {option: bad values}). An option is a flag ("--title") whose value in argv is replaced, or
# "@N": the N-th positional word of argv. Every bad value of every option makes one case.
COMMANDS: list[tuple[list[str], dict[str, dict[str, str]]]] = [
    (
        ["users", "add", "newbie", "--name", "N", "--kind", "staff"],
        {"@2": BAD_LOGIN_FORMAT, "--name": BAD_NAME, "--kind": BAD_KIND},
    ),
    (["users", "remove", "cal"], {"@2": BAD_LOGIN}),
    (["users", "passwd", "cal", "--clear"], {"@2": BAD_LOGIN}),
    (["groups", "add", "New"], {"@2": BAD_GROUP}),
    (["groups", "rename", "VIP", "Gold"], {"@2": SAMPLE, "@3": BAD_GROUP}),
    (["groups", "remove", "Unused"], {"@2": SAMPLE}),
    (
        ["clients", "add", "Dee", "--email", "dee@example.com", "--phone", "+44 1", "--group", "VIP"],
        {"@2": BAD_NAME, "--email": BAD_EMAIL, "--phone": BAD_PHONE, "--group": SAMPLE},
    ),
    (["clients", "list", "--group", "VIP"], {"--group": SAMPLE}),
    (
        ["appointments", "add", "ann", *APPT, "--status", "tentative", "--notes", "n"],
        {
            "@2": BAD_LOGIN,
            "--title": BAD_TITLE,
            "--start": BAD_WHEN,
            "--end": BAD_WHEN,
            "--status": BAD_STATUS,
            "--notes": BAD_NOTES,
        },
    ),
    (["appointments", "list", "ann"], {"@2": BAD_LOGIN}),
    (["appointments", "show", "{appt}"], {"@2": BAD_APPT_ID}),
    (
        ["appointments", "edit", "{appt}", "--title", "T2", "--status", "tentative"],
        {"@2": BAD_APPT_ID, "--title": BAD_TITLE, "--status": BAD_STATUS},
    ),
    (["appointments", "edit", "{appt}", "--start", "2027-01-05T09:00"], {"--start": BAD_WHEN}),
    (["appointments", "edit", "{appt}", "--end", "2027-01-05T12:00"], {"--end": BAD_WHEN}),
    (["appointments", "edit", "{appt}", "--notes", "n2"], {"--notes": BAD_NOTES}),
    (["appointments", "delete", "{appt}"], {"@2": BAD_APPT_ID}),
    (
        ["prefs", "email", *EMAIL, "--security", "starttls", "--username", "studio"],
        {
            "--host": BAD_HOST,
            "--port": BAD_PORT,
            "--from": BAD_EMAIL,
            "--username": SAMPLE,
            "--security": {"tls": "tls", **NON_UTF8},
        },
    ),
    (["prefs", "email", "--test", "ann@example.com"], {"--test": BAD_EMAIL}),
    (["prefs", "timezone", "Europe/Berlin"], {"@2": BAD_ZONE}),
    (
        [
            "prefs",
            "google",
            "--client-secrets",
            "{dir}/good.json",
            "--api-endpoint",
            "http://127.0.0.1:8765/",
        ],
        {"--client-secrets": BAD_SECRETS, "--api-endpoint": BAD_URL},
    ),
    (["prefs", "escalation", "--after", "3"], {"--after": BAD_AFTER}),
    (
        ["google", "auth", "ann", "--account", "ann@example.com", "--timeout", "5"],
        {"@2": BAD_LOGIN, "--account": SAMPLE, "--timeout": BAD_SECONDS},
    ),
    (["google", "auth", "room"], {}),
    (["google", "remove", "ann"], {"@2": {k: v for k, v in BAD_LOGIN.items() if k != "empty"}}),
    (["google", "calendars", "ann"], {"@2": BAD_LOGIN}),
    (["google", "show", "ann"], {"@2": BAD_LOGIN}),
    (
        ["google", "set", "ann", "--warn-email", "ann@example.com", "--client-group", "VIP"],
        {"@2": BAD_LOGIN, "--warn-email": BAD_EMAIL, "--client-group": SAMPLE},
    ),
    (["google", "set", "ann", "--calendar", "ann@example.com"], {"--calendar": SAMPLE}),
    (
        ["jobs", "set", "backup", "--schedule", "0 3 * * *", "--computer", "studio-pc", "--option", "keep=5"],
        {"@2": BAD_JOB, "--schedule": BAD_SCHEDULE, "--computer": SAMPLE, "--option": BAD_OPTION},
    ),
    (["jobs", "run", "backup"], {"@2": BAD_JOB}),
    (["jobs", "history", "backup", "--limit", "5"], {"@2": BAD_JOB, "--limit": BAD_COUNT}),
    (
        ["logs", "--level", "INFO", "--lines", "5", "--user", "ann", "--job", "backup"],
        {
            "--level": BAD_LEVEL,
            "--lines": BAD_LINES,
            "--user": BAD_LOGIN_FORMAT,  # a user removed since may still have lines: only the form is checked
            "--job": {k: v for k, v in BAD_JOB.items() if k != "unknown"},
        },
    ),
    (["sync", "ann"], {"@1": BAD_LOGIN}),
    (["sync", "ann", "--allow-deletions"], {"@1": BAD_LOGIN}),
    (["sync", "ann", "--restore-deleted"], {"@1": BAD_LOGIN}),
    (
        ["prefs", "deletions", "--max-count", "10", "--max-percent", "25"],
        {
            "--max-count": {"neg": "-1", "word": "x", "float": "1e3", "big": "100001", **NON_UTF8},
            "--max-percent": {"neg": "-1", "word": "x", "big": "101", "float": "2.5", **NON_UTF8},
        },
    ),
    (
        ["doctor", "--send-test", "ann@example.com", "--timeout", "1"],
        {"--send-test": BAD_EMAIL, "--timeout": BAD_SECONDS},
    ),
    (["backup", "list", "store/studio.json"], {"@2": BAD_STORE_FILE}),
    (
        ["backup", "restore", "store/studio.json", "--from", "2001-01-01_000000"],
        {"@2": BAD_STORE_FILE, "--from": BAD_BACKUP},
    ),
]
# Commands that must refuse a bad --home before anything (one case per bad home value each).
HOME_COMMANDS = [
    ["users", "list"],
    ["appointments", "add", "ann", *APPT],
    ["prefs", "show"],
    ["logs"],
    ["doctor"],
]
# Wrong words, unknown options, missing arguments: argparse's own refusals, still one line.
SYNTAX = [
    ["nope"],
    ["users"],
    ["users", "add"],
    ["users", "add", "x"],
    ["users", "list", "--nope"],
    ["appointments", "add", "ann"],
    ["appointments", "edit"],
    ["prefs", "google"],
    ["prefs", "email"],
    ["jobs", "set", "backup"],
    ["backup"],
    ["backup", "restore"],
    ["google", "set"],
    ["sync", "--json", "--nope"],
    ["logs", "--lines"],
]
# Invalid-argument cases whose "bad value" is only invalid in that combination of options.
COMBOS = [
    ["prefs", "email", *EMAIL, "--security", "none", "--username", "u", "--password-stdin"],  # plaintext
    ["prefs", "email", *EMAIL, "--password-stdin"],  # a password needs a username
    ["prefs", "google", "--api-endpoint", "http://127.0.0.1:8765/"],
    [
        "appointments",
        "add",
        "ann",
        "--title",
        "T",
        "--start",
        "2027-01-05T10:00",
        "--end",
        "2027-01-05T09:00",
    ],
    ["appointments", "add", "ann", "--title", "T", "--start", "2027-01-05", "--end", "2027-01-05T09:00"],
    [
        "appointments",
        "add",
        "room",
        *APPT[:0],
        "--title",
        "T",
        "--start",
        "2027-01-05T10:00",
        "--end",
        "2027-01-05T09:00",
    ],
    ["users", "add", "ann", "--name", "Ann again"],
    ["groups", "add", "vip"],
    ["google", "set", "room", "--enable"],
    ["google", "set", "ann", "--contacts", "--client-group", "Nope"],
    ["jobs", "set", "backup"],
]


def _replace(argv: list[str], option: str, value: str) -> list[str]:
    out = list(argv)
    if option.startswith("@"):
        out[int(option[1:])] = value
        return out
    i = out.index(option)
    out[i + 1] = value
    return out


def corpus() -> Iterator[tuple[str, list[str]]]:
    """(case id, argv) for every case, in a stable order."""
    seen: dict[str, int] = {}
    for argv, options in COMMANDS:
        words = "-".join(w for w in argv[:2] if not w.startswith("{"))
        seen[words] = seen.get(words, 0) + 1
        words += f"#{seen[words]}" if seen[words] > 1 else ""
        for option, values in options.items():
            for name, value in values.items():
                yield f"{words}{option}={name}", _replace(argv, option, value)
        # Undecodable bytes in ANY argument, the valid-looking ones included, are refused before anything.
        for i, word in enumerate(argv):
            yield f"{words}[{i}]=nonutf8", [*argv[:i], word + "\udce9", *argv[i + 1 :]]
    for argv, (name, value) in itertools.product(HOME_COMMANDS, BAD_HOME.items()):
        yield f"home={name}:{'-'.join(argv[:2])}", ["--home", value, *argv]
    for argv in SYNTAX:
        yield "syntax:" + " ".join(argv), list(argv)
    for argv in COMBOS:
        yield "combo:" + " ".join(a for a in argv if not a.startswith("20")), list(argv)
