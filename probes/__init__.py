"""The probe catalog: every probe netcheck runs, in the order results are reported."""

from netcheck.probe import Probe
from probes import acr, context, endpoint, keyvault, privatedns, reachability, resolution, storage, workspace

CATALOG: tuple[Probe, ...] = (
    context.credential,
    context.location,
    context.target,
    workspace.v1_legacy_mode,
    workspace.managed_network,
    workspace.public_access,
    workspace.image_build,
    endpoint.state,
    endpoint.traffic,
    endpoint.public_access,
    endpoint.egress,
    endpoint.mlflow_legacy,
    acr.pe_approval,
    keyvault.bypass,
    storage.network_rules,
    storage.private_endpoints,
    privatedns.zones,
    privatedns.zone_records,
    privatedns.links,
    resolution.system,
    resolution.azure,
    resolution.custom,
    resolution.stability,
    reachability.tcp_443,
    reachability.cert,
    reachability.frontend,
    reachability.registry_path,
    reachability.score,
)
