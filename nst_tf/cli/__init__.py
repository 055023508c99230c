"""The nst-tf command line: one module per command (see main.COMMANDS)."""
