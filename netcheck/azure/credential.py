"""ARM credentials: azure-identity's DefaultAzureCredential, or a token given to netcheck."""

from __future__ import annotations

import logging
import time
from typing import Any

from netcheck.clouds import cloud
from netcheck.settings import Settings

# ctx.credential reports a failed chain with each credential's reason; azure-identity's own warning
# about it would only repeat that on stderr, under --json and beneath the TUI.
logging.getLogger("azure.identity").addHandler(logging.NullHandler())

# An ARM token is valid for about an hour; netcheck's run is seconds long.
_STATIC_TOKEN_LIFETIME_S = 3600


class StaticTokenCredential:
    """A bearer token from NETCHECK_ARM_TOKEN (e.g. `az account get-access-token`) or the simulator."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + _STATIC_TOKEN_LIFETIME_S)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(self._token, int(time.time()) + _STATIC_TOKEN_LIFETIME_S)

    def close(self) -> None:
        pass


def build(settings: Settings) -> Any:
    if settings.arm_token:
        return StaticTokenCredential(settings.arm_token)
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(authority=cloud(settings.cloud).authority,
                                  exclude_interactive_browser_credential=True)


def scope(settings: Settings) -> str:
    """The token audience: the cloud's ARM, even when requests go to another base URL."""
    return f"{cloud(settings.cloud).arm}/.default"


def arm_endpoint(settings: Settings) -> str:
    return (settings.arm_endpoint or cloud(settings.cloud).arm).rstrip("/")
