"""ruamel.yaml round trips, configured as the project writes YAML. Defined once, here.

A round trip (never PyYAML's safe_dump) keeps what the author wrote: quoting, comments, `0644`.
The layout is the house style ansible-lint's production profile and yamllint accept: two-space
mappings, lists indented under their key, a top-level list at column 0. Only the width differs:
normalising wraps at ansible-lint's line length, an edit of a user's text never folds a line.
"""
from __future__ import annotations

import io

from ruamel.yaml import YAML

LINE_WIDTH = 160  # ansible-lint's yaml[line-length]: ruamel joins a multi-line plain scalar on load
NO_FOLDING = 4096  # for edits that must leave every line as long as it was


def round_trip_yaml(width: int = LINE_WIDTH) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    # sequence=4/offset=2 indents lists under their parent key (yamllint's indent-sequences); the
    # top-level list then starts at column 2, which dedent_top_list moves back to 0.
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = width
    return yaml


def load(text: str):
    """YAML text as ruamel data (CommentedMap/CommentedSeq), to edit and give back to dump."""
    return round_trip_yaml().load(text)


def dump(data, width: int = LINE_WIDTH, explicit_start: bool = False) -> str:
    """ruamel data as text in the house layout (a top-level list at column 0)."""
    yaml = round_trip_yaml(width)
    yaml.explicit_start = explicit_start
    out = io.StringIO()
    yaml.dump(data, out)
    return dedent_top_list(out.getvalue()) if isinstance(data, list) else out.getvalue()


def dedent_top_list(text: str) -> str:
    """Move a top-level list from column 2 to column 0 (nested lists keep their indent)."""
    lines = text.splitlines(keepends=True)
    return "".join(line[2:] if line.startswith("  ") else line for line in lines)
