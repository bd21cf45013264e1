"""Hover: a module name -> its short description and options; an option name -> its documentation.

Both come from the catalog (the installed collections' documentation). Only the hovered line and
the lines above it are read, so a file that does not parse, or a huge one, still gets hovers.
"""
from __future__ import annotations

import re

from codegen.catalog.doc_text import first_sentence, plain
from codegen.lsp.document import indent_of, key_of
from codegen.ansible_files.keywords import is_keyword

MAX_OPTIONS = 40
_KEY_AT = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[A-Za-z0-9_.]+)\s*:")
_ACTION_AT = re.compile(r"^(?P<lead>\s*(?:-\s+)?(?:action|local_action)\s*:\s*(?:module\s*[:=]\s*)?)(?P<key>[A-Za-z0-9_.]+)")


def option_summary(name: str, spec: dict) -> str:
    bits = [str(spec.get("type") or "str")]
    if spec.get("required"):
        bits.append("**required**")
    if spec.get("choices"):
        bits.append("choices: " + ", ".join(f"`{c}`" for c in spec["choices"]))
    if spec.get("default") is not None:
        bits.append(f"default: `{spec['default']}`")
    summary = f"- `{name}` ({'; '.join(bits)})"
    description = first_sentence(spec.get("description") or "")
    return summary + (f": {description}" if description else "")


def module_markdown(doc) -> str:
    lines = [f"**{doc.fqcn}** — {plain(doc.short_description)}"]
    if getattr(doc, "deprecated", False):
        lines.append("\n*Deprecated.*")
    description = " ".join(plain(doc.description).split())
    if description:
        lines.append("\n" + (description if len(description) <= 500 else description[:499].rstrip() + "…"))
    options = sorted(doc.options.items(), key=lambda item: (not item[1].get("required"), item[0]))
    if options:
        lines.append("\n**Options** (required first):\n")
        lines += [option_summary(name, spec) for name, spec in options[:MAX_OPTIONS]]
        if len(options) > MAX_OPTIONS:
            lines.append(f"- … and {len(options) - MAX_OPTIONS} more")
    return "\n".join(lines)


def option_markdown(doc, name: str, spec: dict) -> str:
    lines = [f"**{name}** — option of `{doc.fqcn}`", "", option_summary(name, spec)[2:]]
    description = " ".join(plain(spec.get("description") or "").split())
    if description:
        lines += ["", description if len(description) <= 1200 else description[:1199] + "…"]
    if spec.get("aliases"):
        lines += ["", "Aliases: " + ", ".join(f"`{a}`" for a in spec["aliases"])]
    return "\n".join(lines)


def _parent_key(lines: list[str], line: int, indent: int, limit: int = 400) -> str | None:
    for index in range(line - 1, max(-1, line - limit), -1):
        text = lines[index]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if indent_of(text) < indent:
            return key_of(text)
    return None


def hover_at(lines: list[str], line: int, character: int, catalog) -> tuple[str, int, int] | None:
    """(markdown, start, end) for the module or option name under the cursor (str indexes), or None."""
    if not 0 <= line < len(lines):
        return None
    text = lines[line]
    action = _ACTION_AT.match(text)
    if action and action.start("key") <= character <= action.end("key"):
        doc = catalog.get(action.group("key"))
        return (module_markdown(doc), action.start("key"), action.end("key")) if doc else None
    found = _KEY_AT.match(text)
    if not found or not found.start("key") <= character <= found.end("key"):
        return None
    key = found.group("key")
    start, end = found.start("key"), found.end("key")
    if not is_keyword(key):
        doc = catalog.get(key)
        if doc is not None:
            return module_markdown(doc), start, end
    # An option of the module whose key holds this line?
    key_column = start
    parent = _parent_key(lines, line, key_column)
    if parent and not is_keyword(parent):
        doc = catalog.get(parent)
        if doc is not None:
            option = doc.canonical_option(key)
            if option is not None:
                return option_markdown(doc, option, doc.options[option]), start, end
    return None
