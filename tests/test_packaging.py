"""The catalog installs as netcheck.probes (never a top-level `probes`), the engine receives it, and
probes judge facts without calling an Azure SDK."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# one worker builds the wheel (pip builds in the tree's build/, which two builds at once would share)
pytestmark = pytest.mark.xdist_group("wheel")
ENGINE = ("app.py", "context.py", "model.py", "probe.py", "runner.py", "subject.py")


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {built.stderr.strip()[-300:]}")
    (whl,) = out.glob("netcheck-*.whl")
    return set(zipfile.ZipFile(whl).namelist())


def test_the_wheel_holds_the_catalog_as_netcheck_probes_and_no_top_level_probes(wheel_files: set[str]) -> None:
    catalog = {f"netcheck/probes/{p.name}" for p in (ROOT / "probes").glob("*.py")}
    assert catalog <= wheel_files
    assert not [f for f in wheel_files if f.startswith("probes/")]


def test_the_wheel_holds_every_package_of_the_source_tree(wheel_files: set[str]) -> None:
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "netcheck").rglob("__init__.py")
                if "probes" not in p.relative_to(ROOT).parts}
    assert {f"{p}/__init__.py" for p in packages} <= wheel_files


def test_the_engine_never_imports_the_catalog() -> None:
    for name in ENGINE:
        text = (ROOT / "netcheck" / name).read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (netcheck\.)?probes\b", text, re.M), name


def test_nothing_imports_the_catalog_as_a_top_level_package() -> None:
    """In a checkout `import probes` works by accident (the repository root is on sys.path); it
    would load a second copy of every probe, and fails once installed."""
    for path in [*(ROOT / "tests").rglob("*.py"), *(ROOT / "netcheck").glob("**/*.py"), *(ROOT / "scripts").iterdir()]:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"^\s*(from|import) probes\b", text, re.M), path


def test_probes_judge_facts_and_never_call_an_azure_sdk() -> None:
    for path in (ROOT / "probes").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "azure.mgmt" not in text and ".sdk(" not in text, path.name
        assert not re.search(r"^\s*(from|import) probes\b", text, re.M), f"{path.name}: import netcheck.probes.x"


def test_the_wheel_holds_the_schemas_and_report_templates(wheel_files: set[str]) -> None:
    shipped = {"netcheck/report.schema.json", "netcheck/fleet.schema.json"}
    shipped |= {f"netcheck/render/{p.name}" for p in (ROOT / "netcheck" / "render").glob("*.j2")}
    assert {"netcheck/render/fleet.html.j2", "netcheck/render/_report_body.j2"} <= shipped
    assert shipped <= wheel_files
