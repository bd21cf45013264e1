"""A request -> the steps it asks for (code), each with the modules that fit it; and the check
that every asked step got a task with a fitting module, and nothing unasked got in.

Plain requests ("Install nginx, start it and enable it at boot", "1. x 2. y", "x. Then y.",
bullet lists) are split here: at list items, sentences, ';', ',', 'and', 'then' — but only
where the next part starts a new action (a verb, "make sure X is running", or an object after
an elided verb: "create a database and a user"). "Install htop and tmux" stays one step.
Pronouns take the object of the step before ("start it" -> "start nginx"). Only a request the
code finds no concrete action in ("set up a web server") goes to the model's outline
(codegen/authoring/outline.py), whose habit steps ("local facts") are then dropped.

What counts as invented (removed from generated tasks): `tags` the request never mentions, and a
`when:` that reads no variable registered by the tasks generated so far (the request gave no
condition). A `when:`/`until:` on a registered result is the task checking its own work, kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

# --- module families --------------------------------------------------------------------------

PACKAGE = frozenset({"package", "apt", "dnf", "dnf5", "yum", "zypper", "apk", "pacman", "snap", "pkgng"})
SERVICE = frozenset({"service", "systemd", "systemd_service", "sysvinit"})
FIREWALL = frozenset({"firewalld", "ufw", "iptables"})
FILES = frozenset({"copy", "template"})
EDIT = frozenset({"lineinfile", "blockinfile", "replace", "ini_file"}) | FILES
RUN = frozenset({"command", "shell", "script"})

# The module a retry names, per family (the first of a family the step fits).
PREFERRED = {"package": "ansible.builtin.package", "service": "ansible.builtin.service",
             "template": "ansible.builtin.template", "copy": "ansible.builtin.copy",
             "lineinfile": "ansible.builtin.lineinfile", "firewalld": "ansible.posix.firewalld",
             "ufw": "community.general.ufw", "user": "ansible.builtin.user", "group": "ansible.builtin.group",
             "authorized_key": "ansible.posix.authorized_key", "get_url": "ansible.builtin.get_url",
             "unarchive": "ansible.builtin.unarchive", "cron": "ansible.builtin.cron", "git": "ansible.builtin.git",
             "mysql_db": "community.mysql.mysql_db", "mysql_user": "community.mysql.mysql_user",
             "postgresql_db": "community.postgresql.postgresql_db",
             "postgresql_user": "community.postgresql.postgresql_user",
             "docker_container": "community.docker.docker_container", "docker_image": "community.docker.docker_image",
             "sysctl": "ansible.posix.sysctl", "mount": "ansible.posix.mount", "hostname": "ansible.builtin.hostname",
             "timezone": "community.general.timezone", "reboot": "ansible.builtin.reboot",
             "command": "ansible.builtin.command", "apt_repository": "ansible.builtin.apt_repository",
             "selinux": "ansible.posix.selinux", "seboolean": "ansible.posix.seboolean", "file": "ansible.builtin.file",
             "wait_for": "ansible.builtin.wait_for", "pip": "ansible.builtin.pip",
             "sudoers": "community.general.sudoers"}

# (pattern on the step's text, families). First match wins: specific objects before plain verbs.
# "{db}" is filled from the whole request (the step "create a database" of a postgres request).
_RULES: list[tuple[str, frozenset | str]] = [
    (r"(?<![-\w])pip3?\b(?!-)|\bpython packages?\b|\bvirtualenv\b", frozenset({"pip"})),
    (r"\b(pull|build)\b.*\bimages?\b", frozenset({"docker_image", "podman_image", "docker_container",
                                                  "podman_container"})),
    (r"\bcontainers?\b", frozenset({"docker_container", "podman_container"})),
    (r"\bcron\b|\bcrontab\b|\bschedule\b|\bevery (night|day|hour|minute|week|sunday|monday|tuesday|wednesday|"
     r"thursday|friday|saturday)\b", frozenset({"cron"})),
    (r"\b(db|database|mysql|mariadb|postgres|postgresql|sql)\s+(user|role|login)s?\b", "db_user"),
    (r"\b(create|add|drop|remove|delete)\b.*\bdatabases?\b", "db"),
    (r"\bsudo\b|\bsudoers\b", frozenset({"sudoers", "lineinfile", "copy", "template"})),
    (r"\b(ssh|public)\s+keys?\b|\bauthorized[ _]keys?\b|\b\w+\.pub\b", frozenset({"authorized_key"})),
    (r"\bhome director(y|ies)\b", frozenset({"user", "file"})),
    (r"\b(create|add|remove|delete)\b.*\busers?\b(?!\s+to\b)", frozenset({"user"})),
    (r"\b(add|put)\b.*\bto\b.*\bgroups?\b", frozenset({"user"})),
    (r"\b(create|add|remove|delete)\b.*\bgroups?\b", frozenset({"group"})),
    (r"^install\b.*\s(to|into)\s+/", FILES),
    (r"^(install|uninstall|purge|upgrade)\b|^remove\b.*\bpackages?\b", PACKAGE),
    (r"^(start|stop|restart|enable|disable)\s+(and\s+\w+\s+)?(the\s+)?firewalld\b", SERVICE),
    (r"\b(clone|checkout|check out)\b|\bgit\s+(repo|repository)\b", frozenset({"git"})),
    (r"\b(add|enable|configure)\b.*\b(repository|repo|ppa)\b", frozenset({"apt_repository", "deb822_repository",
                                                                          "yum_repository"})),
    (r"\b(download|fetch)\b.*\b(extract|unpack|unarchive|untar|unzip)", frozenset({"get_url", "unarchive"})),
    (r"\b(download|fetch)\b", frozenset({"get_url", "uri"})),
    (r"\b(unpack|extract|unarchive|untar|unzip)\b", frozenset({"unarchive"})),
    (r"\bsym(bolic )?links?\b|\blink\b", frozenset({"file"})),
    (r"\bmount\b", frozenset({"mount"})),
    (r"\b(reboot|restart)\s+(the\s+|all\s+)?(machine|server|host|system|box|node)s?\b|^reboot\b",
     frozenset({"reboot"})),
    (r"\bwait\b", frozenset({"wait_for", "uri"})),
    (r"\bhostname\b", frozenset({"hostname"})),
    (r"\btime ?zone\b", frozenset({"timezone"})),
    (r"\bselinux\b|\bsebool", frozenset({"selinux", "seboolean"})),
    (r"\bhttpd\b.*\bnetwork connect", frozenset({"seboolean"})),
    (r"\bsysctl\b|\bip forwarding\b|\bswappiness\b|\b(vm|net|kernel|fs)\.[a-z_.]+|\bkernel param",
     frozenset({"sysctl"})),
    (r"\breload\b.*\bfirewalld\b", FIREWALL | SERVICE | RUN),
    (r"\bufw\b|\bfirewalld?\b|\biptables\b|\b(open|allow|close|deny|block)\b.*\bports?\b|\bports?\b.*\b(open|allow)",
     FIREWALL),
    (r"\b(allow|deny|open)\b.*\b(ssh|https?|traffic)\b", FIREWALL),
    (r"\b(disable|enable|set|configure|change)\b.*\b(login|authentication|option|setting|directive|parameter)\b"
     r"|\b(set|change|configure|edit|add)\b.*\bin\s+\S*(/|\.conf|\.ini|\.cfg)", EDIT),
    (r"\b(start|stop|restart|reload|enable|disable|bounce)\b|\bkeep\b.*\brunning\b|\b(is|are) (running|started|"
     r"enabled|stopped)\b|\bat boot\b", SERVICE),
    (r"\b(install|remove|uninstall|purge|upgrade|update)\b", PACKAGE),
    (r"\btemplates?\b|\.j2\b", frozenset({"template", "copy"})),
    (r"\b(create|make)\b.*\b(director(y|ies)|folders?|dirs?)\b|\b(create|make)\s+/", frozenset({"file"})),
    (r"\b(copy|upload|deploy|put|place|write|push|install)\b", FILES | frozenset({"lineinfile", "blockinfile"})),
    (r"\b(set|configure|change|edit|tune)\b", EDIT),
    (r"\b(delete|remove)\b.*(/|\bfiles?\b)", frozenset({"file"})),
    (r"\b(run|execute)\b", RUN),
]
_COMPILED = [(re.compile(p, re.IGNORECASE), f) for p, f in _RULES]


def families_for(step: str, request: str = "") -> frozenset | None:
    """The modules (short names) that can do what the step asks; None when the code cannot tell."""
    text = " ".join(step.lower().split())
    context = request.lower()
    for pattern, fits in _COMPILED:
        if not pattern.search(text):
            continue
        if fits in ("db", "db_user"):
            kind = "db" if fits == "db" else "user"
            postgres = bool(re.search(r"postgres", text + " " + context))
            mysql = bool(re.search(r"mysql|mariadb", text + " " + context))
            names = {"db": ("mysql_db", "postgresql_db"), "user": ("mysql_user", "postgresql_user")}[kind]
            if postgres and not mysql:
                return frozenset({names[1]})
            if mysql and not postgres:
                return frozenset({names[0]})
            return frozenset(names)
        return fits
    return None


# --- splitting --------------------------------------------------------------------------------

VERBS = frozenset("""
install remove uninstall purge upgrade update start stop restart reload enable disable keep open allow deny close
block copy deploy upload write put place push template create add delete set configure change edit tune download
fetch unpack extract unarchive untar unzip clone checkout run execute schedule mount unmount reboot wait pull give
grant append replace insert link symlink generate register apply build compile harden secure ensure make bounce
""".split())
# Verbs too vague to generate from on their own ("set up a web server"): the model outlines those.
VAGUE = frozenset({"set up", "setup", "provision", "prepare", "harden", "secure", "build", "make", "deploy",
                   "configure", "bootstrap"})
_FILLERS = re.compile(r"^(?:and\s+|then\s+|also\s+|finally\s+|after that,?\s+|afterwards,?\s+|next,?\s+|please\s+|"
                      r"lastly\s+|first,?\s+|,\s*)+", re.IGNORECASE)
_ENSURE = re.compile(r"^(?:make sure|ensure|check)(?:\s+that)?\s+(?P<what>.+?)\s+(?:is|are|stays?|keeps?)\s+"
                     r"(?P<state>running|started|enabled|stopped|disabled|restarted|installed|present|absent|"
                     r"up|active)\b(?P<rest>.*)$", re.IGNORECASE)
_OBJECT_WORDS = re.compile(r"\b(user|users|database|databases|group|groups|directory|folder|key|keys|container|"
                           r"image|repository|repo|cron job|symlink|link|file)\b", re.IGNORECASE)
_PREPOSITION = re.compile(r"\s+(?:to|in|into|from|with|on|at|for|by|as|using|via|every|under|onto|so|that|"
                          r"and|then|if|when|owned|pointing|publishing|listening|running)\b.*$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+(?P<text>.+?)\s*$")
_INLINE_NUMBERS = re.compile(r"(?:^|\s)\d{1,2}[.)]\s+")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s*;\s*")
_CLAUSE = re.compile(r"(\s*,\s*(?:and\s+|then\s+)?|\s+and\s+then\s+|\s+then\s+|\s+and\s+|\s*&\s*)", re.IGNORECASE)
_HABIT = re.compile(r"\blocal facts?\b|\bfacts\.d\b|\bansible_local\b|\bsave \S+ (local )?facts\b", re.IGNORECASE)
_OBJECT_VERBS = frozenset({"install", "create", "add", "download", "fetch", "clone", "pull", "copy", "deploy",
                           "upload", "write", "put", "place", "unpack", "extract", "make", "build"})
MAX_STEPS = 12
MAX_REQUEST = 4000  # characters: a request is a sentence or a short list, not a file


def _first_word(text: str) -> str:
    match = re.match(r"[A-Za-z]+", text)
    return match.group(0).lower() if match else ""


def _starts_action(text: str) -> bool:
    if _ENSURE.match(text):
        return True
    word = _first_word(text)
    return word in VERBS and word not in ("make", "ensure") or text.lower().startswith("set up")


def object_of(step: str) -> str:
    """What a step acts on, for a later 'it': "Install nginx" -> nginx; "Create a user named deploy" -> deploy."""
    match = _ENSURE.match(step)
    text = match.group("what") if match else re.sub(r"^\S+\s+", "", step.strip())
    named = re.search(r"\b(?:named|called)\s+(\S+)", text)
    if named:
        return named.group(1).strip(",.")
    text = _PREPOSITION.sub("", text)
    text = re.sub(r"^(?:the|a|an|its|their|his|her)\s+", "", text.strip(), flags=re.IGNORECASE)
    return text.strip(" ,.")


_PRONOUN = re.compile(r"^(?P<verb>\w+(?:\s+and\s+\w+)?)\s+(?:it|them)\b|\b(?P<own>its|their)\b", re.IGNORECASE)
_ENSURE_PRONOUN = re.compile(r"^(?P<lead>(?:make sure|ensure)(?:\s+that)?)\s+(?:it|they)\b", re.IGNORECASE)


def _resolve(text: str, obj: str) -> tuple[str, bool]:
    """'start it' -> 'start nginx'; 'its config' -> 'the nginx config'; 'make sure it is running'.
    Only the object position is resolved: 'a link pointing to it' is left to the task context.
    (text, whether a pronoun was replaced)."""
    if not obj:
        return text, False
    new = _ENSURE_PRONOUN.sub(lambda m: f"{m.group('lead')} {obj}", text)
    new = _PRONOUN.sub(lambda m: f"the {obj}" if m.group("own") else f"{m.group('verb')} {obj}", new)
    return new, new != text


def _items(request: str) -> list[str]:
    """Numbered or bulleted list items, list lines or inline ('1. a 2. b'); else sentences."""
    lines = [line for line in request.splitlines() if line.strip()]
    listed = [m.group("text") for m in map(_LIST_ITEM.match, lines) if m]
    if len(listed) >= 2:
        return listed
    flat = " ".join(request.split())
    if re.match(r"^1[.)]\s", flat):
        return [p for p in _INLINE_NUMBERS.split(flat) if p.strip()]
    return [s for s in _SENTENCE.split(flat) if s.strip(" .")]


def _clauses(sentence: str) -> list[str]:
    """A sentence cut where a new action starts; other cuts stay in the part before."""
    pieces = _CLAUSE.split(sentence)
    parts: list[str] = [pieces[0]]
    verb_before = _first_word(_FILLERS.sub("", pieces[0]))
    for separator, piece in zip(pieces[1::2], pieces[2::2]):
        stripped = _FILLERS.sub("", piece).strip()
        elided = (re.match(r"^(?:a|an|the)\s", stripped, re.IGNORECASE) and _OBJECT_WORDS.search(stripped)
                  and verb_before in ("create", "add", "remove", "delete") and _OBJECT_WORDS.search(parts[-1])
                  and _OBJECT_WORDS.search(stripped).group(1).lower() != _OBJECT_WORDS.search(parts[-1]).group(1).lower())
        if _starts_action(stripped) and _FILLERS.sub("", parts[-1]).strip().lower() in VERBS:
            parts[-1] += " and " + stripped  # "start and enable nginx": one action on one object
            verb_before = _first_word(stripped)
        elif _starts_action(stripped):
            parts.append(stripped)
            verb_before = _first_word(stripped)
        elif elided:  # "create a database called x and a user named y": the verb is said once
            parts.append(f"{verb_before} {stripped}")
        else:
            parts[-1] += separator + piece
    return parts


def _tidy(text: str) -> str:
    text = " ".join(_FILLERS.sub("", text).split()).strip(" .,;")
    return text[:1].upper() + text[1:]


def _service_pair(a: str, b: str) -> str | None:
    """'Start nginx' + 'Enable nginx at boot' -> 'Start and enable nginx at boot': one service step."""
    fa, fb = families_for(a), families_for(b)
    if fa != SERVICE or fb != SERVICE or _ENSURE.match(a) or _ENSURE.match(b):
        return None
    va, vb = _first_word(a), _first_word(b)
    rest_a, rest_b = a.split(None, 1)[1:] or [""], b.split(None, 1)[1:] or [""]
    if object_of(a).lower() != object_of(b).lower() or va == vb:
        return None
    rest = rest_b[0] if len(rest_b[0]) >= len(rest_a[0]) else rest_a[0]
    return f"{va.capitalize()} and {vb} {rest}".strip()


def split_request(request: str) -> list[str]:
    """The steps a plain request asks for, in its order; [] for an empty request."""
    request = request[:MAX_REQUEST]
    steps: list[str] = []
    previous_object = ""
    for item in _items(request):
        for clause in _clauses(item.strip()):
            clause = _tidy(clause)
            if not clause:
                continue
            if steps and not _starts_action(clause) and not re.search(r"[A-Za-z]{3}", clause):
                continue
            clause, resolved = _resolve(clause, previous_object)
            ensure = _ENSURE.match(clause)
            if ensure:  # "make sure it is running" -> "Ensure nginx is running"
                clause = f"Ensure {ensure.group('what')} is {ensure.group('state')}{ensure.group('rest')}"
            merged = _service_pair(steps[-1], clause) if steps else None
            if merged:
                steps[-1] = merged
            else:
                steps.append(_tidy(clause))
            # 'it' is the last thing brought in (installed, created, downloaded, copied...), not a
            # setting ('set bind to x and restart it') nor a pronoun's own referent ('keep it running')
            if not resolved and (_first_word(steps[-1]) in _OBJECT_VERBS or not previous_object):
                previous_object = object_of(steps[-1]) or previous_object
    return steps[:MAX_STEPS]


def vague(steps: list[str], request: str) -> bool:
    """Too vague for code: one step whose action no rule knows, or a vague verb ('set up a LAMP stack')."""
    if len(steps) != 1:
        return False
    step = steps[0]
    lowered = step.lower()
    if lowered.startswith(("set up", "setup")) or _first_word(step) in VAGUE and not re.search(
            r"/|\.\w{1,5}\b|\b(file|template|config|configuration|unit|key|script)\b", lowered):
        return True
    return families_for(step, request) is None


def habit(step: str) -> bool:
    """A step the outline model learned from one project's habits, not from the request."""
    return bool(_HABIT.search(step))


@dataclass
class Plan:
    steps: list[str]
    outlined: bool  # the steps came from the model's outline (asked with the request as purpose)
    dropped: list[str] = field(default_factory=list)  # outline steps dropped as habits


def plan_steps(backend, request: str) -> Plan:
    """The steps to generate: the user's ('a & b'), the code's split, else the model's outline."""
    from codegen.authoring.outline import generate_outline
    from codegen.pipeline import split_requests

    given = split_requests(request)
    if len(given) > 1:
        return Plan([_tidy(g) for g in given if _tidy(g)], outlined=False)
    steps = split_request(request)
    if steps and not vague(steps, request):
        return Plan(steps, outlined=False)
    outline = generate_outline(backend, request)
    kept = [s for s in outline if not habit(s) or habit(request)]
    return Plan(kept or steps, outlined=bool(kept), dropped=[s for s in outline if s not in kept])


# --- what a generated task may carry ------------------------------------------------------------

_TASK_KEY = re.compile(r"^(?:- |  )(?P<key>[A-Za-z_][A-Za-z0-9_]*):")


_OPTION_KEY = re.compile(r"^    (?P<key>[A-Za-z_][A-Za-z0-9_]*):")


def _strip_keys_text(text: str, drop: list[set[str]]) -> str:
    """Remove keys of top-level tasks (normalised layout: tasks at column 0, keys at 2, module
    options at 4); "MODULE.OPTION" in a set names an option of the task's module."""
    out: list[str] = []
    index, skipping, skipping_option, current = -1, False, False, ""
    for line in text.split("\n"):
        if not line:  # blank lines (and the text's final newline) are never part of a dropped key
            out.append(line)
            continue
        if line.startswith("- "):
            index += 1
        match = _TASK_KEY.match(line)
        option = _OPTION_KEY.match(line)
        if match and index >= 0:
            current = match.group("key")
            skipping, skipping_option = current in drop[index], False
            if skipping and line.startswith("- "):
                raise ValueError("the first key of a task")
        elif option and index >= 0:
            skipping_option = f"{current}.{option.group('key')}" in drop[index]
        elif line and not line.startswith("   ") and not line.startswith("  -"):
            skipping = False
        elif line and not line.startswith("     ") and not line.startswith("    -"):
            skipping_option = False
        if not (skipping or skipping_option):
            out.append(line)
    return "\n".join(out)


def strip_keys(text: str, drop: list[set[str]]) -> str:
    """The snippet without the given keys (one set per top-level task), layout kept."""
    from codegen.assemble.snippets import parse_tasks

    if not any(drop):
        return text
    expected = [_without(task, keys) for task, keys in zip(parse_tasks(text), drop)]
    try:
        edited = _strip_keys_text(text, drop)
        if parse_tasks(edited) == expected:
            return edited
    except (ValueError, yaml.YAMLError):
        pass
    return _dump(expected)


def _dump(tasks: list[dict]) -> str:
    from codegen.assemble.snippets import IndentedDumper

    return yaml.dump(tasks, Dumper=IndentedDumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     width=4096)


def _without(task: dict, keys: set[str]) -> dict:
    out = {k: v for k, v in task.items() if k not in keys}
    for key, value in out.items():
        if isinstance(value, dict):
            out[key] = {k: v for k, v in value.items() if f"{key}.{k}" not in keys}
    return out


def _words(value) -> set[str]:
    text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def invented_keys(task: dict, registered: set[str], request: str) -> set[str]:
    """Keys the request never implied: tags (unless it speaks of tags), a `when:` on nothing
    registered, a package module's `use:` (which package manager) the request never named."""
    from codegen.ansible_files.keywords import module_key

    keys = set()
    lowered = request.lower()
    module = module_key(task)
    args = task.get(module) if module else None
    if module and module.rsplit(".", 1)[-1] == "package" and isinstance(args, dict) and "use" in args \
            and not all(word in PACKAGE and re.search(rf"\b{word}\b", lowered) for word in _words(args["use"]) or {""}):
        keys.add(f"{module}.use")
    if "tags" in task and not re.search(r"\btag", lowered):
        keys.add("tags")
    if "when" in task and not (_words(task["when"]) & registered) and not re.search(r"\b(if|when|only|unless)\b", lowered):
        keys.add("when")
    return keys


# --- generating with the check ------------------------------------------------------------------

@dataclass
class Coverage:
    step: str
    families: list[str] | None  # None: the code cannot tell which modules fit
    task: str | None = None      # the name of the task that covers it

    @property
    def covered(self) -> bool:
        return self.families is None or self.task is not None

    def mark(self) -> str:
        return "covered" if self.task else ("missing" if self.families is not None else "unchecked")


@dataclass
class Generated:
    snippets: list[str]
    problems: list[str]
    coverage: list[Coverage]
    asked: bool = True  # the steps are the user's (or the request's, split by code), not the model's outline

    @property
    def missing(self) -> list[str]:
        """Asked steps no task covers. The model's outline steps are its guesses: one it could not
        cover is a warning, not a missing step (the request itself named no concrete action)."""
        return [c.step for c in self.coverage if not c.covered] if self.asked else []


def _short(pipeline, task: dict) -> str | None:
    from codegen.ansible_files.keywords import module_key

    key = module_key(task)
    return (pipeline.catalog.resolve(key) or key).rsplit(".", 1)[-1] if key else None


def _retry_text(step: str, fits: frozenset) -> str:
    # a module the step names ("Enable ufw") first, then the family's usual one
    named = sorted(fits, key=lambda m: (not re.search(rf"\b{m}\b", step.lower()), m))
    module = next((PREFERRED[m] for m in named if m in PREFERRED), None)
    return f"{step} with {module}" if module else step


class ModuleFirst:
    """A decoding constraint for the retry: the task body must open with one of the fitting
    modules' key lines; after that the pipeline's own constraint (schema-guided) decides alone.
    The small model knows the options of a module well once it has written the module's name;
    what it gets wrong is which module a plainly worded step needs."""

    DEEP_SCAN = 16384

    def __init__(self, inner, modules: list[str]):
        self.inner = inner
        self.targets = [f"  {m}:" for m in modules]
        # the pipeline reads these of its constraint after decoding
        self.checker = getattr(inner, "checker", None)
        self.dead_end = False

    def __getattr__(self, name):  # interventions and the like: the inner constraint's
        return getattr(self.__dict__["inner"], name)

    def choose(self, text, logits, extend, to_full, eos) -> int:
        import torch

        if any(text.startswith(t) for t in self.targets):
            index = self.inner.choose(text, logits, extend, to_full, eos)
            self.dead_end = getattr(self.inner, "dead_end", False)
            return index
        ok = getattr(self.inner, "_ok", None)
        for index in torch.argsort(logits, descending=True).tolist()[: self.DEEP_SCAN]:
            full = to_full(index)
            if full in eos:
                continue
            candidate = extend(full)
            if any(t.startswith(candidate) or candidate.startswith(t) for t in self.targets) and \
                    (ok is None or ok(text, candidate)):
                return index
        self.dead_end = True
        return self.inner.choose(text, logits, extend, to_full, eos)


def _forcing(pipeline, fits: frozenset, step: str = ""):
    """The pipeline whose decoding must open with one of the fitting modules (the retry); only
    the one the step names, when it names one ("Enable ufw")."""
    import copy

    named = {m for m in fits if re.search(rf"\b{m}\b", step.lower())}
    fits = frozenset(named) or fits

    modules = sorted({pipeline.catalog.resolve(m) or PREFERRED.get(m) or m for m in fits} - {None})
    if not getattr(pipeline, "constrain", False) or not modules:
        return pipeline
    forced = copy.copy(pipeline)
    original = pipeline._constraint
    forced._constraint = lambda ctx, variables=None: ModuleFirst(original(ctx, variables), modules)
    return forced


def _clean(pipeline, text: str, step: str, fits, request: str, registered: set[str]) -> tuple[str, list[str]]:
    """The snippet without tasks that do not fit the step and without invented keys; (text, notes)."""
    from codegen.assemble.snippets import parse_tasks

    tasks = parse_tasks(text)
    notes = []
    keep = [(fits is None or _short(pipeline, t) in fits) and not (habit(str(t.get("name", ""))) and not habit(request))
            for t in tasks]
    if not all(keep):
        dropped = [f"{t.get('name')} ({_short(pipeline, t)})" for t, k in zip(tasks, keep) if not k]
        notes.append(f"note [steps] step {step!r}: left out {', '.join(map(repr, dropped))} (not what the step asks)")
        if not any(keep):
            return "", notes
        tasks = [t for t, k in zip(tasks, keep) if k]
        text = _dump(tasks)  # several tasks, some kept: re-dump only what is kept
    registered |= {str(t["register"]) for t in tasks if t.get("register")}
    drop = [invented_keys(t, registered, request) for t in tasks]
    if any(drop):
        notes.append(f"note [steps] step {step!r}: removed {', '.join(sorted(set().union(*drop)))} the request "
                     "did not ask for")
    return strip_keys(text, drop), notes


def generate_covered(pipeline, steps: list[str], purpose: str | None = None, request: str = "") -> Generated:
    """One task snippet per step, each seeing the tasks before it; a step no task covers with a
    fitting module is asked again, naming the module; still uncovered, it is reported missing.

    purpose: the request an outline's steps are for; the model is asked "<step> (<purpose>)" (an
    outline step is often generic) and the task keeps the step as its name."""
    from codegen.assemble.snippets import parse_tasks, scalar
    from codegen.ansible_files.variables import defined_by
    from codegen.prompt import task_name

    request = request or purpose or " ".join(steps)
    snippets: list[str] = []
    problems: list[str] = []
    coverage: list[Coverage] = []
    registered: set[str] = set()

    def ask(text: str, step: str, fits, force: bool = False) -> str:
        asked = f"{text} ({' '.join(purpose.split())})" if purpose else text
        asker = _forcing(pipeline, fits, step) if force else pipeline
        answer, failed = asker.one_task(asked, "".join(snippets), variables=defined_by(snippets))
        problems.extend(failed)
        if answer and answer.startswith("- name:") and (purpose or text != step):
            answer = f"- name: {scalar(task_name(step))}\n{answer.partition(chr(10))[2]}"
        if not answer:
            return ""
        cleaned, notes = _clean(pipeline, answer, step, fits, request, registered)
        problems.extend(notes)
        return cleaned

    for step in steps:
        fits = families_for(step, request)
        item = Coverage(step, sorted(fits) if fits is not None else None)
        coverage.append(item)
        def repeated(text: str) -> bool:
            return bool(text) and any(s.partition("\n")[2] == text.partition("\n")[2] for s in snippets)

        text = ask(step, step, fits)
        # no fitting task, or the task of an earlier step again ("Enable ufw" answered with the
        # "Allow port 80" rule): asked again, naming its module
        if (not text or repeated(text)) and fits is not None:
            text = ask(_retry_text(step, fits), step, fits, force=True) or text
            if text:
                problems.append(f"note [steps] step {step!r} was asked again, naming its module")
        if repeated(text):
            problems.append(f"note [outline] step {step!r} gave the same task as an earlier step: left out")
            text = ""
        if text:
            snippets.append(text)
            if fits is not None:
                item.task = str(parse_tasks(text)[0].get("name") or step)
    # A step left without its own task may be done by another task of the play ("start" and
    # "enable" in one), but not by a task that is already another step's cover: "Enable ufw"
    # answered twice with the "Allow port 80" rule is missing, not covered by that rule.
    claimed = {c.task for c in coverage if c.task is not None}
    for item in coverage:
        if item.task is None and item.families is not None:
            item.task = next((str(task.get("name")) for text in snippets for task in parse_tasks(text)
                              if _short(pipeline, task) in item.families and str(task.get("name")) not in claimed),
                             None)
    if purpose:
        problems += [f"warning [steps] outline step {c.step!r} got no task with a fitting module "
                     f"({', '.join(c.families or [])})" for c in coverage if not c.covered]
    else:
        problems += [f"error [steps] asked step {c.step!r} is missing: no task with a fitting module "
                     f"({', '.join(c.families or [])}) could be generated for it" for c in coverage if not c.covered]
    return Generated(snippets, problems, coverage, asked=not purpose)


def playbook_for_request(pipeline, request: str, **options) -> dict:
    """What `ansible-codegen playbook REQUEST` does: plan the steps, then build_playbook."""
    from codegen.authoring.playbook import build_playbook

    plan = plan_steps(pipeline.backend, request)
    record = build_playbook(pipeline, request, steps=plan.steps, purpose=request if plan.outlined else None,
                            **options)
    record["notes"] = [f"left out outline step {s!r}: the request does not ask for it" for s in plan.dropped] \
        + record["notes"]
    return record


def role_steps(pipeline, request: str) -> list[str]:
    return plan_steps(pipeline.backend, request).steps


def mark_outline(steps: list[str], request: str) -> list[str]:
    """Comment lines for an outline: each step's number, the action code found in it and the
    modules a task must use to cover it (checked after generating); `--outline` shows them."""
    out = ["Each step is checked after generating: it is covered by a task with one of these modules."]
    for number, step in enumerate(steps, 1):
        fits = families_for(step, request)
        action = _first_word(step) or "?"
        out.append(f"  {number}. {action}: {', '.join(sorted(fits))}" if fits
                   else f"  {number}. {action}: (no module check: the code cannot tell which modules fit)")
    return out
