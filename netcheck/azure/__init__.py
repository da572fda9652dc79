"""The Azure side: credentials, ARM readers and the plain facts they produce."""
