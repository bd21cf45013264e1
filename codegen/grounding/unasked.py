"""What a task may not carry unless it was asked for, and the variables a task from scratch may read.

A small model trained on one large project's roles writes its habits into every answer
(`when: ansible_local.x.enabled | d()`, `tags: ['meta::facts']`, `become_user`, an `until`/`retries`
loop, `name__var` variables). Such keys are removed after decoding (`unasked_keys`), not refused
while decoding: refused there, the model wrote the next habit in their place (measured: the
README's nginx playbook gained `become_user: nginx` and an `until:` loop). Kept: what the request's
words ask for, what the file above already uses (its own style), and a `when:`/`until:` reading a
result registered before. Decoding refuses only `listen` on a task: a handler's keyword, which
ansible-playbook rejects on a task.
"""
from __future__ import annotations

import re

from codegen.ansible_files.keywords import module_key
from codegen.ansible_files.module_families import PACKAGE_MODULES
from codegen.ansible_files.workspace import NAMES_ANOTHER_FILE

# Words with which people ask for a condition: "only if", "when it changed", "on Debian hosts",
# "unless", "in case". Operating-system names count: "install httpd on RedHat" means a `when:`.
_CONDITION = re.compile(
    r"\b(if|when|whenever|unless|only|except|in case|provided that|depending|whether|otherwise|"
    r"on (?:the )?(?:\w+ ){0,2}(?:hosts?|servers?|systems?|machines?|nodes?|boxes)|"
    r"debian|ubuntu|red ?hat|rhel|centos|fedora|rocky|almalinux|suse|alpine|arch linux|windows|freebsd)\b",
    re.IGNORECASE)
_TAGS = re.compile(r"\btag(s|ged)?\b", re.IGNORECASE)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY_IN_FILE = re.compile(r"^\s*(?:-\s+)?([a-z_]+):", re.MULTILINE)

# Execution keywords, each family with the words that ask for it. The module's own companions
# (become, register, notify, loops, changed_when, failed_when, ignore_errors) are never unasked.
_ASKED_BY = {
    ("become_user", "become_method", "become_flags", "become_exe"): r"\b(as (the )?(user )?[a-z_][\w-]*|become|sudo|su)\b",
    ("delegate_to", "delegate_facts", "local_action", "connection"):
        r"\b(delegat\w*|locally|localhost|control (node|machine|host)|on the controller)\b",
    ("run_once",): r"\b(once|one host|single host)\b",
    ("until", "retries", "delay"): r"\b(retry|retries|retried|until|wait|waits|waiting|attempts?|poll\w*)\b",
    ("async", "poll"): r"\b(async\w*|background|fire and forget|long[- ]running)\b",
    ("environment",): r"\b(environment|env var\w*|proxy)\b",
    ("check_mode", "diff"): r"\b(check mode|dry[- ]run|diff)\b",
    ("throttle", "any_errors_fatal", "ignore_unreachable", "debugger", "remote_user", "port"):
        r"\b(throttle|fatal|unreachable|debug\w*|remote user|port)\b",
}


def asks_condition(request: str) -> bool:
    return bool(_CONDITION.search(request))


def keywords_refused(file_tasks: str) -> set[str]:
    """Task keywords decoding refuses: `listen` (a handler's), unless the file above is handlers using it."""
    return set() if "listen" in set(_KEY_IN_FILE.findall(file_tasks)) else {"listen"}


def _words(value) -> set[str]:
    text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
    return set(_IDENTIFIER.findall(text))


# Module options that weaken what the task does unless asked for (measured: a plain "Download URL
# to /tmp" answered with validate_certs: false and force_basic_auth: true): value, asking words.
_WEAKENING = {
    "validate_certs": ((False, "false", "no"), r"\b(certs?|certificates?|ssl|tls|https? errors?|insecure|self[- ]signed|verif\w*)\b"),
    "force_basic_auth": ((True, "true", "yes"), r"\b(auth\w*|password|credentials?|basic|login|user ?name)\b"),
}

_DAILY = re.compile(r"\b(every|each)\s+(day|night|morning|evening)\b|\b(daily|nightly)\b", re.IGNORECASE)

# Words with which a request lets a task fail, or asks for a probe whose failure is its answer.
_TOLERATES_FAILURE = (r"\b(ignor\w*|even if|regardless|fail\w*|errors?|optional\w*|best[- ]effort|check\w*|"
                      r"whether|if|exists?|test\w*|probe\w*|try|tries|attempt\w*)\b")
_FALSE = (False, "false", "False", "no", "'false'", "0")


def _silences_failure(task: dict) -> bool:
    """`failed_when: false` or `ignore_errors: true`: the task can no longer fail, a training habit
    ("Run make" that never reports a broken build) unless the request lets it fail."""
    return task.get("failed_when", True) in _FALSE or task.get("ignore_errors") in (True, "true", "yes")


def unasked_keys(task: dict, request: str, file_tasks: str = "", registered: set[str] = frozenset()) -> set[str]:
    """The keys of a generated task that nobody asked for ("MODULE.OPTION" names a module option)."""
    used = set(_KEY_IN_FILE.findall(file_tasks))
    results = set(registered) | ({str(task["register"])} if task.get("register") else set())
    keys = set()
    if "tags" in task and not _TAGS.search(request) and "tags" not in used:
        keys.add("tags")
    if "when" in task and not asks_condition(request) and "when" not in used and not _words(task["when"]) & results:
        keys.add("when")
    for family, asked in _ASKED_BY.items():
        present = set(family) & set(task)
        if present and not re.search(asked, request, re.IGNORECASE) and not used & set(family):
            keys |= present
    if "until" in keys and _words(task.get("until", "")) & results:
        keys -= {"until", "retries", "delay"}  # retrying until a registered result says so: the task's own check
    if _silences_failure(task) and not re.search(_TOLERATES_FAILURE, request, re.IGNORECASE) \
            and not used & {"failed_when", "ignore_errors"}:
        keys |= {"failed_when", "ignore_errors"} & set(task)
    module = module_key(task)
    args = task.get(module) if module else None
    short = module.rsplit(".", 1)[-1] if module else None
    if short == "package" and isinstance(args, dict) and "use" in args and not all(
            word in PACKAGE_MODULES and re.search(rf"\b{word}\b", request, re.IGNORECASE)
            for word in _words(args["use"]) or {""}):
        keys.add(f"{module}.use")  # which package manager: only when the request names it
    for option, (value, asked) in _WEAKENING.items():
        if isinstance(args, dict) and args.get(option) in value and not re.search(asked, request, re.IGNORECASE):
            keys.add(f"{module}.{option}")
    if short == "cron" and isinstance(args, dict):
        if "cron_file" in args and not re.search(r"cron\.d\b|\bcron[ _]?files?\b", request, re.IGNORECASE):
            keys.add(f"{module}.cron_file")  # a file under /etc/cron.d nobody named (seen: /usr/bin/backup.sh)
        if _DAILY.search(request):  # every day: day, month and weekday stay "*"
            keys |= {f"{module}.{k}" for k in ("day", "month", "weekday")
                     if k in args and str(args[k]).strip() not in ("*", "")}
    if short == "git" and isinstance(args, dict) and "version" in args and \
            "{{" not in str(args["version"]) and str(args["version"]).lower() not in request.lower():
        keys.add(f"{module}.version")  # a branch or tag nobody named (the playbook lifts HEAD instead)
    return keys


_LITERAL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|/)[^\s'\"`,;()<>]+", re.IGNORECASE)


def request_literals(request: str) -> frozenset[str]:
    """The URLs and absolute paths a request spells out ("clone https://x/app.git into /opt/app"),
    without a sentence's closing punctuation: values an answer copies whole (rules/options.py)."""
    return frozenset(m.rstrip(".:!?") for m in _LITERAL.findall(request or "") if len(m.rstrip(".:!?")) > 1)


_CLOCK = re.compile(r"(?<![\d.:])\b([01]?\d|2[0-3]):([0-5]\d)\s*([ap]\.?m\b\.?)?|\b(1[0-2]|0?[1-9])\s*([ap])\.?m\b", re.IGNORECASE)


def request_times(request: str) -> frozenset[tuple[int, int]]:
    """The times of day a request states, as (hour 0-23, minute): "at 02:30" -> (2, 30), "at 2am"
    -> (2, 0), "at 11:15 pm" -> (23, 15); repair sets a cron job's hour and minute to them (repair.asked_time)."""
    found = set()
    for hh, mm, ampm, h12, ap in _CLOCK.findall(request or ""):
        hour, minute = (int(hh), int(mm)) if hh else (int(h12), 0)
        half = (ampm or ap).lower()[:1]
        if half and hour <= 12:
            hour = hour % 12 + (12 if half == "p" else 0)
        found.add((hour, minute))
    return frozenset(found)


_ASKS_INCLUDE = re.compile(r"\b(include[sd]?|import(s|ed)?|roles?|(vars?|variables?) files?|load (the )?variables"
                           r"|playbooks?)\b", re.IGNORECASE)


def includes_refused(request: str) -> frozenset[str]:
    """With nothing around the task, the modules that would name a file or role that does not
    exist ("install chrony" answered `include_tasks: chrony.yml`), unless the request asks for one."""
    if _ASKS_INCLUDE.search(request or ""):
        return frozenset()
    return frozenset(f"ansible.builtin.{m}" for m in NAMES_ANOTHER_FILE)


def request_variables(request: str) -> set[str]:
    """Names a request gives that a template may read ("set the timezone from tz_name" -> tz_name):
    with no file and no workspace around the task, these are the only variables it has. A name is
    written like one (snake_case) or inside `{{ }}`: the request's plain words ("site", "nginx")
    are not variables, or `{{ site.files }}` would pass for a name the user gave."""
    from codegen.grounding.schema.jinja import jinja_roots

    named = {name for name in _IDENTIFIER.findall(request) if "_" in name.strip("_")}
    return named | {name for name, _ in jinja_roots(request)}
