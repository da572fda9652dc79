"""Start-up hygiene: the CLI's light paths never import Textual, and SDKs load only when used."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CHECK = """
import sys, io, contextlib
from netcheck import cli
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        cli.main({argv!r})
    except SystemExit:
        pass
heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('azure.mgmt'))
print(','.join(heavy))
"""


def loaded(argv: list[str]) -> str:
    out = subprocess.run([sys.executable, "-c", CHECK.format(argv=argv)], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_version_imports_nothing_heavy() -> None:
    assert loaded(["--version"]) == ""


def test_explain_imports_nothing_heavy() -> None:
    assert loaded(["explain", "dns.system"]) == ""


def test_json_run_without_azure_never_imports_textual_or_sdks() -> None:
    mods = loaded(["--no-azure", "--host", "ep.eastus.inference.ml.azure.com", "--json", "--timeout", "2",
                   "--resolver", "127.0.0.1:9", "--skip", "ctx.location"])
    assert "textual" not in mods
    assert "azure.mgmt" not in mods


# ---- the import graph: no circles, only the CLI exits ----------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent


def _modules() -> dict[str, Path]:
    """Every module of netcheck and of the probe catalog, by the name it is imported as."""
    out: dict[str, Path] = {}
    for top in ("netcheck", "probes"):
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _canonical(name: str) -> str:
    # the catalog installs as netcheck.probes from the top-level probes/ folder: one module, two spellings
    return "probes" + name.removeprefix("netcheck.probes") if name.startswith("netcheck.probes") else name


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports anywhere (at the top or inside a function)."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                targets = [f"{base}.{a.name}" if _canonical(f"{base}.{a.name}") in mods else base for a in node.names]
            for t in map(_canonical, targets):
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != mod:
                    graph[mod].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_walk_finds_a_circle_where_there_is_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = import_graph()
    assert "netcheck.sim.server" in graph["netcheck.sim.demo"]   # imports inside functions count too
    assert "netcheck.sim.demo" in graph["netcheck.cli"]


def test_no_module_imports_itself_through_others() -> None:
    assert cycles(import_graph()) == []


def test_only_the_cli_exits_and_readers_print_nothing() -> None:
    for mod, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        raised = {ast.unparse(n.exc) for n in ast.walk(tree) if isinstance(n, ast.Raise) and n.exc is not None}
        if mod not in ("netcheck.cli", "netcheck.__main__"):
            assert not {"sys.exit", "os._exit", "exit", "quit"} & calls, mod
            assert not any(r.startswith("SystemExit") for r in raised), mod
        if mod.startswith(("netcheck.azure", "netcheck.net", "netcheck.render", "probes")) or mod in (
                "netcheck.app", "netcheck.runner", "netcheck.sim.demo"):
            assert "print" not in calls and "sys.stdout.write" not in calls, mod
