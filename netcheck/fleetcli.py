"""The `netcheck fleet` command's options, output and exit code (the engine is fleetrun.py)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netcheck import validate
from netcheck.validate import UsageError

if TYPE_CHECKING:
    from netcheck.settings import Settings

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


MAX_WHERE = 2000   # a KQL condition longer than this is not one a person wrote
EXIT_CODES = """exit codes:
  0    nothing failed in any workspace
  1    a workspace failed a check
  2    bad usage or input, including a --where Resource Graph refuses
  3    nothing failed, but something could not be decided: a workspace that could not be checked, or a
       subscription or management group that could not be read
"""


def where_condition(value: str) -> str:
    """`--where`: passed to Resource Graph as written (it judges the KQL); only its size and lines here."""
    if not value.strip() or len(value) > MAX_WHERE or any(c in value for c in "\r\n\x00|"):
        raise argparse.ArgumentTypeError(f"a KQL condition on one line, without '|', at most {MAX_WHERE} characters")
    return value


def concurrency(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 256:
        raise argparse.ArgumentTypeError("a whole number from 1 to 256")
    return int(value)


def add_scope_options(p: argparse.ArgumentParser, with_subscriptions: bool = True) -> None:
    g = p.add_argument_group("fleet (default: every subscription the credential can read)")
    if with_subscriptions:
        g.add_argument("-s", "--subscription", dest="subscriptions", action="append", default=[], nargs="+",
                       type=validate.option(validate.subscription), metavar="ID", help="subscriptions to check (repeatable)")
    g.add_argument("--management-group", dest="management_groups", action="append", default=[], metavar="MG",
                   type=validate.option(validate.resource_group), help="a management group to check (repeatable)")
    g.add_argument("--where", type=where_condition, metavar="KQL",
                   help="a Resource Graph condition on the workspaces, e.g. \"tags.env == 'prod'\"")
    g.add_argument("--arm-concurrency", type=concurrency, default=16, metavar="N",
                   help="ARM requests in flight for the whole fleet (default 16)")


def add_options(p: argparse.ArgumentParser) -> None:
    """`netcheck fleet`'s own options."""
    add_scope_options(p)
    from netcheck.clouds import CLOUDS

    p.epilog = EXIT_CODES
    p.add_argument("--cloud", choices=sorted(CLOUDS), default="AzureCloud", help="default AzureCloud")
    p.add_argument("--arm-endpoint", type=validate.option(validate.arm_endpoint), metavar="URL",
                   help="ARM base URL (private clouds, the simulator)")
    p.add_argument("--ca-bundle", type=Path, metavar="PEM", help="trusted CAs (default: the system store)")
    r = p.add_argument_group("output")
    r.add_argument("--json", action="store_true", help="same as --format json")
    r.add_argument("--format", "--output", "-o", dest="output", choices=validate.FORMATS)
    r.add_argument("--out", type=Path, metavar="FILE", help="write the report to FILE")
    r.add_argument("--no-tui", action="store_true", help="plain text even on a terminal")


def scope_of(args: argparse.Namespace) -> Any:
    from netcheck.azure.fleet import Scope

    subs = getattr(args, "subscriptions", None)
    if subs is None:   # `demo`: its -s is one subscription
        subs = [[args.subscription]] if getattr(args, "subscription", None) else []
    flat = tuple(dict.fromkeys(s for group in subs for s in group))
    return Scope(subscriptions=flat, management_groups=tuple(dict.fromkeys(args.management_groups)), where=args.where)


def _format(args: argparse.Namespace) -> str | None:
    """The report format, or None for the fleet TUI: chosen as a single run's (render.chosen_format)."""
    from netcheck.render import chosen_format

    try:
        return chosen_format(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def progress(done: int, total: int) -> None:
    sys.stderr.write(f"\r\x1b[Knetcheck: workspaces {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run(settings: Settings, args: argparse.Namespace, run_async: Runner) -> int:
    """Check the fleet and write its report; the exit code as a single run's (see fleetmodel)."""
    from netcheck.fleetmodel import fleet_exit_code
    from netcheck.fleetrun import FleetFailed, FleetInputError, Options, run_fleet, unchecked
    from netcheck.output import write_report, write_stream
    from netcheck.probes import CATALOG
    from netcheck.redact import redact_text
    from netcheck.render.fleet_formats import render_fleet

    fmt, options = _format(args), Options(scope_of(args), args.arm_concurrency)
    try:
        if fmt is None:   # the TUI shows the progress, then the fleet; the check runs in a thread of its own
            from netcheck.tui.fleet import run_fleet_tui

            report = run_fleet_tui(lambda shown: run_async(run_fleet(settings, options, CATALOG, shown)))
        else:
            report = run_async(run_fleet(settings, options, CATALOG, progress if sys.stderr.isatty() else None))
    except FleetInputError as exc:
        raise UsageError(redact_text(str(exc))) from None
    except FleetFailed as exc:
        print(redact_text(f"netcheck: fleet not checked: {exc}"), file=sys.stderr)
        return 3
    for note in report.notes:
        if note.endswith(": not checked"):
            print(redact_text(f"netcheck: {note}"), file=sys.stderr)
    code = fleet_exit_code(report)
    code = 3 if code == 0 and unchecked(report) else code
    if fmt is None:
        return code
    text = render_fleet(fmt, report, color=fmt == "text" and args.out is None and sys.stdout.isatty()
                        and not os.environ.get("NO_COLOR"))
    if args.out is not None:
        try:
            write_report(args.out, text)
        except OSError as exc:
            raise UsageError(f"argument --out: cannot write {str(args.out)!r}: {exc.strerror or exc}") from None
        print(f"netcheck: fleet {report.verdict.value}; {fmt} report written to {args.out}", file=sys.stderr)
    else:
        write_stream(sys.stdout, text, fmt)
    return code


def settings_for(args: argparse.Namespace, env: dict[str, str] | os._Environ[str]) -> Settings:
    """Settings for a fleet run outside the simulator: the cloud, the ARM endpoint, the token."""
    from netcheck.settings import Settings

    return Settings(cloud=args.cloud, arm_endpoint=args.arm_endpoint, arm_token=validate.arm_token(env),
                    ca_bundle=args.ca_bundle)
