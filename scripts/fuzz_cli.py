"""A larger random fuzz of the command line (run by hand, not in CI): random mutations of the corpus's
command tables with a seed of your choice, through the real entry point, against a throw-away studio.

    .venv/bin/python scripts/fuzz_cli.py --seed 7 --cases 3000

Invariants checked for every command line: no exception escapes main, no traceback and no "internal
error" on stderr, the exit code is 0, 1 or 2, and an exit 2 prints exactly one line on stderr and leaves
the data directory byte-identical. Findings are grouped by their first stderr line and printed with one
reproducing command line each; the exit status is the number of distinct findings (capped at 100).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import fuzz_corpus as fc  # noqa: E402
from tests.test_cli_fuzz import build_studio, expand, fingerprint  # noqa: E402

# Commands that could block (a browser sign-in, a network test mail) get safe values forced in.
FORCED = {"--timeout": "0.2"}
SKIP = {("prefs", "email", "--test"), ("google", "auth")}
TABLES = [v for k, v in vars(fc).items() if k.startswith("BAD_") and isinstance(v, dict)]


def random_text(rnd: random.Random) -> str:
    """Random code points: controls, surrogate escapes, bidi, astral, long runs."""
    pools = [
        lambda: chr(rnd.randrange(0, 0x20)),
        lambda: chr(rnd.randrange(0x7F, 0xA0)),
        lambda: chr(rnd.choice([0x2028, 0x2029, 0x202E, 0x2066, 0x200F, 0xFEFF, 0x200B])),
        lambda: chr(rnd.randrange(0xDC80, 0xDD00)),
        lambda: chr(rnd.randrange(0x20, 0x7F)),
        lambda: chr(rnd.randrange(0xA0, 0x3000)),
        lambda: chr(rnd.randrange(0x10000, 0x10FFFF)),
    ]
    n = rnd.choice([0, 1, 2, 5, 20, 300, 5000])
    return "".join(rnd.choice(pools)() for _ in range(n))


def mutate(rnd: random.Random, argv: list[str]) -> list[str]:
    out = list(argv)
    for _ in range(rnd.randint(1, 3)):
        roll = rnd.random()
        i = rnd.randrange(len(out)) if out else 0
        if roll < 0.35 and out:
            out[i] = rnd.choice(list(rnd.choice(TABLES).values()))
        elif roll < 0.55 and out:
            out[i] = random_text(rnd)
        elif roll < 0.65 and out:
            out[i] = out[i] + random_text(rnd)
        elif roll < 0.75 and out:
            del out[i]
        elif roll < 0.85:
            out.insert(i, rnd.choice(["--json", "--home", "--", "-", "--help=x", "--title", "-n", "--from"]))
        elif out:
            j = rnd.randrange(len(out))
            out[i], out[j] = out[j], out[i]
    for flag, value in FORCED.items():
        if flag in out[:-1]:
            out[out.index(flag) + 1] = value
    return out


def blocked(argv: list[str]) -> bool:
    words = tuple(argv[:2])
    return any(set(skip) <= set(argv) or words == skip for skip in SKIP) or (
        argv[:1] in (["serve"], ["console"], ["demo"])
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    base = Path(tempfile.mkdtemp(prefix="studiosync-fuzz-"))
    os.chdir(base)  # a mutated --home may be a relative path: keep whatever it creates in the throw-away dir
    os.environ["XDG_DATA_HOME"] = str(base / "xdg")
    home = base / "home"
    with contextlib.redirect_stdout(io.StringIO()):
        places = build_studio(home, base / "files")
    from studiosync.tui.cli import main as studiosync

    rnd = random.Random(args.seed)
    templates = [argv for argv, _ in fc.COMMANDS] + fc.HOME_COMMANDS + fc.COMBOS
    findings: dict[str, list[str]] = {}
    ran = 0
    while ran < args.cases:
        argv = mutate(rnd, rnd.choice(templates))
        if blocked(argv):
            continue
        ran += 1
        full = ["--home", str(home), *expand(argv, places)]
        before = fingerprint(home)
        out, err = io.StringIO(), io.StringIO()
        # What --password-stdin reads: usually a password, sometimes bytes that are not UTF-8 at all.
        stdin = rnd.choice(
            [
                b"secret\n",
                b"",
                b"\xff\xfe pw\n",
                b"pw\x1b[2J\n",
                random_text(rnd).encode("utf-8", "surrogateescape"),
            ]
        )
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = studiosync(full)
        except SystemExit as exc:
            code = exc.code
        except BaseException as exc:  # noqa: BLE001 - that is the finding
            code = f"raised {type(exc).__name__}: {exc}"
        text = err.getvalue()
        problem = None
        if not isinstance(code, int) or code not in (0, 1, 2):
            problem = f"exit {code!r}"
        elif "Traceback" in text or "internal error" in text:
            problem = "internal error"
        elif code == 2 and len(text.splitlines()) != 1:
            problem = f"exit 2 with {len(text.splitlines())} stderr lines"
        elif code == 2 and fingerprint(home) != before:
            problem = "exit 2 but the data directory changed"
        if problem:
            first = (text.splitlines() or [""])[0][:160]
            findings.setdefault(f"{problem}: {first}", []).append(repr(argv))
    print(f"{ran} random command lines, seed {args.seed}: {len(findings)} distinct finding(s)")
    for key, examples in sorted(findings.items()):
        print(f"- {key} ({len(examples)}x), e.g. studiosync {examples[0]}")
    return min(len(findings), 100)


if __name__ == "__main__":
    raise SystemExit(main())
