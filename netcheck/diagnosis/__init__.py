"""Diagnosis as a pure function of facts and observations: the expected resolution path of every name
through every resolver (path.py), and each wrong answer traced to the first hop that differs
(divergence.py). No I/O, no probes, no Context."""
