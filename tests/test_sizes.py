"""Small modules (issue 11): no module under netcheck/ or probes/ over ~300 lines, except the CLI's wiring."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 320   # ~300, with room for a docstring or a fix before a module must be split
EXEMPT = {"netcheck/cli.py"}   # the CLI wiring: one option table per command


def modules() -> dict[str, int]:
    """Every Python module's line count, by path from the repository root (netcheck/probes is probes/)."""
    found: dict[Path, int] = {}
    for folder in ("netcheck", "probes"):
        for path in (ROOT / folder).rglob("*.py"):
            found.setdefault(path.resolve(), len(path.read_text("utf-8").splitlines()))
    return {str(p.relative_to(ROOT)): n for p, n in found.items()}


def test_modules_are_found() -> None:
    seen = modules()
    assert "netcheck/cli.py" in seen and "probes/context.py" in seen and "netcheck/sim/scenario.py" in seen


def test_no_module_over_the_limit() -> None:
    over = {path: n for path, n in modules().items() if n > LIMIT and path not in EXEMPT}
    assert not over, f"split by area (issue 11): {over}"


PROBE_LIMIT = 62   # ~60 lines for a probe with the private helpers only it uses (issue 11)


def _span(f: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return (f.end_lineno or f.lineno) - (f.decorator_list[0].lineno if f.decorator_list else f.lineno) + 1


def probe_sizes() -> dict[str, int]:
    """Each probe's lines (decorator to end) plus those of the module's private `_helpers` that only it uses,
    transitively: what a reader must take in to follow it. Shared helpers and other modules don't count."""
    sizes: dict[str, int] = {}
    for path in sorted((ROOT / "probes").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}

        def refs(n: ast.AST, funcs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = funcs) -> set[str]:
            return {x.id for x in ast.walk(n) if isinstance(x, ast.Name)} & set(funcs)

        users: dict[str, set[str]] = {}
        for name, node in funcs.items():
            for r in refs(node) - {name}:
                users.setdefault(r, set()).add(name)
        for node in funcs.values():
            ids = [d.args[0].value for d in node.decorator_list if isinstance(d, ast.Call)
                   and getattr(d.func, "id", "") == "probe" and isinstance(d.args[0], ast.Constant)]
            if not ids:
                continue
            seen, todo = {node.name}, [node.name]
            while todo:
                for r in refs(funcs[todo.pop()]):
                    if r.startswith("_") and r not in seen and users.get(r, set()) <= seen:
                        seen.add(r)
                        todo.append(r)
            sizes[str(ids[0])] = sum(_span(funcs[s]) for s in seen)
    return sizes


def test_every_probe_is_measured() -> None:
    from netcheck.probes import CATALOG

    assert set(probe_sizes()) == {p.id for p in CATALOG}


def test_no_probe_over_the_limit() -> None:
    over = {pid: n for pid, n in probe_sizes().items() if n > PROBE_LIMIT}
    assert not over, f"judge in a pure module, build fixes with the shared builders (issue 11): {over}"
