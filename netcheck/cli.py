"""The command line: parses and validates every input, runs, renders, exits. Nothing else exits."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from netcheck import __version__, validate
from netcheck.clouds import CLOUDS
from netcheck.settings import AZURE_DNS, ScoreRequest, Settings
from netcheck.validate import FORMATS, UsageError

if TYPE_CHECKING:
    from netcheck.model import Report
    from netcheck.probe import Probe

T = TypeVar("T")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _add_check_options(p: argparse.ArgumentParser) -> None:
    d = Settings()   # the defaults the help names are the settings' own
    t = p.add_argument_group("target (defaults: az configure --defaults, AZURE_SUBSCRIPTION_ID)")
    t.add_argument("-s", "--subscription", type=validate.option(validate.subscription), metavar="ID", help="subscription id")
    t.add_argument("-g", "--resource-group", "--group", dest="resource_group", type=validate.option(validate.resource_group),
                   metavar="NAME", help="the workspace's resource group")
    t.add_argument("-w", "--workspace", type=validate.option(validate.workspace), metavar="NAME", help="workspace name")
    t.add_argument("-e", "--endpoint", dest="endpoints", action="append", default=[], metavar="NAME",
                   type=validate.option(validate.endpoint), help="online endpoint (repeatable; default: all)")
    t.add_argument("--cloud", choices=sorted(CLOUDS), default="AzureCloud", help="default AzureCloud")
    t.add_argument("--inventory", type=Path, metavar="FILE",
                   help="run from facts written by `netcheck collect` (no ARM calls)")
    t.add_argument("--arm-endpoint", type=validate.option(validate.arm_endpoint), metavar="URL",
                   help="ARM base URL (private clouds, the simulator)")
    n = p.add_argument_group("network")
    n.add_argument("--no-azure", action="store_true", help="network probes only; name what to test below")
    n.add_argument("--host", dest="hosts", action="append", default=[], type=validate.option(validate.fqdn), metavar="FQDN",
                   help="a name to resolve and reach (repeatable)")
    n.add_argument("--vnet-cidr", dest="vnet_cidrs", action="append", default=[], type=validate.option(validate.cidr),
                   metavar="CIDR", help="the VNet's address space, to judge answers by (repeatable)")
    n.add_argument("--resolver", type=validate.option(validate.address), metavar="ADDR[:PORT]",
                   help="DNS server to use as the system resolver (default: /etc/resolv.conf)")
    n.add_argument("--azure-dns", type=validate.option(validate.address), default=AZURE_DNS, metavar="ADDR[:PORT]",
                   help=f"Azure DNS (default {AZURE_DNS[0]}:{AZURE_DNS[1]})")
    n.add_argument("--dns-server", dest="dns_servers", action="append", default=[], metavar="ADDR[:PORT]",
                   type=validate.option(validate.address), help="a custom DNS server to compare (repeatable)")
    n.add_argument("--connect-to", action="append", default=[], type=validate.option(validate.connect_to),
                   metavar="HOST:PORT:ADDR:PORT", help="send traffic for HOST:PORT to ADDR:PORT, as curl does "
                   "(repeatable; empty HOST: any)")
    n.add_argument("--ca-bundle", type=Path, metavar="PEM", help="trusted CAs (default: the system store)")
    n.add_argument("--dns-rounds", type=validate.option(validate.rounds), default=None, metavar="N",
                   help=f"how often dns.stability asks each resolver each name (default {d.stability_rounds})")
    n.add_argument("--dns-spacing", type=validate.option(validate.spacing), default=None, metavar="SECONDS",
                   help=f"time between those rounds (default {d.stability_spacing:g})")
    s = p.add_argument_group("scoring (opt-in)")
    s.add_argument("--score", action="store_true", help="send one scoring request")
    s.add_argument("--score-key-file", type=Path, metavar="FILE",
                   help="file holding the key or token (else NETCHECK_SCORE_KEY)")
    s.add_argument("--score-body", type=Path, metavar="FILE", help="JSON body for the scoring request")
    s.add_argument("--request-id", type=validate.option(validate.request_id), metavar="ID",
                   help="x-ms-client-request-id to send")
    s.add_argument("--deployment", type=validate.option(validate.endpoint), metavar="NAME",
                   help="deployment to score (azureml-model-deployment header)")
    r = p.add_argument_group("run and output")
    r.add_argument("--only", action="append", default=[], type=validate.option(validate.glob), metavar="PATTERN",
                   help="run only these probes: ids or globs, e.g. 'dns.*' (repeatable)")
    r.add_argument("--skip", action="append", default=[], type=validate.option(validate.glob), metavar="PATTERN",
                   help="leave these probes out (repeatable)")
    r.add_argument("--timeout", type=validate.option(validate.timeout), default=None, metavar="SECONDS",
                   help=f"per probe (default {d.timeout:g})")
    r.add_argument("--strict", action="store_true", help="warn counts as fail for the exit code")
    r.add_argument("--json", action="store_true", help="same as --output json")
    r.add_argument("--output", "-o", choices=FORMATS)
    r.add_argument("--out", type=Path, metavar="FILE",
                   help="write the report to FILE (format from --output or the extension)")
    r.add_argument("--fix-plan", type=Path, metavar="FILE",
                   help="also write the fixes as a bash script to review and run yourself (netcheck runs none)")
    r.add_argument("--rerun", type=Path, metavar="REPORT",
                   help="re-check only what did not pass in REPORT (a --json report): same target, probes, subjects")
    r.add_argument("--no-tui", action="store_true", help="plain text tree even on a terminal (also when CI is set)")
    v = r.add_mutually_exclusive_group()
    v.add_argument("-v", "--verbose", action="store_true", help="text: every result with its evidence")
    v.add_argument("-q", "--quiet", action="store_true", help="text: the problems and their fixes only")


_COMMANDS = """commands:
  netcheck [check] [OPTIONS]    the check (the options above)
  netcheck demo [SCENARIO]      the check against the embedded simulator (--list: the scenarios)
  netcheck explain [ID]         what a probe checks and what its verdicts mean (no ID: every probe)
  netcheck collect --out FILE   read the Azure side once, for a later run with --inventory FILE
  netcheck fleet [-s ID ...]    every workspace of the subscriptions (or --management-group) at once
  netcheck fixes --from REPORT  the fix plan of a --json report as a bash script (to review; never run)
  netcheck diff OLD NEW         compare two --json reports: fixed / still failing / new (exit 1 while any fails)
  netcheck sim serve SCENARIO   run the simulator alone and print a command line to check it

exit codes:
  0    nothing failed (warnings allowed unless --strict)
  1    at least one probe failed
  2    bad usage or input, including a workspace or endpoint that does not exist (close names on stderr)
  3    nothing failed, but some probes could not decide (errors, including no credential)
  130  interrupted
"""


# The simulator's --latency, for `demo` and `sim serve` alike.
_LATENCY: dict[str, Any] = {"type": validate.option(validate.milliseconds), "default": None, "metavar": "MS",
                            "help": "added latency per request (simulated distance)"}


# What `fixes` and `diff` do, for their --help.
_ABOUT = {
    "fixes": ("Write the fix plan of a --json report as a bash script to review and run yourself: each step once, "
              "in order, with what it fixes and what it changes. netcheck runs none of it.", None),
    "diff": ("Compare two --json reports by result id: fixed, still failing, new, not re-checked.",
             "exit codes:\n  0  everything OLD had failing is fixed and nothing new fails\n"
             "  1  something still fails, fails anew, or was not re-checked\n"
             "  2  a file that is not a netcheck.report/2 report"),
}


def build_parser(command: str) -> argparse.ArgumentParser:
    about, epilog = _ABOUT.get(command, (None, None))
    p = _Parser(prog=f"netcheck {command}".strip(), allow_abbrev=False,
                description=about or "Find out why a private Azure ML online endpoint can't deploy or be reached.",
                epilog=_COMMANDS if command in ("", "check") else epilog,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    if command in ("", "check"):
        p.add_argument("--version", action="version", version=f"netcheck {__version__}")
        _add_check_options(p)
    elif command == "explain":
        p.add_argument("id", nargs="?", help="probe id, e.g. dns.system (none: list every probe)")
    elif command == "demo":
        p.add_argument("scenario", nargs="?", default="default", help="scenario name or YAML path")
        p.add_argument("--list", action="store_true", help="list the shipped scenarios")
        p.add_argument("--latency", **_LATENCY)
        _add_check_options(p)
        from netcheck import fleetcli

        fleetcli.add_scope_options(p, with_subscriptions=False)   # for a fleet scenario
    elif command == "fleet":
        from netcheck import fleetcli

        p.description = "Check every workspace of a fleet at once, found through Azure Resource Graph."
        fleetcli.add_options(p)
    elif command == "sim":
        p.add_argument("action", choices=["serve"])
        p.add_argument("scenario")
        p.add_argument("--latency", **_LATENCY)
    elif command == "collect":
        _add_check_options(p)
    elif command == "fixes":
        p.add_argument("--from", dest="report", type=Path, required=True, metavar="REPORT",
                       help="a report written with --json")
        p.add_argument("--out", type=Path, metavar="FILE", help="write the script here (default: stdout)")
    elif command == "diff":
        p.add_argument("old", type=Path, help="the report before fixing (--json)")
        p.add_argument("new", type=Path, help="the report after fixing (--json, e.g. from --rerun OLD)")
        p.add_argument("--json", action="store_true", help="the comparison as JSON on stdout")
    return p


# Where each target option's default comes from, for the message when it has none.
_DEFAULT_FROM = {"--subscription": "`az account set -s ID` or AZURE_SUBSCRIPTION_ID",
                 "--resource-group": "`az configure --defaults group=NAME`",
                 "--workspace": "`az configure --defaults workspace=NAME`"}


def settings_from(args: argparse.Namespace, env: dict[str, str] | os._Environ[str]) -> Settings:
    """Build Settings from parsed options, az defaults and the environment; UsageError if unusable."""
    from netcheck import azconfig
    from netcheck.probes import CATALOG
    from netcheck.runner import select

    dflt = azconfig.defaults(env)
    for pattern in [*args.only, *args.skip]:
        if not select(CATALOG, only=[pattern]):
            close = difflib.get_close_matches(pattern, [p.id for p in CATALOG], n=3)
            raise UsageError(f"argument --only/--skip: {pattern!r} matches no probe"
                             + (f" (did you mean {', '.join(close)}?)" if close else ""))
    try:
        sub = args.subscription or (validate.subscription(dflt["subscription"]) if "subscription" in dflt else None)
        group = args.resource_group or (validate.resource_group(dflt["group"]) if "group" in dflt else None)
        ws = args.workspace or (validate.workspace(dflt["workspace"]) if "workspace" in dflt else None)
    except ValueError as exc:
        raise UsageError(f"az CLI default: {exc}") from None
    cloud = args.cloud
    if args.inventory is not None:
        sub, group, ws, cloud = _inventory_target(args, ws)
    if args.ca_bundle is not None:
        _check_ca_bundle(args.ca_bundle)
    if args.no_azure and not args.hosts:
        raise UsageError("argument --no-azure: name at least one --host to test")
    token = validate.arm_token(env)
    if not (args.no_azure or args.inventory) and not (sub and group and ws):
        missing = [n for n, v in (("--subscription", sub), ("--resource-group", group), ("--workspace", ws)) if not v]
        raise UsageError(f"argument {missing[0]}: required (or set a default: {_DEFAULT_FROM[missing[0]]}; "
                         "--no-azure checks the network only)")
    extra: dict[str, Any] = {}
    for option, field_ in (("timeout", "timeout"), ("dns_rounds", "stability_rounds"),
                           ("dns_spacing", "stability_spacing")):
        if getattr(args, option) is not None:
            extra[field_] = getattr(args, option)
    return Settings(
        subscription=sub, resource_group=group, workspace=ws, endpoints=tuple(args.endpoints),
        cloud=cloud, no_azure=args.no_azure, inventory=args.inventory, hosts=tuple(args.hosts),
        vnet_cidrs=tuple(args.vnet_cidrs), resolver=args.resolver, azure_dns=args.azure_dns,
        dns_servers=tuple(args.dns_servers), connect_to=tuple(args.connect_to), ca_bundle=args.ca_bundle,
        arm_endpoint=args.arm_endpoint, only=tuple(args.only), skip=tuple(args.skip), strict=args.strict,
        score=_score_request(args, env), arm_token=token, **extra)


def _inventory_target(args: argparse.Namespace, ws: str | None) -> tuple[str | None, str | None, str | None, str]:
    """The target an inventory file describes: checked before any work, and it wins over az's defaults."""
    from netcheck.azure.facts import load_inventory

    path: Path = args.inventory
    try:
        if not path.is_file() or path.stat().st_size > MAX_INVENTORY:
            raise ValueError(f"not a regular file of at most {MAX_INVENTORY >> 20} MB")
        inv = load_inventory(path)
    except (ValueError, OSError) as exc:
        raise UsageError(f"argument --inventory: {str(path)!r}: {exc}") from None
    except (RecursionError, MemoryError):
        raise UsageError(f"argument --inventory: {str(path)!r}: nested too deeply or too large") from None
    if inv.cloud not in CLOUDS:
        raise UsageError(f"argument --inventory: {str(path)!r}: cloud {inv.cloud!r} is not one of "
                         f"{', '.join(sorted(CLOUDS))}")
    name = inv.workspace.name if inv.workspace else None
    for option, given, has in (("--subscription", args.subscription, inv.subscription),
                               ("--resource-group", args.resource_group, inv.resource_group),
                               ("--workspace", args.workspace, name)):
        if given and has and given.lower() != has.lower():
            raise UsageError(f"argument {option}: {given!r}, but the inventory describes {has!r}")
    return inv.subscription or None, inv.resource_group or None, name or ws, inv.cloud


# An inventory larger than this is not one workspace's facts.
MAX_INVENTORY = 64 << 20


def _check_ca_bundle(path: Path) -> None:
    import ssl

    try:
        ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "no PEM certificates in it"
        raise UsageError(f"argument --ca-bundle: {str(path)!r} is not a readable PEM file ({why})") from None


def _score_request(args: argparse.Namespace, env: dict[str, str] | os._Environ[str]) -> ScoreRequest | None:
    if not args.score:
        for opt in ("score_key_file", "score_body", "request_id", "deployment"):
            if getattr(args, opt) is not None:
                raise UsageError(f"argument --{opt.replace('_', '-')}: only with --score")
        return None
    try:
        key = (args.score_key_file.read_text(encoding="utf-8").strip() if args.score_key_file
               else env.get("NETCHECK_SCORE_KEY", ""))
        body = args.score_body.read_bytes() if args.score_body else b"{}"
    except OSError as exc:
        raise UsageError(f"argument --score: cannot read {exc.filename}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError("argument --score-key-file: not a text file") from None
    if not key:
        raise UsageError("argument --score: needs a key or token in --score-key-file or NETCHECK_SCORE_KEY")
    try:
        validate.secret(key, "the scoring key (--score-key-file or NETCHECK_SCORE_KEY)")
    except ValueError as exc:
        raise UsageError(f"argument --score: {exc}") from None
    return ScoreRequest(key, body, args.request_id, args.deployment)


def output_format(args: argparse.Namespace) -> str | None:
    """The report format, or None for the interactive TUI (render.chosen_format)."""
    from netcheck.render import chosen_format

    try:
        return chosen_format(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""


def _on_signal(signum: int, frame: object) -> None:
    """Ctrl-C and SIGTERM end the run where it is, so every `with` and `finally` on the way out runs: the
    simulator's temporary directory (its TLS keys) is removed and no half-written report is left. Our own
    handler, not asyncio.run's: that one cancels the check, which then finishes with a report and exit 3."""
    import signal

    _SIGNALLED.append(signum)
    raise KeyboardInterrupt if signum == signal.SIGINT else _Terminated


# Signals received, in order. Python drops an exception raised in a few places (a module lock's callback,
# a __del__) with "Exception ignored": the run then goes on, and this list is how it still ends as 130.
_SIGNALLED: list[int] = []


def _unless_interrupted() -> None:
    """Before writing anything: end as interrupted if a signal came whose exception was swallowed."""
    import signal

    if _SIGNALLED:
        raise KeyboardInterrupt if _SIGNALLED[0] == signal.SIGINT else _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in ("check", "explain", "demo", "sim", "collect", "fixes", "diff",
                                              "fleet") else ""
    rest = argv[1:] if command else argv
    _SIGNALLED.clear()
    previous = _set_signals(_on_signal)
    try:
        args = build_parser(command).parse_args(rest)
        if command == "explain":
            return _explain(args.id)
        if command == "demo":
            return demo(args)
        if command == "sim":
            return serve(args)
        if command == "fixes":
            return fixes(args)
        if command == "diff":
            return diff(args)
        if command == "fleet":
            return fleet(args)
        if command == "collect" and (args.fix_plan or args.rerun):
            raise UsageError("collect reads facts only: --fix-plan and --rerun belong to a check")
        if not apply_rerun(args):
            return 0
        settings = settings_from(args, os.environ)
        if command == "collect":
            return collect(settings, args.out)
        return run_check(settings, args)
    except UsageError as exc:
        print(f"netcheck: error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, _Terminated):
        print("netcheck: interrupted", file=sys.stderr)
        return 130
    finally:
        _set_signals(previous)


def entry() -> None:
    """The `netcheck` program. An interrupted run ends at once: worker threads still inside an SDK call (one
    sleeping out a Retry-After, say) would otherwise hold the process until their call returns. A reader that
    went away (`netcheck explain | head -1`) ends it quietly with 141, as SIGPIPE would a C program."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so exit's own flush can't fail again
        code = 141
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise SystemExit(code)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, except that an interrupt doesn't wait for the default executor's threads (entry() ends
    the process without them); a normal end waits for them as asyncio.run does."""
    import asyncio

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    finished = False
    try:
        result = loop.run_until_complete(coro)
        finished = True
        return result
    finally:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        if finished:
            loop.run_until_complete(loop.shutdown_default_executor())
        asyncio.set_event_loop(None)
        loop.close()


def _set_signals(handlers: Any) -> Any:
    """Install handlers for SIGINT and SIGTERM where that is possible (the main thread): one function for
    both, or a dict from an earlier call. Returns the handlers replaced, to put back."""
    import signal
    import threading

    if handlers is None or threading.current_thread() is not threading.main_thread():
        return None
    return {sig: signal.signal(sig, handlers[sig] if isinstance(handlers, dict) else handlers)
            for sig in (signal.SIGINT, signal.SIGTERM)}


def run_check(settings: Settings, args: argparse.Namespace) -> int:
    from netcheck.probes import CATALOG

    fmt = output_format(args)
    if fmt is None:
        from netcheck.tui.app import run_tui

        return run_tui(settings, CATALOG)
    detail = "verbose" if getattr(args, "verbose", False) else "quiet" if getattr(args, "quiet", False) else ""
    return _run_report(settings, CATALOG, fmt, args.out, detail, getattr(args, "fix_plan", None))


def _run_report(settings: Settings, catalog: Sequence[Probe], fmt: str, out: Path | None,
                detail: str = "", fix_plan: Path | None = None) -> int:
    from netcheck.app import check
    from netcheck.model import exit_code
    from netcheck.output import write_report, write_stream
    from netcheck.render import render

    report = run_async(check(settings, catalog, progress=sys.stderr.isatty()))
    _unless_interrupted()
    color = out is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text = render(fmt, report, color=color, detail=detail)
    if out is not None:
        try:
            write_report(out, text)
        except OSError as exc:
            raise UsageError(f"argument --out: cannot write {str(out)!r}: {exc.strerror or exc}") from None
        # the problems still reach the terminal (stderr: stdout stays for the report formats)
        summary = render("text", report, color=sys.stderr.isatty() and not os.environ.get("NO_COLOR"),
                         detail="quiet")
        write_stream(sys.stderr, summary, "text")
        print(f"netcheck: {report.verdict.value}; {fmt} report written to {out}", file=sys.stderr)
    else:
        write_stream(sys.stdout, text, fmt)
    if fix_plan is not None:
        from netcheck.fixplan import script

        _write(fix_plan, script(report.to_json()), "--fix-plan")
        print(f"netcheck: fix plan written to {fix_plan} (review it; netcheck ran none of it)", file=sys.stderr)
    if missing := _not_found(report):   # the report is written; the run still ends as bad input
        print(f"netcheck: error: {missing}", file=sys.stderr)
        return 2
    return exit_code(report, settings.strict)


def _not_found(report: Report) -> str | None:
    """ctx.target's failure when the workspace or an endpoint does not exist (it names close names)."""
    from netcheck.model import Verdict
    from netcheck.redact import redact_text
    from netcheck.render.common import safe_text

    for r in report.results:
        if r.probe == "ctx.target" and r.verdict is Verdict.FAIL and "did_you_mean" in r.evidence:
            return safe_text(redact_text(r.summary))
    return None


# ---- collect ---------------------------------------------------------------------------------------
def collect(settings: Settings, out: Path | None) -> int:
    """Write `netcheck.inventory/1` JSON. Exit 0; 1 when the workspace could not be read (nothing written)."""
    from netcheck.azure.collect import gather, inventory_text
    from netcheck.output import write_report, write_stream
    from netcheck.redact import redact_text

    if settings.no_azure or settings.inventory:
        raise UsageError("collect reads ARM: drop --no-azure and --inventory")
    try:
        inv = run_async(gather(settings))
        _unless_interrupted()
    except Exception as exc:  # a credential that can't be built, say
        print(redact_text(f"netcheck: collect failed: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
    for err in inv.errors:
        print(redact_text(f"netcheck: could not read {err.resource}: {err.reason}"), file=sys.stderr)
    if inv.workspace is None:   # an inventory without its workspace would only mislead a later run
        print(f"netcheck: collect failed: workspace {settings.workspace} could not be read; nothing written",
              file=sys.stderr)
        return 1
    text = inventory_text(inv)
    if out is None:
        write_stream(sys.stdout, text, "json")
        return 0
    try:
        write_report(out, text)
    except OSError as exc:
        raise UsageError(f"argument --out: cannot write {str(out)!r}: {exc.strerror or exc}") from None
    print(f"netcheck: facts of {settings.workspace} written to {out}", file=sys.stderr)
    return 0


# ---- the simulator: demo and sim serve -------------------------------------------------------------
def _load_scenario(name: str) -> Any:
    from netcheck.sim import scenario as sc

    try:
        return sc.load(name)
    except sc.ScenarioError as exc:
        raise UsageError(f"argument scenario: {exc}") from None


def apply_options(args: argparse.Namespace, scenario: Any) -> argparse.Namespace:
    """Add the options a scenario is meant to run with, where the user did not say otherwise. A scenario
    may only set options that keep netcheck on the simulator and write nothing (sim.demo says which)."""
    if not scenario.options:
        return args
    from netcheck.sim.demo import refused_options

    parser = build_parser("demo")
    try:
        meant = parser.parse_args([args.scenario, *scenario.options])
    except UsageError as exc:
        raise UsageError(f"argument scenario: {scenario.source}: options: {exc}") from None
    defaults = parser.parse_args([args.scenario])
    changed = {k: v for k, v in vars(meant).items() if v != getattr(defaults, k)}
    if bad := refused_options(changed):
        flags = {a.dest: max(a.option_strings, key=len) for a in parser._actions if a.option_strings}
        names = ", ".join(sorted(flags.get(d, d) for d in bad))
        raise UsageError(f"argument scenario: {scenario.source}: options: a scenario may not set {names} "
                         "(it must keep netcheck on the simulator and write nothing)")
    for key, value in changed.items():
        if not getattr(args, key, None):
            setattr(args, key, value)
    return args


def scenario_settings(sim: Any, args: argparse.Namespace, env: dict[str, str] | os._Environ[str]) -> Settings:
    """The check's settings for a demo run: the user's options, pointed at the simulator."""
    from netcheck.sim.demo import demo_env

    t = sim.target()
    for attr in ("subscription", "resource_group", "workspace"):
        if not getattr(args, attr, None):
            setattr(args, attr, t.get(attr))
    settings: Settings = sim.settings(settings_from(args, demo_env(env, bool(args.score_key_file))))
    return settings


def demo(args: argparse.Namespace) -> int:
    from netcheck.sim.server import Simulator

    if args.list:
        from netcheck.sim.demo import scenario_list

        try:
            rows = scenario_list()
        except Exception as exc:   # a shipped scenario that doesn't load is a bug: say which
            raise UsageError(f"argument --list: {exc}") from None
        width = max(len(name) for name, _ in rows)
        print("\n".join(f"{name:<{width}}  {summary}" for name, summary in rows))
        return 0
    scenario = _load_scenario(args.scenario)
    if scenario.resource_graph.get("fleet"):   # a fleet: checked as `netcheck fleet` checks one
        with Simulator(scenario, args.latency) as sim:
            return fleet(args, sim.settings(Settings(cloud=args.cloud)))
    apply_options(args, scenario)
    if not apply_rerun(args):
        return 0
    with Simulator(scenario, args.latency) as sim:
        return run_check(scenario_settings(sim, args, os.environ), args)


def fleet(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """`netcheck fleet` (fleetcli.py), or `demo` of a fleet scenario (its settings point at the simulator)."""
    from netcheck import fleetcli

    if settings is None:
        if args.ca_bundle is not None:
            _check_ca_bundle(args.ca_bundle)
        settings = fleetcli.settings_for(args, os.environ)
    return fleetcli.run(settings, args, run_async)


def serve(args: argparse.Namespace) -> int:
    import threading

    from netcheck.sim.crashes import SimulatorCrash
    from netcheck.sim.demo import how_to_reach
    from netcheck.sim.server import Simulator

    def crashed(text: str) -> None:   # a simulator bug: say so as it happens, not only at the end
        print(f"netcheck simulator: a server raised (a simulator bug): {text}", file=sys.stderr, flush=True)

    scenario = _load_scenario(args.scenario)
    try:
        with Simulator(scenario, args.latency, on_crash=crashed) as sim:
            print(how_to_reach(sim), flush=True)
            with contextlib.suppress(KeyboardInterrupt, _Terminated):   # how a simulator is stopped: a normal end
                threading.Event().wait()
    except SimulatorCrash:
        return 1   # each traceback was printed as it happened
    return 0


def _explain(probe_id: str | None) -> int:
    from netcheck.probes import CATALOG

    by_id = {p.id: p for p in CATALOG}
    if probe_id is None:   # the catalog: every probe with its title
        width = max(map(len, by_id))
        for p in CATALOG:
            print(f"{p.id:<{width}}  {p.title}")
        print("\nnetcheck explain ID: what one probe checks and what its verdicts mean")
        return 0
    if probe_id not in by_id:
        close = difflib.get_close_matches(probe_id, list(by_id), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(by_id)}"
        raise UsageError(f"argument id: unknown probe {probe_id!r}{hint}")
    p = by_id[probe_id]
    from netcheck.probe import STAGES

    print(f"{p.id} (stage {p.stage}, {STAGES[p.stage]}): {p.title}")
    if p.needs:
        print(f"needs: {', '.join(p.needs)}")
    print()
    print(p.explain)
    if p.docs:
        print(f"\ndocs: {p.docs}")
    return 0


# ---- verify after fixing: --fix-plan, fixes, --rerun, diff --------------------------------------------
def _write(path: Path, text: str, option: str) -> None:
    from netcheck.output import write_report

    try:
        write_report(path, text)
    except OSError as exc:
        raise UsageError(f"argument {option}: cannot write {str(path)!r}: {exc.strerror or exc}") from None


def _report(path: Path, option: str) -> dict[str, Any]:
    from netcheck import verify

    try:
        return verify.load(path)
    except ValueError as exc:
        raise UsageError(f"argument {option}: {exc}") from None


def fixes(args: argparse.Namespace) -> int:
    """`netcheck fixes --from REPORT`: the report's fix plan as a script, on stdout or in --out."""
    from netcheck.fixplan import script
    from netcheck.output import write_stream

    text = script(_report(args.report, "--from"))
    if args.out is None:
        write_stream(sys.stdout, text, "text")
    else:
        _write(args.out, text, "--out")
        print(f"netcheck: fix plan written to {args.out} (review it; netcheck ran none of it)", file=sys.stderr)
    return 0


def apply_rerun(args: argparse.Namespace) -> bool:
    """`--rerun REPORT`: check again only what did not pass there, on the report's target unless the user
    names another. False when everything there passed (nothing to re-check)."""
    if getattr(args, "rerun", None) is None:
        return True
    from netcheck import verify

    if args.only:
        raise UsageError("argument --rerun: not with --only (the report says what to re-check)")
    doc = _report(args.rerun, "--rerun")
    patterns = verify.rerun_patterns(doc)
    if not patterns:
        print(f"netcheck: every result in {args.rerun} passed; nothing to re-check", file=sys.stderr)
        return False
    t = doc["target"]
    try:   # the report's target passes the same rules as the options would
        for attr, rule in (("subscription", validate.subscription), ("resource_group", validate.resource_group),
                           ("workspace", validate.workspace)):
            if not getattr(args, attr) and t.get(attr):
                setattr(args, attr, rule(t[attr]))
        if not args.endpoints:
            args.endpoints = [validate.endpoint(e) for e in t.get("endpoints") or []]
    except ValueError as exc:
        raise UsageError(f"argument --rerun: {str(args.rerun)!r}: target: {exc}") from None
    if args.cloud == "AzureCloud" and t.get("cloud"):
        args.cloud = t["cloud"]
    args.only = patterns
    return True


def diff(args: argparse.Namespace) -> int:
    """`netcheck diff OLD NEW`: exit 0 when everything OLD had wrong is fixed, 1 while anything fails."""
    import json

    from netcheck import verify
    from netcheck.output import write_stream

    result = verify.diff(_report(args.old, "old"), _report(args.new, "new"))
    if args.json:
        write_stream(sys.stdout, json.dumps(result.to_json(), indent=2) + "\n", "json")
    else:
        write_stream(sys.stdout, result.text(), "text")
    return result.exit_code
