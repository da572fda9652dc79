"""Network clients: DNS, TCP, TLS and HTTP, each honouring --connect-to and mapping failures to reasons."""
