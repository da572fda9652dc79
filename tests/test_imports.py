"""Start-up hygiene: the CLI's light paths never import Textual, and SDKs load only when used."""

from __future__ import annotations

import subprocess
import sys

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
