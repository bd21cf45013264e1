"""Registers the authoring commands on the CLI (see codegen/cli.py FEATURE_COMMANDS)."""
from __future__ import annotations

import importlib
import importlib.util

COMMANDS = ("codegen.authoring.explain_command:explain", "codegen.authoring.role_command:role")


def register(main) -> None:
    for spec in COMMANDS:
        module, _, name = spec.partition(":")
        if importlib.util.find_spec(module) is not None:  # each lands with its own file
            main.add_command(getattr(importlib.import_module(module), name))
