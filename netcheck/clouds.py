"""Per-cloud endpoints and DNS suffixes. Nothing else in netcheck spells a public-cloud suffix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cloud:
    name: str
    arm: str
    authority: str
    ml_api: str          # workspace API hosts: <guid>.workspace.<region>.<ml_api>
    inference: str       # managed scoring hosts: <endpoint>.<region>.<inference>
    notebooks: str
    instances: tuple[str, ...]  # compute instances; older workspaces use the second
    aznbcontent: str
    acr: str
    vault: str
    vault_privatelink: str
    blob: str
    file: str

    def privatelink(self, suffix: str) -> str:
        """The private DNS zone that answers for a public suffix."""
        return self.vault_privatelink if suffix == self.vault else f"privatelink.{suffix}"

    @property
    def required_zones(self) -> tuple[str, ...]:
        """Zones a private workspace and its dependencies need, in the catalog's order."""
        return (self.privatelink(self.ml_api), self.privatelink(self.notebooks), self.privatelink(self.acr),
                self.vault_privatelink, self.privatelink(self.blob), self.privatelink(self.file))

    @property
    def forwarded_zones(self) -> tuple[str, ...]:
        """Public zones a custom DNS server must forward to Azure DNS (not the privatelink ones)."""
        return (self.ml_api, self.notebooks, *self.instances, self.aznbcontent, self.inference,
                self.acr, self.vault, self.vault_privatelink.removeprefix("privatelink."), self.blob, self.file)


CLOUDS = {
    "AzureCloud": Cloud(
        "AzureCloud", "https://management.azure.com", "login.microsoftonline.com",
        "api.azureml.ms", "inference.ml.azure.com", "notebooks.azure.net",
        ("instances.ml.azure.ms", "instances.azureml.ms"), "aznbcontent.net", "azurecr.io",
        "vault.azure.net", "privatelink.vaultcore.azure.net", "blob.core.windows.net", "file.core.windows.net"),
    "AzureChinaCloud": Cloud(
        "AzureChinaCloud", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn",
        "api.ml.azure.cn", "inference.ml.azure.cn", "notebooks.chinacloudapi.cn",
        ("instances.ml.azure.cn", "instances.azureml.cn"), "aznbcontent.net", "azurecr.cn",
        "vault.azure.cn", "privatelink.vaultcore.azure.cn", "blob.core.chinacloudapi.cn",
        "file.core.chinacloudapi.cn"),
    "AzureUSGovernment": Cloud(
        "AzureUSGovernment", "https://management.usgovcloudapi.net", "login.microsoftonline.us",
        "api.ml.azure.us", "inference.ml.azure.us", "notebooks.usgovcloudapi.net",
        ("instances.ml.azure.us", "instances.azureml.us"), "aznbcontent.net", "azurecr.us",
        "vault.usgovcloudapi.net", "privatelink.vaultcore.usgovcloudapi.net", "blob.core.usgovcloudapi.net",
        "file.core.usgovcloudapi.net"),
}


def cloud(name: str) -> Cloud:
    return CLOUDS[name]
