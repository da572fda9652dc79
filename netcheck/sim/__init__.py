"""The embedded Azure simulator: ARM over HTTPS, IMDS, DNS and TLS front ends on loopback."""
