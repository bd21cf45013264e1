"""An option summary of the module the nearest retrieved example uses, as comment lines on top
of the prompt (DocCGen's "show the model the module's schema"): required options first, then
options with choices, then the rest, each with its type or choices.

Opt-in (`--option-summary`): the shipped adapter never saw such comments in training, and on the
realworld split they did not help it (README, Evaluation). Comments are safe to show: schema-guided
decoding never lets the model write one, so it cannot copy the summary into a task.
"""
from __future__ import annotations

MAX_OPTIONS = 12
WIDTH = 120


def _describe(name: str, spec: dict) -> str:
    if spec.get("choices"):
        return f"{name}: {'|'.join(str(c) for c in list(spec['choices'])[:8])}"  # docs write a list or a dict
    kind = spec.get("type", "str")
    return f"{name} ({'required ' if spec.get('required') else ''}{kind})"


def option_summary(doc) -> str:
    """Comment lines summarising a catalog ModuleDoc's options (empty for a module without any)."""
    options = doc.options or {}
    order = sorted(options, key=lambda n: (not options[n].get("required"), not options[n].get("choices"), n))
    parts = [_describe(n, options[n]) for n in order[:MAX_OPTIONS]]
    if not parts:
        return ""
    lines, line = [], f"# {doc.fqcn} options:"
    for part in parts:
        if len(line) + len(part) + 2 > WIDTH:
            lines.append(line)
            line = "#  "
        line += f" {part},"
    lines.append(line.rstrip(","))
    return "\n".join(lines) + "\n"


def module_of(example: str) -> str | None:
    """The module an example task (as retrieval shows it) calls: its first key at column 2 with a dot."""
    for line in example.split("\n")[1:]:
        if line.startswith("  ") and not line.startswith("   "):
            key = line[2:].split(":", 1)[0]
            if "." in key:
                return key
    return None
