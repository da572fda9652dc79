"""`--fix-plan FILE` and `netcheck fixes --from REPORT`: a report's fix plan as a shell script that a person
reviews and runs; netcheck never runs it. Built from the JSON report, so a live run and a saved report give
the same script."""

from __future__ import annotations

import re
import shlex
from typing import Any

from netcheck.render.common import safe_text

# Characters that bash would show raw inside single quotes (newlines, escapes): written as $'\xNN' instead.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PLACEHOLDER = re.compile(r"<[a-z][a-z0-9-]*>")
_OPTION_NAMES = {"--name": "name", "-n": "name", "--resource-group": "resource group", "-g": "resource group",
                 "--registry-name": "registry", "--vault-name": "vault", "--zone-name": "zone",
                 "--workspace-name": "workspace", "-z": "zone", "--vnet-name": "VNet",
                 "--virtual-network": "VNet", "-v": "VNet",
                 "--id": "id", "--ids": "id", "--scope": "scope", "--role": "role", "--assignee": "assignee"}


def quote(arg: str) -> str:
    """One argument, shell-quoted and readable: plain where safe, '...' else, $'...' when it holds controls."""
    if not _CONTROL.search(arg):
        return shlex.quote(arg)
    body = "".join(f"\\x{ord(c):02x}" if ord(c) < 0x100 and _CONTROL.fullmatch(c)
                   else f"\\u{ord(c):04x}" if _CONTROL.fullmatch(c)
                   else "\\" + c if c in "\\'" else c for c in arg)
    return f"$'{body}'"


def command_line(command: str) -> str:
    """A fix command re-quoted argument by argument (the probes build them with shlex.join)."""
    return " ".join(quote(a) for a in shlex.split(command))


def changes(command: str) -> str:
    """What a command changes, for its comment: the az command and the names it acts on."""
    argv = shlex.split(command)
    words = [a for a in argv[:next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))]]
    named = [f"{_OPTION_NAMES[a]} {argv[i + 1]!r}" for i, a in enumerate(argv[:-1]) if a in _OPTION_NAMES]
    return safe_text(" ".join(words) + (f" ({', '.join(named)})" if named else ""))


def _command(command: str) -> list[str]:
    """A command with its comment; one with a placeholder (`<vm-id>`) or that doesn't parse stays commented
    out, so the script never runs a half-made command."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return [_comment(f"not a complete command line; run by hand after review: {command}")]
    line = command_line(command)
    if holes := [a for a in argv if _PLACEHOLDER.fullmatch(a)]:
        return [_comment(f"changes: {changes(command)}"),
                _comment(f"fill in {', '.join(holes)}, then remove the '# ' before the command:"),
                _comment(line)]
    return [_comment(f"changes: {changes(command)}"), line]


def _comment(text: str) -> str:
    """A comment line that stays one line, whatever the report's text holds."""
    return "# " + safe_text(text.replace("\n", " ").replace("\r", " "))


def script(doc: dict[str, Any]) -> str:
    """The fix plan of a `netcheck.report/2` document as a bash script, steps in the plan's order (the order
    the report's causes come in: configuration before the network), each command once."""
    target = doc.get("target") or {}
    where = "/".join(str(target.get(k)) for k in ("subscription", "resource_group", "workspace") if target.get(k))
    lines = ["#!/usr/bin/env bash",
             _comment(f"netcheck fix plan for {where or 'the hosts checked'} (report of {doc.get('started')})"),
             "# Review every step before you run it: netcheck wrote this script and ran none of it.",
             "# Afterwards: netcheck --rerun REPORT.json re-checks what did not pass; netcheck diff OLD NEW compares.",
             "set -euo pipefail", ""]
    plan = doc.get("fix_plan") or []
    if not plan:
        lines.append("# Nothing to fix: the report has no problem with a fix.")
    for n, step in enumerate(plan, 1):
        lines.append(_comment(f"Step {n}: {step['summary']}"))
        first, *more = step["resolves"] or ["(no result named)"]
        lines.append(_comment(f"fixes: {first}"))
        lines += [_comment(f"       {rid}") for rid in more]
        if step.get("docs"):
            lines.append(_comment(f"docs: {step['docs']}"))
        if not step["commands"]:
            lines.append("# (no command: a change to make by hand, as described above)")
        for c in step["commands"]:
            lines += _command(c)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
