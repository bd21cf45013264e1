"""Read one module file's DOCUMENTATION and EXAMPLES without importing it.

ansible-doc imports each module and parses with ansible's own (slow) YAML loader; pulling the
string literals out of the source and parsing them with libyaml is ~30x faster and gives the
same options (see shared/DESIGN.md).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from codegen.ansible_files.yaml_load import SafeLoader
_LOADER = SafeLoader  # bounded: the file may be hostile
_LITERAL = re.compile(
    r"^(?P<name>DOCUMENTATION|EXAMPLES)\s*=\s*(?P<prefix>[rRuU]?)(?P<q>'''|\"\"\")(?P<body>.*?)(?P=q)",
    re.S | re.M,
)


def load_yaml(text: str):
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None


def _literals_by_ast(source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in ("DOCUMENTATION", "EXAMPLES"):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def doc_strings(path: Path) -> dict[str, str]:
    """{'DOCUMENTATION': ..., 'EXAMPLES': ...} from a module's .py file or .yml sidecar."""
    candidates = [path]
    if path.suffix != ".py":
        candidates = [path.with_suffix(".py"), path.with_suffix(".yml"), path.with_suffix(".yaml"), path]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        text = candidate.read_text(encoding="utf-8", errors="replace")
        if candidate.suffix in (".yml", ".yaml"):
            data = load_yaml(text) or {}
            if isinstance(data, dict) and "DOCUMENTATION" in data:
                doc = data.get("DOCUMENTATION")
                examples = data.get("EXAMPLES") or ""
                return {"DOCUMENTATION": yaml.safe_dump(doc) if not isinstance(doc, str) else doc,
                        "EXAMPLES": examples if isinstance(examples, str) else yaml.safe_dump(examples)}
            continue
        found = {m["name"]: m["body"] for m in _LITERAL.finditer(text)}
        if "DOCUMENTATION" not in found or any(m["prefix"] == "" and "\\" in m["body"] for m in _LITERAL.finditer(text)):
            # Escapes in a non-raw literal need Python's own parser to read right.
            found = _literals_by_ast(text) or found
        if "DOCUMENTATION" in found:
            return found
    return {}


def _bracketed(source: str, start: int) -> str | None:
    """The balanced [...] or (...) literal starting at `start` (quotes respected), or None."""
    depth, quote, i = 0, None, start
    while i < len(source):
        ch = source[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth == 0:
                return source[start:i + 1]
        i += 1
    return None


def _call_literals(path: Path, keyword: str):
    """Each literal value passed as `keyword=` in a module's source (AnsibleModule(...) and the
    argument-spec dicts modules build), read as text and parsed as a literal: never imported."""
    if path.suffix != ".py" or not path.is_file():
        return
    source = path.read_text(encoding="utf-8", errors="replace")
    for match in re.finditer(rf"\b{keyword}\s*=\s*(?=[\[(])", source):
        literal = _bracketed(source, match.end())
        try:
            value = ast.literal_eval(literal) if literal else None
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if isinstance(value, (list, tuple)):
            yield value


def _canonical_names(options: dict) -> dict[str, str]:
    canonical = {str(k): str(k) for k in options}
    for name, spec in options.items():
        for alias in (spec.get("aliases") or []) if isinstance(spec, dict) else []:
            canonical.setdefault(str(alias), str(name))
    return canonical


def mutually_exclusive(path: Path, options: dict) -> list[list[str]]:
    """Groups of options the module refuses together (AnsibleModule(mutually_exclusive=...)), as
    written literally in its source, by their documented names (aliases resolved); only groups of
    documented top-level options are kept (a group of suboptions, or one built at run time, is
    left out)."""
    canonical = _canonical_names(options)
    groups: list[list[str]] = []
    for value in _call_literals(path, "mutually_exclusive"):
        for group in value:
            names = list(dict.fromkeys(canonical[n] for n in group if isinstance(n, str) and n in canonical)) \
                if isinstance(group, (list, tuple)) else []
            if len(names) >= 2 and names not in groups:
                groups.append(names)
    return groups


def required_if(path: Path, options: dict) -> list[list]:
    """Options the module requires when another has a value (AnsibleModule(required_if=...)):
    [option, value, [required...], any_of] by documented names, as written literally in its source
    (mount: state=present needs src and fstype); conditions on suboptions, or built at run time,
    are left out."""
    canonical = _canonical_names(options)
    rules: list[list] = []
    for value in _call_literals(path, "required_if"):
        for entry in value:
            if not isinstance(entry, (list, tuple)) or len(entry) not in (3, 4):
                continue
            key, when, needed = entry[0], entry[1], entry[2]
            if not isinstance(key, str) or key not in canonical or not isinstance(needed, (list, tuple)) \
                    or not isinstance(when, (str, bool, int, float)):
                continue
            names = [canonical[n] for n in needed if isinstance(n, str) and n in canonical]
            if not names or len(names) != len(needed):
                continue  # a suboption among them: not a top-level rule
            found = [canonical[key], when, names, bool(entry[3]) if len(entry) == 4 else False]
            if found not in rules:
                rules.append(found)
    return rules
