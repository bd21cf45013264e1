"""A small YAML state machine that says whether a partly written task body can still be valid.

The model writes the body of one task under its `- name:` line:

      ansible.builtin.apt:          <- indent 2: a task keyword or the module (FQCN, in the catalog)
        name: nginx                 <- indent 4: an option (or alias) of that module
        state: present              <- a value from the option's choices
      notify: Restart nginx         <- indent 2 again: task keywords only (one module per task)

`viable(text)` is asked for every candidate token during decoding; it checks every complete
line and the line in progress as a prefix. A task may end only when its required options are
set; an option the module refuses beside one already written (mutually_exclusive) cannot be
started. What it cannot see (suboption groups, rules built at run time) is left to validation
and repair afterwards.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from codegen.task_keys import TASK_KEYWORDS

MAX_LINE = 160  # ansible-lint's yaml[line-length]
CONDITIONS = ("when", "changed_when", "failed_when", "until")
# Options that ansible-lint's production profile wants on these modules (risky-file-permissions,
# no-changed-when): the task may not end without them.
LINT_REQUIRED = {
    "ansible.builtin.copy": ("mode",), "ansible.builtin.template": ("mode",), "ansible.builtin.get_url": ("mode",),
}
_HANDLER_CONDITION = re.compile(r"[A-Za-z_][\w.]*(\.changed|\s+is\s+changed)")
# Modules that take keys of the user's choosing beside their documented options.
OPEN_MODULES = {"ansible.builtin.set_fact", "ansible.builtin.add_host", "ansible.builtin.set_stats"}
CHANGE_REPORTING = {"ansible.builtin.command", "ansible.builtin.shell"}
_JINJA = None


def jinja_ok(text: str) -> bool:
    global _JINJA
    if _JINJA is None:
        import jinja2

        _JINJA = jinja2.Environment()
    try:
        _JINJA.parse(text)
        return True
    except Exception:  # any template syntax error
        return False


_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*)(:?)(.*)$")
BOOL_VALUES = ("true", "false")
FREE = None  # a context where any key goes (values of keywords, free-form dicts, lists of scalars)


class SortedNames:
    """Prefix look-ups over a fixed set of names."""

    def __init__(self, names):
        self.names = sorted(set(names))
        self.exact = set(self.names)

    def has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self.names, prefix)
        return i < len(self.names) and self.names[i].startswith(prefix)


@dataclass
class Level:
    indent: int                  # column where keys of this mapping start
    options: dict | None         # {name: spec} allowed here, or FREE
    list_items: bool = False     # keys come as "- key:" items (list of dicts)
    task_level: bool = False
    module_args: bool = False    # the module's own argument mapping (never a list)
    items_are_maps: bool = False  # a list option whose elements are dicts: "- key: value" items only
    seen: set = field(default_factory=set)
    excluded: set = field(default_factory=set)  # ids of options a mutually exclusive one already rules out
    condition: bool = False      # the list under `when:` (and the other condition keywords)
    scalar: bool = False         # the lines under an option that takes one value (str, path, number)


def _strip_quotes(value: str) -> tuple[str, bool]:
    """(inner text, closed?) for a value that may be quoted."""
    if value[:1] in ("'", '"'):
        q = value[0]
        if len(value) > 1 and value.endswith(q):
            return value[1:-1], True
        return value[1:], False
    return value, True


def _is_template(value: str) -> bool:
    """A quoted Jinja expression (or a prefix of one): values we do not type-check."""
    if value[:1] not in ("'", '"'):
        return False
    inner = value[1:]
    return inner == "" or "{{".startswith(inner[:2]) and inner[:1] == "{" or "{{" in inner or "{%" in inner


MAX_KEYWORDS = 8
_INLINE_COMMENT = re.compile(r"\s#")
_BOOL_KEYWORDS = {"become", "ignore_unreachable", "check_mode", "diff", "no_log", "run_once", "any_errors_fatal",
                  "ignore_errors", "delegate_facts"}
_INT_KEYWORDS = {"retries", "delay", "throttle", "timeout"}
# Commands ansible-lint (command-instead-of-module) wants done by a module instead.
_HAS_MODULE = {"apt-get", "chkconfig", "curl", "git", "hg", "letsencrypt", "mktemp", "mount", "patch", "rpm", "rsync",
               "sed", "service", "supervisorctl", "svn", "systemctl", "tar", "unzip", "wget", "yum"}


def is_loop_prone(line: str) -> bool:
    """Lines a person may well repeat ("- a" items of different lists look alike) are fine; a
    key line or a long value line twice in a row is not."""
    body = line.strip()
    return ":" in body or len(body) > 12


def is_growing(first: str, second: str, third: str) -> bool:
    """Three lines where each is the one before plus the same text: a loop that never repeats a line."""
    grown = second[len(first):]
    return bool(grown) and second.startswith(first) and third == second + grown


def _line_value(body: str) -> tuple[str, bool]:
    """(the value a YAML line holds, without a leading "- ", a "key: " and quotes; is it quoted
    and closed already?)"""
    text = body[2:] if body.startswith("- ") else body
    match = re.match(r"[A-Za-z_][\w.-]*: (.*)$", text)
    value = (match.group(1) if match else text).strip()
    inner, closed = _strip_quotes(value)
    return inner, closed and len(value) > 1 and value[:1] in ("'", '"')


REPEAT_SPAN = 24  # a run this long written a third time in one line is a loop


def is_repeating(line: str) -> bool:
    """Does the line end in a run of REPEAT_SPAN characters it has already written twice? A small
    model stuck in a loop ("| default(x.y | default(x.y | ...") never closes its value; refusing
    the third copy makes it pick the token that ends the line instead."""
    if len(line) < REPEAT_SPAN:
        return False
    tail = line[-REPEAT_SPAN:]  # ... or ends in a short unit repeated to that length ("_id_id_id_id...")
    if any(tail == (tail[:p] * (REPEAT_SPAN // p + 1))[:REPEAT_SPAN] for p in range(2, 7)) and tail.strip(tail[0]):
        return True
    return len(line) >= 3 * REPEAT_SPAN and line.count(tail) >= 3


_MAPPING_KEY = re.compile(r"[A-Za-z_][\w.-]*:( |$)")  # "key:" opening a mapping entry
_AFTER_QUOTED = re.compile(r"\s*(- )?([A-Za-z_][\w.-]*: )?S\s*\S")


def _without_quoted(line: str) -> str:
    """The line with quoted strings blanked (to "S"), so a '#' inside quotes is not taken for a
    comment; a quote left in the result opens a string not closed yet."""
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"", "S", line)


def _keyword_value_ok(key: str, value: str, complete: bool) -> bool:
    if _is_template(value) or value.startswith(("'{", '"{')):
        return True
    if key == "ignore_errors":  # ansible-lint's ignore-errors refuses `true`: only false (or a template)
        return value == "false" if complete else "false".startswith(value)
    if key in _BOOL_KEYWORDS:
        return value in BOOL_VALUES if complete else any(b.startswith(value) for b in BOOL_VALUES)
    if key in _INT_KEYWORDS:
        return re.fullmatch(r"\d+" if complete else r"\d*", value) is not None
    if key == "notify" and complete:
        return value not in ("true", "false", "null", "~") and not re.fullmatch(r"-?\d+", value)
    return True


def _command_has_module(text: str) -> bool:
    words = text.strip().strip("'\"").split()
    first = words[0].rsplit("/", 1)[-1] if words else ""
    return first in _HAS_MODULE


# Names Ansible and Jinja define themselves: magic variables, loop variables, Jinja words.
PROVIDED_VARIABLES = frozenset({
    "item", "ansible_loop", "hostvars", "groups", "group_names", "inventory_hostname", "inventory_hostname_short",
    "play_hosts", "playbook_dir", "role_path", "role_name", "inventory_dir", "inventory_file", "omit",
    "true", "false", "none", "True", "False", "None"})  # functions (range, namespace...) are FUNCTIONS
# Facts and connection variables every host has (ansible_local is a role's own facts: not these).
FACT_PREFIXES = ("ansible_facts", "ansible_distribution", "ansible_os_family", "ansible_hostname", "ansible_fqdn",
                 "ansible_default_ipv4", "ansible_default_ipv6", "ansible_all_ipv4", "ansible_architecture",
                 "ansible_check_mode", "ansible_env", "ansible_user", "ansible_service_mgr", "ansible_pkg_mgr",
                 "ansible_python", "ansible_memtotal_mb", "ansible_processor", "ansible_kernel", "ansible_machine",
                 "ansible_nodename", "ansible_play_", "ansible_version", "ansible_date_time", "ansible_interfaces",
                 "ansible_mounts", "ansible_devices", "ansible_lsb", "ansible_system", "ansible_domain", "ansible_host",
                 "ansible_port", "ansible_connection", "ansible_become", "ansible_loop", "ansible_managed")
FUNCTIONS = {"lookup", "query", "q", "range", "dict", "lipsum", "cycler", "joiner", "namespace", "now", "undef",
              "zip", "zip_longest"}  # Jinja's and Ansible's global functions; any other call reads a variable
_JINJA_WORDS = {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None"}
_EXPRESSION = re.compile(r"\{\{(.*?)(\}\}|$)", re.S)
_STRING = re.compile(r"'[^']*'?|\"[^\"]*\"?")
_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


def jinja_roots(text: str, bare: bool = False) -> list[tuple[str, bool]]:
    """(variable name, finished?) for the variables a template reads: names that are not
    attributes, filters, tests, function calls, keyword arguments or Jinja words. bare: the
    text is an expression without braces (a `when:` condition)."""
    bodies = [(text, False)] if bare and "{{" not in text else \
        [(m.group(1), bool(m.group(2))) for m in _EXPRESSION.finditer(text)]
    out = []
    for body, closed in bodies:
        body = _STRING.sub("''", body)
        for match in _NAME.finditer(body):
            name, end = match.group(), match.end()
            before, after = body[:match.start()].rstrip(), body[end:].lstrip()
            if name in _JINJA_WORDS or before.endswith(("|", " is", " is not")) or (after[:1] == "(" and name in
                    FUNCTIONS) or (after[:1] == "=" and after[1:2] != "=" and before.endswith(("(", ","))):
                continue  # filters, tests, calls and keyword arguments of a call are not variables
            out.append((name, end < len(body) or closed))
    return out


def _wants_mapping(spec: dict) -> bool:
    return spec.get("type") == "dict" or (spec.get("type") == "list" and spec.get("elements") == "dict")


class SchemaChecker:
    def __init__(self, catalog, handlers: list[str] | None = None, variables: set[str] | None = None):
        """variables: when given, the only variables a template may read (with Ansible's own names
        and facts): a playbook written from scratch has no others, so a task must not reach for
        a role's variables it saw in training."""
        self.catalog = catalog
        self.variables = None if variables is None else set(variables) | PROVIDED_VARIABLES
        self.modules = SortedNames(catalog.names())
        self.keywords = SortedNames(TASK_KEYWORDS | {f"with_{w}" for w in ("items", "dict", "fileglob", "sequence",
                                                                              "subelements", "together", "nested")})
        self.handlers = handlers or []
        self._option_names: dict[str, dict] = {}

    # -- helpers ------------------------------------------------------------------------------
    def _names(self, options: dict) -> dict[str, dict]:
        """option and alias names -> spec, cached per options mapping."""
        key = id(options)
        if key not in self._option_names:
            names = {}
            for name, spec in options.items():
                names[name] = spec
                for alias in spec.get("aliases") or []:
                    names[alias] = spec
            self._option_names[key] = names
        return self._option_names[key]

    def _value_ok(self, spec: dict, value: str, complete: bool) -> bool:
        value = value.split(" #", 1)[0].rstrip() if complete else value
        if complete and ("{{" in value or "{%" in value) and not jinja_ok(_strip_quotes(value)[0]):
            return False
        choices = spec.get("choices")
        if not value or _is_template(value) or (value in ("|", ">", "|-", ">-") and not choices):
            return True
        inner, closed = _strip_quotes(value)
        if choices and (spec.get("type", "str") != "list" or not value.startswith("[")):
            texts = [str(c) for c in choices] + [str(c).lower() for c in choices if isinstance(c, bool)]
            if complete and closed:
                return inner in texts
            return any(t.startswith(inner) for t in texts)
        kind = spec.get("type")
        if kind in ("int", "float") and not value.startswith(("'", '"')):
            pattern = r"-?\d+" if kind == "int" else r"-?\d+(\.\d*)?"
            if complete:
                return re.fullmatch(pattern, value) is not None
            return re.fullmatch(r"-?\d*\.?\d*", value) is not None and (kind == "float" or "." not in value)
        if kind in ("int", "float"):  # a quoted number is accepted; a quoted word is not
            return bool(re.fullmatch(r"-?\d*\.?\d*", inner)) if not (complete and closed) else \
                bool(re.fullmatch(r"-?\d+(\.\d+)?", inner))
        if spec.get("type") == "bool":
            if value.startswith(("'", '"')):  # a quoted boolean is accepted by Ansible, if it is one
                words = ("true", "false", "yes", "no", "on", "off")
                return any((w == inner.lower()) if (complete and closed) else w.startswith(inner.lower()) for w in words)
            if complete:
                return value in BOOL_VALUES
            return any(b.startswith(value) for b in BOOL_VALUES)
        return True

    def _variables_ok(self, value: str, condition: bool, complete: bool = False) -> bool:
        """Every variable a (partly written) template reads is one it may read."""
        if self.variables is None or ("{{" not in value and not condition):
            return True
        for name, finished in jinja_roots(value, bare=condition):
            finished = finished or complete
            if name.startswith(FACT_PREFIXES) or any(p.startswith(name) for p in FACT_PREFIXES):
                continue
            if finished and name not in self.variables:
                return False
            if not finished and not any(v.startswith(name) for v in self.variables):
                return False
        return True

    # -- the machine ----------------------------------------------------------------------------
    def viable(self, text: str, final: bool = False) -> bool:
        """Can `text` (a task body, indent 2) still become a valid task? final: it is complete."""
        lines = text.split("\n")
        stack = [Level(indent=2, options=FREE, task_level=True)]
        module_doc = None
        block_scalar_indent: int | None = None
        for number, line in enumerate(lines):
            complete = final or number < len(lines) - 1
            if not line.strip():
                continue
            if is_repeating(line) or any(ord(ch) < 32 for ch in line):
                return False  # a loop; or control characters and tabs, which have no place in a task
            indent = len(line) - len(line.lstrip(" "))
            body = line[indent:]
            if block_scalar_indent is not None:
                if indent > block_scalar_indent or (not complete and indent >= block_scalar_indent and not body.strip()):
                    if (complete and line != line.rstrip()) or line.endswith("  ") or len(line) > MAX_LINE:
                        return False  # block text is still YAML lines: no trailing spaces, 160 columns
                    continue
                block_scalar_indent = None
            if body.startswith("#"):
                return False  # a generated task carries no comments: a small model loops in them
            if complete and number > 0 and line == lines[number - 1] and is_loop_prone(line):
                return False  # the same line twice in a row: a loop, not YAML anyone writes
            if complete and number > 1 and is_growing(lines[number - 2], lines[number - 1], line):
                return False  # "- a_x", "- a_x_x", "- a_x_x_x": a loop that never repeats a line
            if complete and body.count("{{") > body.count("}}"):
                return False  # a template closes on its own line (checks see one line at a time)
            if "{{" in body:
                value, closed = _line_value(body)
                if (complete or closed) and not jinja_ok(value):
                    return False  # ... and parses there, whatever the line is (a value under its key, a list item)
                if not self._variables_ok(body, False, complete):
                    return False  # list items and nested values read only known variables too
            unquoted = _without_quoted(line)
            if _INLINE_COMMENT.search(unquoted) and (complete or not re.search(r"['\"]", unquoted)):
                return False  # nor comments after a value ("# noqa ..." repeated to the token limit)
            if _AFTER_QUOTED.match(unquoted):
                return False  # a quoted value ends the line: text after its closing quote is not YAML
            if number == 0 and indent != 2 and (complete or len(line) >= 2):
                return False  # the body of a task starts at column 2
            is_item = body.startswith("- ") or body == "-"
            key_indent = indent + 2 if is_item else indent
            key_text = body[2:] if is_item else body
            while len(stack) > 1 and key_indent < stack[-1].indent:
                stack.pop()
            level = stack[-1]
            if key_indent < 2:
                return False
            if is_item and indent == 4 and level.module_args:
                return False  # a module's arguments are a mapping, never a list
            if level.items_are_maps and is_item and key_indent == level.indent and complete \
                    and not _MAPPING_KEY.match(key_text):
                return False  # an element of a list of dicts is a mapping, not a scalar
            if level.options is FREE and not level.task_level:
                if level.scalar and key_indent >= level.indent and (is_item or _MAPPING_KEY.match(key_text)):
                    return False  # a string (or number) option continued on the next lines, not a mapping or list
                if level.condition and is_item and indent == level.indent and key_text:
                    # a condition written as a list ("when:" then "- a is defined"): each item is one
                    if not self._variables_ok(key_text, True, complete) or (
                            complete and not jinja_ok("{{ " + _strip_quotes(key_text.strip())[0] + " }}")):
                        return False
                if key_indent >= level.indent:
                    continue
            if is_item and indent == level.indent and not level.list_items and not level.task_level \
                    and level.options is not FREE:
                return False  # a dict option (a mapping of suboptions) written as a list
            if key_indent > level.indent:
                continue  # deeper than any mapping we track: list values, nested free data
            if level.task_level and is_item:
                return False
            match = _KEY.match(key_text)
            if not match:
                if level.task_level or (level.options is not FREE and not is_item):
                    # a key is being typed: an empty-so-far or partial key is fine only mid-line
                    return not complete and key_text == ""
                continue
            key, colon, rest = match.groups()
            if not colon and rest:
                return False  # text after a key that has no colon: not YAML we can accept
            key_done = bool(colon) or complete
            if colon and rest and (rest[0] != " " or rest[1:2].isspace()):
                return False  # "key: value" has exactly one space after the colon
            if any(ord(ch) < 32 for ch in line):
                return False  # control characters and tabs have no place in a task
            if (complete and line != line.rstrip()) or line.endswith("  "):
                return False  # trailing spaces (ansible-lint's yaml rule)
            if len(line) > MAX_LINE:
                return False
            if level.task_level:
                allowed_module = module_doc is None
                if key_done:
                    if not colon:
                        return False
                    if key in self.keywords.exact:
                        if key in level.seen or len(level.seen) >= MAX_KEYWORDS:
                            return False  # each keyword once; a long run of them is a model rambling
                        level.seen.add(key)
                        value = rest[1:].rstrip() if complete else rest[1:]
                        if value and not _keyword_value_ok(key, value, complete):
                            return False
                        if value and not self._variables_ok(value, key in CONDITIONS, complete):
                            return False
                        if value and key in CONDITIONS and re.match(r"-?\d", value):
                            return False  # a condition, not a number ("until: 10", or digits to the token limit)
                        if complete and value and key in CONDITIONS and not jinja_ok("{{ " + _strip_quotes(value)[0] + " }}"):
                            return False  # a condition that does not parse
                        if complete and key == "when" and _HANDLER_CONDITION.fullmatch(_strip_quotes(value)[0].strip()):
                            return False  # "when: result.changed" is a handler's job (ansible-lint no-handler)
                        if complete and value and ("{{" in value or "{%" in value) \
                                and not jinja_ok(_strip_quotes(value)[0]):
                            return False
                        if key == "register" and value and not re.fullmatch(
                                r"[A-Za-z_][A-Za-z0-9_]*" if complete else r"[A-Za-z_][A-Za-z0-9_]*|", value):
                            return False  # register names a variable
                        if key == "notify" and self.handlers and value and not _is_template(value):
                            inner, closed = _strip_quotes(value)
                            done = complete and closed
                            if not any((h == inner) if done else h.startswith(inner) for h in self.handlers):
                                return False
                        if value in ("|", ">", "|-", ">-"):
                            block_scalar_indent = indent
                        stack.append(Level(indent=4, options=FREE, condition=key in CONDITIONS))
                        continue
                    if allowed_module and key in self.modules.exact:
                        module_doc = self.catalog.get(key)
                        if key in CHANGE_REPORTING and (complete or " " in rest[1:].strip()) \
                                and _command_has_module(rest[1:]):
                            return False  # ansible-lint command-instead-of-module, as soon as the word is out
                        if complete and ("{{" in rest or "{%" in rest) and not jinja_ok(_strip_quotes(rest[1:].strip())[0]):
                            return False  # free-form arguments ("command: ls {{ dir }}") are a template too
                        if rest.strip():
                            stack.append(Level(indent=4, options=FREE))  # free-form: "command: ls"
                        else:
                            opts = module_doc.options if module_doc and module_doc.options else FREE
                            if key in OPEN_MODULES or (opts and "key_value" in opts):
                                opts = FREE  # set_fact's keys are the variables it sets
                            stack.append(Level(indent=4, options=opts, module_args=True))
                        continue
                    return False
                if (allowed_module and self.modules.has_prefix(key)) or any(
                        k.startswith(key) and k not in level.seen for k in self.keywords.names):
                    continue
                return False
            # inside a module's options (or suboptions)
            if is_item and not level.list_items:
                continue
            names = self._names(level.options)
            if key_done:
                if not colon or key not in names:
                    return False
                spec = names[key]
                if id(spec) in level.seen or id(spec) in level.excluded:
                    return False  # the same option twice (or an option and its alias), or one the module refuses beside another
                level.seen.add(id(spec))
                if level.module_args and module_doc is not None and module_doc.mutually_exclusive:
                    present = {n for n, option in module_doc.options.items() if id(option) in level.seen}
                    level.excluded = {id(module_doc.options[n]) for n in module_doc.excluded_by(present)
                                      if n in module_doc.options}
                value = rest[1:].rstrip() if complete else rest[1:]
                if value in ("|", ">", "|-", ">-"):
                    block_scalar_indent = indent
                if value and not self._variables_ok(value, False, complete):
                    return False
                if value and not self._value_ok(spec, value, complete):
                    return False
                if value and complete and _wants_mapping(spec) and not _is_template(value) \
                        and not value.startswith(("{", "[", "|", ">")) and value not in ("null", "~"):
                    return False  # a dict (or list of dicts) option given a plain scalar
                subs = spec.get("suboptions")
                if not value and complete and (spec.get("choices") or spec.get("type") in ("bool", "int", "float")) \
                        and spec.get("type") not in ("list", "dict"):
                    return False  # a choice, boolean or number is written on the key's line
                if not value:
                    if subs and spec.get("type") == "dict":
                        stack.append(Level(indent=key_indent + 2, options=subs))
                    elif subs and spec.get("type") == "list":
                        stack.append(Level(indent=key_indent + 4, options=subs, list_items=True))
                    elif spec.get("type") == "list" and spec.get("elements") == "dict":
                        stack.append(Level(indent=key_indent + 4, options=FREE, items_are_maps=True))
                    else:
                        # not "str": docs call some options str that take a mapping (include_tasks' apply)
                        scalar = spec.get("type") in ("path", "int", "float", "bool", "bytes", "bits")
                        stack.append(Level(indent=key_indent + 2, options=FREE, scalar=scalar))
                continue
            if not any(n.startswith(key) and id(spec) not in level.seen and id(spec) not in level.excluded
                       for n, spec in names.items()):
                return False  # no unused (and allowed) option starts like this: a dead end
        if final and module_doc is None:
            return False
        if final:
            return self.missing_required(text) == [] and self.lint_missing(text) == [] and self.parses(text) \
                and not self.sets_nothing(text)
        return True

    def complete_prefix(self, text: str) -> str | None:
        """The longest run of whole lines that is a complete, valid task: what to keep of an answer
        cut off at the token limit (a runaway condition or template would not parse)."""
        lines = text.rstrip("\n").split("\n")
        for end in range(len(lines), 0, -1):
            candidate = "\n".join(lines[:end]) + "\n"
            if self.viable(candidate, final=True):
                return candidate
        return None

    def parses(self, text: str) -> bool:
        """The finished task loads as YAML and every template and condition in it parses."""
        from codegen.parse import ParseError, load_tasks
        from codegen.validate import jinja_check

        try:
            tasks = load_tasks("- name: task\n" + text)
        except ParseError:
            return False
        if len(tasks) != 1 or any(v is None for k, v in tasks[0].items() if k in TASK_KEYWORDS or k.startswith("with_")):
            return False  # one task; a keyword written with nothing after it ("when:") is null to Ansible
        return not jinja_check.check(tasks[0], 0, 1)

    def lint_missing(self, text: str) -> list[str]:
        """What ansible-lint (production) will ask for that the task does not have yet."""
        module = self.module_written(text)
        if module is None:
            return []
        top = {line[2:].split(":", 1)[0] for line in text.split("\n") if line.startswith("  ") and not line.startswith("   ")}
        options = {line[4:].split(":", 1)[0] for line in text.split("\n")
                   if line.startswith("    ") and not line.startswith("     ")}
        missing = [o for o in LINT_REQUIRED.get(module, ()) if o not in options]
        if module == "ansible.builtin.file" and re.search(r"^    state: ['\"]?(directory|touch)\b", text, re.M) \
                and "mode" not in options:
            missing.append("mode")
        if module in CHANGE_REPORTING and not ({"changed_when", "creates", "removes"} & (top | options)):
            missing.append("changed_when")
        return missing

    def sets_nothing(self, text: str) -> bool:
        """set_fact or set_stats with no variable under it: Ansible refuses it ("No key/value pairs
        provided"), and an answer cut back to its module line would otherwise look complete."""
        module = self.module_written(text)
        if module not in OPEN_MODULES or module == "ansible.builtin.add_host":
            return False
        lines = text.split("\n")
        start = next(i for i, line in enumerate(lines) if line.startswith(f"  {module}:"))
        if lines[start].split(":", 1)[1].strip():
            return False  # free-form "set_fact: a=1"
        body = [line for line in lines[start + 1:] if line.startswith("    ")]
        keys = [line[4:].split(":", 1)[0] for n, line in enumerate(body) if not line.startswith("     ")
                and (line.split(":", 1)[-1].strip() or body[n + 1:n + 2])]  # a key with its value
        return not [k for k in keys if k != "cacheable"]

    def module_written(self, text: str) -> str | None:
        for line in text.split("\n"):
            m = _KEY.match(line[2:]) if line.startswith("  ") and not line.startswith("   ") else None
            if m and m.group(2) and m.group(1) in self.modules.exact:
                return m.group(1)
        return None

    def missing_required(self, text: str) -> list[str]:
        """Required options of the written module that the body does not set (top level only)."""
        module = self.module_written(text)
        doc = self.catalog.get(module) if module else None
        if doc is None:
            return []
        present = set()
        inside = False
        for line in text.split("\n"):
            if line.startswith("  ") and not line.startswith("   "):
                inside = line[2:].split(":", 1)[0] == module
                if inside and line.split(":", 1)[1].strip():
                    return []  # free-form arguments on the module line
                continue
            if inside and line.startswith("    ") and not line.startswith("     "):
                present.add(line[4:].split(":", 1)[0].strip())
        from codegen.validate.argspec import is_auth_option

        missing = []
        for name in doc.required():
            spec = doc.options[name]
            if name in ("free_form", "key_value") or is_auth_option(name, spec):
                continue  # free-form text, or credentials the environment supplies
            if name not in present and not (set(spec.get("aliases") or []) & present):
                missing.append(name)
        return missing
