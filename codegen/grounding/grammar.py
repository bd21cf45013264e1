"""A GBNF grammar of one task body, for engines that constrain decoding themselves (llama.cpp's
`grammar` field, vLLM's structured outputs): the remote counterpart of the local schema machine
(codegen/grounding/schema.py), as far as a context-free grammar can follow it.

What it enforces, for the modules in play (a common set, the modules the prompt's examples and
file context use, and the catalog's best matches for the request):
- the module line: one module of that set, written as its FQCN at indent 2;
- its options at indent 4: only the module's option names and aliases; `choices` spelled out;
  booleans true/false; integers as digits (or a quoted template);
- required options (the module's own, and those ansible-lint's production profile wants, such as
  `mode` on copy/template and `changed_when` on command/shell), in any order, up to three of them;
- task keywords at indent 2 around the module: booleans, numbers, `register` names, `notify` from
  the file's handlers, `ignore_errors` only false;
- values (codegen/grounding/grammar_values.py): YAML that reads back and Jinja that parses;
  conditions are Jinja expressions, which may go on over indented lines (YAML folds them), as a
  small model often writes a long `when:`; keyword values in the shapes ansible takes; a command
  for command/shell;
- no comments, no blank lines, nothing at column 0: the task ends with the end of sequence (or a
  next "- " item, which the client's stop strings cut off).
- repeats counted ({m,n}): lists, mappings and block scalars (grammar_values.MAX_ENTRIES),
  option lines, keyword lines before and after the module, so a looping model still ends its task.
Everything it admits passes the local checks (tests/test_grammar_values.py samples and validates).
A key given twice cannot be said in a context-free grammar: the client cuts the answer at such a
repeat and asks for the rest under the grammar of what may follow what is written
(`build(..., written=...)`, codegen/grounding/grammar_resume.py). What it cannot say at all
(mutually exclusive or conditionally required options, suboptions, variables that exist) is left
to the local checks and repair that run on every answer anyway.
"""
from __future__ import annotations

import json
import re

from codegen.ansible_files import keywords
from codegen.grounding.grammar_values import MAX_ENTRIES, YAML_WORDS, value_rules
from codegen.grounding.schema import CHANGE_REPORTING, LINT_REQUIRED, OPEN_MODULES

# The modules most real tasks use (DESIGN.md: ~25 builtin modules cover ~88% of tasks), always offered.
COMMON_MODULES = (
    "ansible.builtin.apt", "ansible.builtin.apt_key", "ansible.builtin.apt_repository", "ansible.builtin.assert",
    "ansible.builtin.blockinfile", "ansible.builtin.command", "ansible.builtin.copy", "ansible.builtin.cron",
    "ansible.builtin.debug", "ansible.builtin.dnf", "ansible.builtin.fail", "ansible.builtin.fetch",
    "ansible.builtin.file", "ansible.builtin.find", "ansible.builtin.get_url", "ansible.builtin.git",
    "ansible.builtin.group", "ansible.builtin.hostname", "ansible.builtin.import_role",
    "ansible.builtin.import_tasks", "ansible.builtin.include_role", "ansible.builtin.include_tasks",
    "ansible.builtin.include_vars", "ansible.builtin.lineinfile", "ansible.builtin.meta", "ansible.builtin.package",
    "ansible.builtin.package_facts", "ansible.builtin.pip", "ansible.builtin.reboot", "ansible.builtin.replace",
    "ansible.builtin.service", "ansible.builtin.service_facts", "ansible.builtin.set_fact", "ansible.builtin.setup",
    "ansible.builtin.shell", "ansible.builtin.slurp", "ansible.builtin.stat", "ansible.builtin.systemd_service",
    "ansible.builtin.template", "ansible.builtin.unarchive", "ansible.builtin.uri", "ansible.builtin.user",
    "ansible.builtin.wait_for", "ansible.builtin.yum", "ansible.builtin.yum_repository",
    "ansible.posix.authorized_key", "ansible.posix.firewalld", "ansible.posix.mount", "ansible.posix.sysctl",
    "community.general.ufw", "community.docker.docker_container",
)
MAX_MODULES = 140       # bounds the grammar (and the engine's work per token)
MAX_OPTIONS = 120       # per module: every real one has fewer
ONE_OF_WITHOUT_FREE_FORM = ("cmd", "argv")
MAX_REQUIRED = 3        # required options enforced in any order: 3! orderings at most
# Repeats are counted (as lists are, see grammar_values.MAX_ENTRIES), so a model that writes one
# more option or keyword line forever still ends its task within the token budget.
MAX_OPTION_LINES = 16   # option lines besides the enforced ones
# Keyword lines around the module. In the 580 tasks of the held-out projects (external split) at
# most 2 keywords come before the module and at most 9 after it; a model writing keyword after
# keyword without a module (measured on llama.cpp) must write its module after these.
MAX_KEYWORDS_BEFORE = 3
MAX_KEYWORDS = 10       # after the module
SEARCHED = 8            # the catalog's best matches for the request
_FQCN_IN_TEXT = re.compile(r"^\s*(?:- )?([a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+):", re.M)
_SAFE_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+/@-]*")
_YAML_WORDS = {w.lower() for w in YAML_WORDS} | {"~"}

# value shapes ansible's Task attributes take (codegen/ansible_files/keywords.py: a list where a
# string is wanted fails to load); `ignore_errors` is offered only as false, below
BOOL_KEYWORDS = tuple(sorted(keywords.BOOL_KEYWORDS - {"ignore_errors"}))
INT_KEYWORDS = tuple(sorted(keywords.INT_KEYWORDS))
CONDITION_KEYWORDS = keywords.CONDITION_KEYWORDS
STRING_KEYWORDS = tuple(sorted(keywords.STRING_KEYWORDS))
LOOP_CONTROL = ("loop_var", "index_var", "label", "pause", "extended", "extended_allitems")  # its only keys
LIST_KEYWORDS = ("loop", "tags", "with_items", "with_fileglob", "with_sequence", "with_subelements", "with_together",
                 "with_nested")
OTHER_KEYWORDS = ("with_dict",)
LOOP_KEYWORDS = frozenset(k for k in (*LIST_KEYWORDS, *OTHER_KEYWORDS) if keywords.is_loop(k))

# Shared rules: the value forms every option or keyword falls back on (scalar, cond, tmpl and the
# Jinja rules come from grammar_values: YAML that reads back, templates and conditions that parse).
BASE_RULES = rf"""
kw-val ::= " " scalar "\n" | " " bs4 | "\n" blk4
kw-str ::= " " text "\n"
kw-list ::= " " (text | fseq) "\n" | "\n" seq4
kw-env ::= " " (text | fmap) "\n" | "\n" map4
opt-val ::= " " scalar "\n" | " " bs6 | "\n" blk6
opt-str ::= " " text "\n" | " " bs6 | "\n" (seq6 | seq4)
opt-list ::= " " (text | fseq) "\n" | "\n" (seq6 | seq4)
opt-dict ::= " " (text | fmap) "\n" | "\n" map6
bool ::= "true" | "false"
int ::= "-"? [0-9]+
opt-bool ::= " " (bool | tmpl) "\n"
opt-int ::= " " (int | tmpl) "\n"
opt-num ::= " " ("-"? num | tmpl) "\n"
cond-val ::= " " cond "\n" | " " cond-block | "\n" ("    - " cond "\n"){{1,{MAX_ENTRIES}}}
free-line ::= " " cmdline "\n" | " " cmd-block4
open-args ::= ("    " name ":" opt-val){{1,{MAX_ENTRIES}}}
next-item ::= "- " [^\n]*
"""


def literal(text: str) -> str:
    """A GBNF string literal (JSON's escapes are GBNF's for \\, \" and control characters)."""
    return json.dumps(text, ensure_ascii=False)


def _choice_text(choice) -> list[str]:
    """How a choice may be written: plain where YAML reads it back as the same string, else quoted."""
    if isinstance(choice, bool):
        return ["true" if choice else "false"]
    text = str(choice)
    if isinstance(choice, (int, float)):
        return [text]
    if _SAFE_PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS and not re.fullmatch(r"[-0-9.]+", text):
        return [text, f'"{text}"', f"'{text}'"]
    return [json.dumps(text)]


def modules_in_play(catalog, prompt: str, request: str | None) -> list[str]:
    """The modules a task for this prompt may call: the prompt's own (examples, file context), the
    catalog's best matches for the request, then the common set; each once, at most MAX_MODULES."""
    found = []
    for name in _FQCN_IN_TEXT.findall(prompt or ""):
        resolved = catalog.resolve(name) if hasattr(catalog, "resolve") else name
        found.append(resolved or name)
    if request:
        found += [name for name, _ in catalog.search(request, SEARCHED)]
    found += list(COMMON_MODULES)
    # every builtin module: the tuned model's natural picks (dnf5, systemd, ...) stay writable
    found += sorted(name for name in catalog.names() if name.startswith("ansible.builtin."))
    out = []
    for name in found:
        if name not in out and catalog.get(name) is not None:
            out.append(name)
    return out[:MAX_MODULES]


class GrammarBuilder:
    def __init__(self, catalog, handlers: list[str] | None = None):
        self.catalog = catalog
        self.handlers = [h for h in (handlers or []) if h and "\n" not in h][:200]
        self.rules: list[str] = []

    def rule(self, name: str, body: str) -> str:
        self.rules.append(f"{name} ::= {body}")
        return name

    # -- values --------------------------------------------------------------------------------
    def _option_value(self, prefix: str, spec: dict) -> str:
        choices = spec.get("choices")
        kind = spec.get("type", "str")
        if choices and kind != "list" and len(choices) <= 200:
            words = []
            for choice in choices:
                words += _choice_text(choice)
            body = " | ".join(literal(w) for w in dict.fromkeys(words))
            return self.rule(f"{prefix}-c", f'" " ({body} | tmpl) "\\n"')
        return {"bool": "opt-bool", "int": "opt-int", "float": "opt-num", "str": "opt-str", "path": "opt-str",
                "list": "opt-list", "dict": "opt-dict"}.get(kind, "opt-val")

    def _option_line(self, prefix: str, name: str, spec: dict) -> str:
        value = self._option_value(prefix, spec)
        names = [name] + [a for a in spec.get("aliases") or [] if isinstance(a, str)]
        keys = " | ".join(literal(n + ":") for n in dict.fromkeys(names))
        return self.rule(prefix, f'"    " ({keys}) {value}')

    # -- modules -------------------------------------------------------------------------------
    def module(self, index: int, fqcn: str, written: frozenset[str] | None = None) -> str | None:
        """The rule of a task's module line and its options; with `written` (the option names already
        written after the module line), the rule of the option lines that may still follow (None:
        none may)."""
        doc = self.catalog.get(fqcn)
        p = f"m{index}"
        head = literal(f"  {fqcn}:")
        options = dict(list((doc.options or {}).items())[:MAX_OPTIONS]) if doc else {}
        if fqcn in OPEN_MODULES or "key_value" in options:
            if written is not None:
                return self.rule(f"{p}-rest", f'("    " name ":" opt-val){{0,{MAX_ENTRIES}}}')
            return self.rule(p, f'{head} "\\n" open-args')  # a free-form string sets no variable
        free_form = "free_form" in options or "free-form" in options  # include_* spell it with a dash
        options.pop("free_form", None)
        options.pop("free-form", None)
        if written is not None:
            options = {n: s for n, s in options.items()
                       if n not in written and not written.intersection(s.get("aliases") or ())}
            free_form = free_form and not written.intersection(ONE_OF_WITHOUT_FREE_FORM)
        lines = {name: self._option_line(f"{p}-o{n}", name, spec) for n, (name, spec) in enumerate(options.items())}
        from codegen.validate.argspec import is_auth_option

        required = [n for n, s in options.items() if s.get("required") and not is_auth_option(n, s)]
        required += [n for n in LINT_REQUIRED.get(fqcn, ()) if n in options and n not in required]
        forms = []
        if lines:
            # Required lines are left out of the "other lines" rule, so that each option line has one
            # reading (an ambiguous grammar multiplies the engine's parse stacks at every token); an
            # option given twice is an error anyway.
            enforced = required if len(required) <= MAX_REQUIRED else []
            # without its free form, a command module needs its command under one of these options
            needs_one = [n for n in ONE_OF_WITHOUT_FREE_FORM if free_form and n in lines and n not in enforced]
            if needs_one:
                for n in needs_one:  # written out: an empty command is no command
                    lines.pop(n)
                forms_of = {"cmd": '"    cmd:" (" " cmdline "\\n" | " " cmd-block6)', "argv": '"    argv:\\n" (seq6 | seq4)'}
                lines["(command)"] = self.rule(f"{p}-cmd", " | ".join(forms_of[n] for n in needs_one))
                enforced = [*enforced, "(command)"]
            others = [rule for name, rule in lines.items() if name not in enforced]
            any_line = self.rule(f"{p}-any", " | ".join(others)) if others else None
            star = f" {self.rule(f'{p}-more', f'{any_line}{{0,{MAX_OPTION_LINES}}}')}" if any_line else ""
            if enforced:
                orders = _orderings([lines[n] for n in enforced])
                body = " | ".join("".join(f"{star} {r}" for r in order) + star for order in orders)
                forms.append(f'"\\n" ({body.strip()})')
            else:  # after some option lines (written), none more is needed
                forms.append(f'"\\n" {any_line}{{{0 if written is not None else 1},{MAX_OPTION_LINES}}}')
        if written is not None:  # after some option lines: the rest, without the module line's newline
            return self.rule(f"{p}-rest", forms[0][len('"\\n" '):]) if lines else None
        if free_form or not lines:
            forms.append("free-line")
        if not lines and not free_form:
            forms.append('"\\n"')  # a module without options (ping, meta's free form is an option)
        return self.rule(p, f"{head} ({' | '.join(forms)})")

    # -- keywords ------------------------------------------------------------------------------
    def keywords(self, written: frozenset[str] = frozenset()) -> str:
        """The rule of one keyword line; `written`: keywords the task already has (not offered again)."""
        alts = [(k, " opt-bool-kw") for k in BOOL_KEYWORDS]
        alts += [(k, " opt-int-kw") for k in INT_KEYWORDS]
        alts += [(k, " cond-val") for k in CONDITION_KEYWORDS if k != "changed_when"]
        alts += [(k, " kw-str") for k in STRING_KEYWORDS]
        alts.append(("vars", ' "\\n" open-args'))  # names a variable can have; `args:` is not offered (options go under the module)
        alts += [(k, " kw-list") for k in LIST_KEYWORDS]
        alts += [(k, " kw-val") for k in OTHER_KEYWORDS]
        alts.append(("environment", " kw-env"))
        keys = " | ".join(literal(k + ":") for k in LOOP_CONTROL)
        alts.append(("loop_control", f' "\\n" ("    " ({keys}) " " text "\\n"){{1,{len(LOOP_CONTROL)}}}'))
        alts += [("ignore_errors", ' " false\\n"'), ("register", ' " " name "\\n"')]
        if self.handlers:
            names = " | ".join(literal(h) for h in self.handlers)
            self.rule("handler", names)
            alts.append(("notify", f' (" " handler "\\n" | "\\n" ("    - " handler "\\n"){{1,{MAX_ENTRIES}}})'))
        else:
            alts.append(("notify", " kw-list"))
        self.rule("opt-bool-kw", '" " (bool | tmpl) "\\n"')
        self.rule("opt-int-kw", '" " (int | tmpl) "\\n"')
        self.rule("changed", '"  changed_when:" cond-val')
        return self.rule("kw", " | ".join(literal(f"  {k}:") + body for k, body in alts if k not in written))

    def build(self, modules: list[str], written=None) -> str:
        """The grammar of a task body; with `written` (codegen/grounding/grammar_resume.Written), the
        grammar of what may follow that part of a task: no keyword or option a second time, the
        options it still needs."""
        self.rules = []
        used = written.keywords if written is not None else frozenset()
        kw = self.keywords(used | LOOP_KEYWORDS if any(map(keywords.is_loop, used)) else used)  # one loop a task
        changed = "changed_when" not in used
        before = max(0, MAX_KEYWORDS_BEFORE - len(used))
        if written is not None and written.module:
            some = self.rule("kws", f"{kw}{{0,{MAX_KEYWORDS}}}")
            rest = self.module(0, written.module, written.options) if written.in_module else None
            tail = f"{some} changed {some}" if written.module in CHANGE_REPORTING and changed else some
            self.rule("task", f"{rest} {tail}" if rest else tail)
            return self._grammar()
        plain, reporting = [], []
        for index, fqcn in enumerate(modules):
            (reporting if fqcn in CHANGE_REPORTING and changed else plain).append(self.module(index, fqcn))
        tasks = []
        if plain:  # changed_when is one keyword more here; command/shell have it exactly once
            anykw = self.rule("kwc", f"{kw} | changed") if changed else kw
            some = self.rule("kwcs", f"{anykw}{{0,{MAX_KEYWORDS}}}")
            first = self.rule("kwcb", f"{anykw}{{0,{before}}}") if before else None
            tasks.append(f"{first or ''} ({' | '.join(plain)}) {some}".strip())
        if reporting:
            # ansible-lint's no-changed-when: command and shell say when they changed something
            mods = self.rule("cmd", " | ".join(reporting))
            some = self.rule("kws", f"{kw}{{0,{MAX_KEYWORDS}}}")
            first = self.rule("kwsb", f"{kw}{{0,{before}}}") if before else ""
            tasks.append(f"{first} {mods} {some} changed {some}".strip())
            if before:
                tasks.append(f"{first} changed {first} {mods} {some}")
        self.rule("task", " | ".join(tasks))
        return self._grammar()

    def _grammar(self) -> str:
        root = "root ::= task next-item?"
        return "\n".join([root, *self.rules, BASE_RULES.strip(), value_rules()]) + "\n"


def _orderings(items: list[str]) -> list[list[str]]:
    import itertools

    return [list(p) for p in itertools.permutations(items)]


def task_grammar(catalog, prompt: str, request: str | None = None, handlers: list[str] | None = None,
                 written=None) -> str:
    """The GBNF grammar of a task body for this prompt (see the module docstring); with `written`
    (grammar_resume.Written), of what may follow that much of it."""
    return GrammarBuilder(catalog, handlers).build(modules_in_play(catalog, prompt, request), written)


def request_of(prompt: str) -> str | None:
    """The task name the prompt ends with (`- name: ...` on its last line), the user's request."""
    last = (prompt or "").rstrip("\n").rsplit("\n", 1)[-1].strip()
    return last[len("- name:"):].strip() or None if last.startswith("- name:") else None
