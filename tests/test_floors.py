"""The readers work against the lowest versions pyproject.toml allows of what they use (azure-core,
azure-mgmt-core, azure-identity): scripts/floors builds .venv-floors with them, and this runs the
healthy scenario's golden results and a slice of the fault matrix there."""

from __future__ import annotations

import subprocess

import pytest
from conftest import ROOT
from packaging.version import Version

FLOORS = ROOT / ".venv-floors"


@pytest.mark.skipif(not (FLOORS / ".netcheck-installed").exists(), reason="scripts/floors builds .venv-floors")
def test_readers_work_at_the_dependency_floors() -> None:
    python = str(FLOORS / "bin" / "python")
    for line in (FLOORS / "floors.txt").read_text().split():
        name, version = line.split("==")
        got = subprocess.run([python, "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
                             capture_output=True, text=True, check=True).stdout.strip()
        assert Version(got) == Version(version), f"{name} is {got} in .venv-floors, not its floor {version}"
    r = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_golden.py",
                        "tests/test_faults.py", "-k", "healthy or 403 or truncated or next-http or malformed "
                        "or another or throttled"], capture_output=True, text=True, cwd=ROOT, timeout=280)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]

