"""Subcommands beyond run/eval/list, one module per area, each exposing ``register(sub)``.

A command function takes the parsed ``argparse.Namespace`` and returns an exit status; bad user
input raises ``harness.cli.UserError`` (printed as one line, exit status 2).
"""
