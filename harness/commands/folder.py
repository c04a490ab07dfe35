"""Subcommands ``init`` (a new task folder from a template) and ``baseline`` (OpenEvolve)."""

from harness.peer_formats.cli import register  # noqa: F401
