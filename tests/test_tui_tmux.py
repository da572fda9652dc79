"""As a person sees it: the real `netcheck demo` in tmux at 80x24 and 200x50, read back with capture-pane."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import cli_env

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/test installs it)")

PROBLEMS = ("1. ✗ acr.pe_approval ep-fraud-egress.91ac", "2. ✗ pdns.links privatelink.api.azureml.ms → vnet-ml-spoke")
FIX = ("Fix: Approve the connection", "$ az network private-endpoint-connection approve \\",
       "--id /subscriptions/6b1e2f3a", "ep-fraud-egress.91ac \\", "--description Approved")


class Pane:
    def __init__(self, sock: str, conf: Path, env: dict[str, str]) -> None:
        self.sock, self.conf, self.env = sock, conf, env
        self.target = "warmup"   # the session the keys go to and the screen is read from

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-S", self.sock, "-f", str(self.conf), *args],
                              capture_output=True, text=True, env=self.env, timeout=30)

    def tmux(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 0, f"tmux {args[0]}: {done.stderr}"
        return done.stdout

    def screen(self, history: bool = False) -> str:
        """What is on the screen now (without the history, what a person sees), or everything since it started."""
        return self.tmux("capture-pane", "-p", "-t", self.target, *(("-S", "-") if history else ()))

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.target, *keys)

    def until(self, ready: Callable[[str], bool], seconds: float, history: bool = False) -> str:
        screen, end = "", time.monotonic() + seconds
        while time.monotonic() < end:
            screen = self.screen(history)
            if ready(screen) or "EXIT=" in screen:
                return screen
            time.sleep(0.3)
        return screen


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Callable[..., Pane]]:
    sock = str(tmp_path / "tmux.sock")
    conf = tmp_path / "tmux.conf"   # our own config (tmux's defaults otherwise: set-clipboard external)
    conf.write_text("set -g remain-on-exit on\n")
    # tmux runs the command with $SHELL: make it a real shell whatever the caller's login shell is.
    p = Pane(sock, conf, cli_env(TERM="xterm-256color", SHELL="/bin/sh"))
    # First tmux itself, with a command that can't fail: a machine where tmux can't run a pane (no
    # pseudo-terminals, say) skips with tmux's reason; from here on a failure is netcheck's.
    # The warm-up session stays (its shell sleeps) so the server does too: a server killed and started
    # again on the same socket at once can fail to start.
    warmup = p.run("new-session", "-d", "-s", "warmup", "echo tmux-ok; sleep 600")
    if warmup.returncode != 0:
        pytest.skip(f"tmux cannot start a session here: {warmup.stderr.strip()}")
    if "tmux-ok" not in p.until(lambda s: "tmux-ok" in s, 30, history=True):
        pytest.skip("tmux starts but its pane runs nothing here")

    def start(width: int, height: int, program: str = "-m netcheck demo default") -> Pane:
        cmd = f"cd {tmp_path} && {sys.executable} {program}; echo EXIT=$?"
        p.tmux("new-session", "-d", "-s", "netcheck", "-x", str(width), "-y", str(height), cmd)
        p.target = "netcheck"
        return p

    try:
        yield start
    finally:
        p.run("kill-server")


def toasts(screen: str) -> str:
    """The notifications' text without its spaces (a toast is drawn right of a `▌` bar, wrapped anywhere)."""
    text = "".join(line.rsplit("▌", 1)[1] for line in screen.splitlines() if "▌" in line)
    return re.sub(r"[\s▁▂▃▄▅▆▇█]", "", text)


def _finished(screen: str) -> bool:
    """Checked to the end, and the list and the first problem's fix drawn (widgets draw one after another)."""
    return ("2 problems ·" in screen and "so far" not in screen and "$ az network" in screen
            and all(part in screen for part in (*PROBLEMS, *FIX)))


def test_80x24_first_screen_shows_both_problems_and_the_first_fix_whole(pane: Callable[..., Pane],
                                                                        tmp_path: Path) -> None:
    p = pane(80, 24)
    screen = p.until(_finished, 90)
    lines = screen.splitlines()
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
    for problem in PROBLEMS:
        assert any(line.startswith((problem, "▶ " + problem)) for line in lines), screen
    at = [next(i for i, line in enumerate(lines) if part in line) for part in FIX]   # every part, in order
    assert at == sorted(at), screen
    assert at[-1] < next(i for i, line in enumerate(lines) if "Evidence" in line), screen   # fix before evidence
    (id_line,) = [line for line in lines if "--id /subscriptions/" in line]
    assert "…" in id_line   # the id elided in the middle, never broken across lines
    assert re.search(r"2 problems · checked (\d+)/\1 · \d+\.\d s", screen), screen

    p.keys("i")   # the full id, one key away (the pane scrolls sideways for the rest)
    whole = "--id /subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups"
    full = p.until(lambda s: whole in s, 20)
    (id_line,) = [line for line in full.splitlines() if whole in line]
    assert "…" not in id_line, full

    p.keys("C")   # tmux's default set-clipboard (external) drops OSC 52 from programs: a file
    shown = toasts(p.until(lambda s: "netcheck-fix-plan.sh" in toasts(s), 20))
    assert "(set-clipboardisexternal;" in shown, shown
    assert f"Wrotethefixplan(2steps)to{tmp_path}/netcheck-fix-plan.sh" in shown, shown
    plan = tmp_path / "netcheck-fix-plan.sh"
    assert plan.read_text().startswith("#!/usr/bin/env bash") and "--description Approved" in plan.read_text()
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(plan.stat().st_mode) == 0o666 & ~umask

    p.keys("q")
    assert "EXIT=1" in p.until(lambda s: "EXIT=" in s, 20, history=True)


def test_200x50_problems_beside_the_fix_then_n_t_and_enter(pane: Callable[..., Pane]) -> None:
    p = pane(200, 50)
    screen = p.until(_finished, 90)
    for problem in (*PROBLEMS, *FIX):
        assert problem in screen, screen
    assert any(PROBLEMS[0] in line and "FAIL  acr.pe_approval" in line for line in screen.splitlines()), screen
    p.keys("n")
    screen = p.until(lambda s: "Fix: Link the zone to vnet-ml-spoke" in s and "Explains 13 results" in s, 20)
    assert "-z privatelink.api.azureml.ms \\" in screen and "Explains 13 results" in screen, screen
    p.keys("t")
    # the selection stays on the problem, in its probe
    tree = p.until(lambda s: "stage tree (t)" in s and "pdns.links (6)" in s and "Fix: Link the zone" in s, 20)
    assert "▼ ✗ pdns.links (6)" in tree and "✓ privatelink.azurecr.io → vnet-ml-spoke: linked" in tree, tree
    assert "Fix: Link the zone to vnet-ml-spoke" in tree, tree
    p.keys("q")
    assert "EXIT=1" in p.until(lambda s: "EXIT=" in s, 20, history=True)


FLEET = """
import sys, threading
sys.path.insert(0, {tests!r})
from conftest import run_scenario
from test_tui_fleet import SCENARIOS, fleet_of
from netcheck.tui.fleet import run_fleet_tui

def work(progress):
    reports = {{}}
    for i, name in enumerate(SCENARIOS):
        progress(i, len(SCENARIOS))
        reports[name] = run_scenario(name)[0]
    return fleet_of(reports)

fleet = run_fleet_tui(work)
print("FLEET", fleet.verdict.value, len(fleet.workspaces), "workspaces")
"""


def test_fleet_in_tmux_problems_then_workspaces_and_one_opened(pane: Callable[..., Pane], tmp_path: Path) -> None:
    program = tmp_path / "fleet.py"
    program.write_text(FLEET.format(tests=str(Path(__file__).parent)))
    p = pane(100, 30, str(program))
    # the header and the list render before the detail pane: wait for all three
    screen = p.until(lambda s: "5 workspaces · 4 problems · fail" in s and "Fix: Let trusted" in s, 120)
    assert "1. ✗ kv.bypass kv-contoso-ml  (2 workspaces)" in screen, screen
    assert "✗ mlw-default  (rg-default) · 2 problems" in screen, screen
    assert "Fix: Let trusted Azure services through the vault firewall" in screen, screen
    p.keys("Down", "Down", "Down", "Down", "Down")   # past the 4 problems to mlw-default
    assert "FAIL  mlw-default" in p.until(lambda s: "FAIL  mlw-default" in s, 20)
    p.keys("Enter")
    opened = p.until(lambda s: "workspace mlw-default (rg-default)" in s and "Fix: Approve the connection" in s
                     and "1. ✗ acr.pe_approval ep-fraud-egress.91ac" in s, 20)
    assert "1. ✗ acr.pe_approval ep-fraud-egress.91ac" in opened, opened
    p.keys("Escape")
    assert "5 workspaces · 4 problems" in p.until(lambda s: "5 workspaces · 4 problems" in s, 20)
    p.keys("q")
    done = p.until(lambda s: "EXIT=" in s, 30, history=True)
    assert "FLEET fail 5 workspaces" in done and "EXIT=0" in done, done
