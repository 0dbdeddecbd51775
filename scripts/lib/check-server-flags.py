#!/usr/bin/env python3
"""Fails when docs/server.md's flag table and the server's `--help` (clap, from config.rs) disagree:
a flag without a row, a row naming a flag the server does not have, or a row whose Env column does
not name the flag's environment variable (in full, or as `…_SUFFIX` after a full name in the row); a hidden value (`[env: NAME]`) counts too.

Usage: scripts/lib/check-server-flags.py <docs/server.md> < help.txt   (`steam-login-server --help`)"""
import re
import sys
from pathlib import Path

IGNORED = {"--help", "--version"}


def help_flags(text):
    """{flag: env var or None} from clap's long help."""
    flags, current = {}, None
    for line in text.splitlines():
        option = re.match(r"^\s+(?:-\w, )?(--[a-z0-9-]+)", line)
        if option:
            current = option.group(1)
            flags[current] = None
            continue
        env = re.search(r"\[env: ([A-Z0-9_]+)[=\]]", line)
        if env and current:
            flags[current] = env.group(1)
    return {f: e for f, e in flags.items() if f not in IGNORED}


def table_rows(markdown):
    """[(flags of the first column, text of the second)] of the table whose header is Flag | Env."""
    rows, inside = [], False
    for line in markdown.splitlines():
        # Cells split at pipes that are not escaped (`allow\|deny`).
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]] if line.startswith("|") else None
        if cells is None:
            inside = False
            continue
        if cells[:2] == ["Flag", "Env"]:
            inside = True
            continue
        if inside and not set(cells[0]) <= set("-: "):
            rows.append((re.findall(r"--[a-z0-9-]+", cells[0]), cells[1] if len(cells) > 1 else ""))
    return rows


def env_named(env, column):
    if env in column:
        return True
    return any(env.endswith("_" + suffix) for suffix in re.findall(r"…_([A-Z0-9_]+)", column))


def main(doc_path):
    flags = help_flags(sys.stdin.read())
    if not flags:
        sys.exit("[flags] FAILED: no flags in the help text on stdin")
    rows = table_rows(Path(doc_path).read_text())
    problems, documented = [], {}
    for names, env_column in rows:
        for name in names:
            if name not in flags:
                problems.append(f"{name}: in {doc_path}'s table, but the server has no such flag")
            documented[name] = env_column
    for name, env in sorted(flags.items()):
        if name not in documented:
            problems.append(f"{name}: a flag of the server ({env or 'no env'}) with no row in {doc_path}")
        elif env and not env_named(env, documented[name]):
            problems.append(f"{name}: its row does not name its environment variable {env}")
    for problem in problems:
        print(f"[flags] FAILED: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"[flags] {len(flags)} flags of steam-login-server --help, each with its row and env in {doc_path}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
