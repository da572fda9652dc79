"""Defaults as the az CLI keeps them: `az configure --defaults` and the default subscription."""

from __future__ import annotations

import configparser
import json
import os
from collections.abc import Mapping
from pathlib import Path


def config_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("AZURE_CONFIG_DIR") or Path.home() / ".azure")


def defaults(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`group`, `workspace` and `subscription` where az would find them; missing keys are absent."""
    env = os.environ if env is None else env
    folder = config_dir(env)
    found: dict[str, str] = {}
    parser = configparser.ConfigParser()
    try:
        parser.read(folder / "config", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        parser = configparser.ConfigParser()  # az itself ignores an unreadable file
    if parser.has_section("defaults"):
        for key in ("group", "workspace"):
            if value := parser.get("defaults", key, fallback="").strip():
                found[key] = value
    if sub := env.get("AZURE_SUBSCRIPTION_ID", "").strip():
        found["subscription"] = sub
    else:
        try:
            profile = json.loads((folder / "azureProfile.json").read_text(encoding="utf-8-sig"))
            found["subscription"] = next(s["id"] for s in profile.get("subscriptions", []) if s.get("isDefault"))
        except (OSError, ValueError, StopIteration, KeyError, TypeError, AttributeError):
            pass
    return found
