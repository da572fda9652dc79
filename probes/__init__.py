"""The probe catalog, in the order results are reported."""

from netcheck.probe import Probe

CATALOG: tuple[Probe, ...] = ()
