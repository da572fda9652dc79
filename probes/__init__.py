"""The probe catalog: every probe netcheck runs, in the order results are reported.

Installed as `netcheck.probes`; the engine never imports it, the CLI hands it to the runner.
"""

from netcheck.probe import Probe
from netcheck.probes import (
    acr,
    context,
    endpoint,
    http_checks,
    keyvault,
    kubernetes,
    managednet,
    peering,
    policy,
    privatedns,
    reachability,
    resolution,
    resolution_custom,
    resolution_stability,
    scoring,
    storage,
    workspace,
)

CATALOG: tuple[Probe, ...] = (
    context.credential,
    context.location,
    context.target,
    context.reads,
    workspace.v1_legacy_mode,
    workspace.managed_network,
    managednet.outbound_rules,
    managednet.hub_project,
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
    policy.fix_blocked,
    peering.peering,   # before the zones: without a route, nothing the names need can help
    privatedns.zones,
    privatedns.zone_records,
    privatedns.links,
    resolution.system,
    resolution.azure,
    resolution_custom.custom,
    resolution_stability.stability,
    kubernetes.router,
    reachability.tcp_443,
    reachability.cert,
    http_checks.frontend,
    http_checks.registry_path,
    scoring.score,
)
