"""SchemaChecker: the catalog, the file's handlers and variables, and the questions decoding asks."""
from __future__ import annotations

import bisect

from codegen.grounding.schema import driver
from codegen.grounding.schema.jinja import PROVIDED_VARIABLES
from codegen.grounding.schema.rules import final
from codegen.ansible_files.keywords import TASK_KEYWORDS


class SortedNames:
    """Prefix look-ups over a fixed set of names."""

    def __init__(self, names):
        self.names = sorted(set(names))
        self.exact = set(self.names)

    def has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self.names, prefix)
        return i < len(self.names) and self.names[i].startswith(prefix)

    def has_unused_prefix(self, prefix: str, used: set) -> bool:
        """Does a name not in `used` start with prefix? (Names sharing a prefix sit together.)"""
        for name in self.names[bisect.bisect_left(self.names, prefix):]:
            if not name.startswith(prefix):
                return False
            if name not in used:
                return True
        return False


class SchemaChecker:
    def __init__(self, catalog, handlers: list[str] | None = None, variables: set[str] | None = None,
                 sources: dict | None = None, keywords_refused: set[str] | frozenset = frozenset(),
                 literals: frozenset[str] = frozenset(), modules_refused: frozenset[str] = frozenset()):
        """variables: when given, the only variables a template may read (with Ansible's own names
        and facts): a playbook written from scratch has no others, so a task must not reach for
        a role's variables it saw in training. sources: {"templates": [...], "files": [...]}, the
        role's files a template/copy `src` may name (the workspace's; None: any). keywords_refused:
        task keywords this answer may not use (grounding/unasked.py: a `when:` nobody asked for).
        literals: the URLs and paths the request spells out, which a value copies whole.
        modules_refused: modules (FQCNs) this answer may not call (an include with no file around)."""
        self.catalog = catalog
        self.variables = None if variables is None else set(variables) | PROVIDED_VARIABLES
        self.modules = SortedNames([n for n in catalog.names() if n not in modules_refused]
                                   if modules_refused else catalog.names())
        self.keywords = SortedNames((TASK_KEYWORDS | {f"with_{w}" for w in ("items", "dict", "fileglob", "sequence",
                                                                               "subelements", "together", "nested")})
                                    - set(keywords_refused))
        self.handlers = handlers or []
        self.sources = sources
        self.literals = literals
        self._option_names: dict[int, dict] = {}

    def option_names(self, options: dict) -> dict[str, dict]:
        """option and alias names -> spec, cached per options mapping."""
        key = id(options)
        names = self._option_names.get(key)
        if names is None:
            names = {}
            for name, spec in options.items():
                names[name] = spec
                for alias in spec.get("aliases") or []:
                    names[alias] = spec
            self._option_names[key] = names
        return names

    def viable(self, text: str, final: bool = False) -> bool:
        """Can `text` (a task body, indent 2) still become a valid task? final: it is complete."""
        return driver.refusal(self, text, final) is None

    def refusal(self, text: str, final: bool = False) -> str | None:
        """The name of the rule that refuses `text` (see rules/), or None when it is viable."""
        refused = driver.refusal(self, text, final)
        return None if refused is None else refused.__name__

    def complete_prefix(self, text: str) -> str | None:
        """The longest run of whole lines that is a complete, valid task: what to keep of an answer
        cut off at the token limit (a runaway condition or template would not parse)."""
        lines = text.rstrip("\n").split("\n")
        for end in range(len(lines), 0, -1):
            candidate = "\n".join(lines[:end]) + "\n"
            if self.viable(candidate, final=True):
                return candidate
        return None

    # -- what a finished task lacks (rules/final.py) ----------------------------------------------
    def module_written(self, text: str) -> str | None:
        return final.module_written(text, self.modules)

    def missing_required(self, text: str) -> list[str]:
        """Required options of the written module that the body does not set (top level only)."""
        module = self.module_written(text)
        return final.missing_required(text, module, self.catalog.get(module) if module else None)

    def lint_missing(self, text: str) -> list[str]:
        """What ansible-lint (production) will ask for that the task does not have yet."""
        return final.lint_missing(text, self.module_written(text))

    def parses(self, text: str) -> bool:
        """The finished task loads as YAML and every template and condition in it parses."""
        return final.parses(text)

    def sets_nothing(self, text: str) -> bool:
        """set_fact or set_stats with no variable under it (Ansible refuses it)."""
        return final.sets_nothing(text, self.module_written(text))
