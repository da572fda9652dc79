"""Small modules (issue 11): no module under netcheck/ or probes/ over ~300 lines, except the CLI's wiring."""

from __future__ import annotations

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
