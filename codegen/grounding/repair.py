"""Validate-and-repair: fix what decoding could not see, or say why it could not be fixed.

Fixes, each reported as a note: unknown options removed (remote backends are not constrained),
the later of options the module refuses together (mutually_exclusive) removed,
an invalid choice replaced by the closest valid one, literal values that equal a variable of
the context replaced by that variable, `no_log: true` on tasks that pass a password-like value,
a cron job's time set to the one the request states, a lineinfile regexp that matches only the
line it writes widened to the setting's key, and secrets from the context scrubbed from the output.
"""
from __future__ import annotations

import difflib
import re

from codegen.ansible_files import round_trip
from codegen.ansible_files.round_trip import NO_FOLDING
from codegen.grounding.schema import OPEN_MODULES
from codegen.grounding.secrets import SECRET_KEY
from codegen.ansible_files.keywords import module_key


def _fix_args(args, doc, variables: dict, notes: list[str]) -> bool:
    """Repair one module's arguments in place; returns True when a secret-like value is passed."""
    names = doc.option_names()
    secretive = False
    for key in list(args.keys()):
        canonical = doc.canonical_option(key)
        if canonical is None and names and doc.fqcn not in OPEN_MODULES:  # set_fact's keys are the user's
            del args[key]
            notes.append(f"removed unknown option '{key}' of {doc.fqcn}")
            continue
        spec = doc.options.get(canonical or key, {})
        value = args[key]
        if spec.get("no_log") or SECRET_KEY.search(str(key)):
            secretive = secretive or value is not None
        choices = spec.get("choices")
        if choices and isinstance(value, str) and "{{" not in value and value not in [str(c) for c in choices]:
            close = difflib.get_close_matches(value, [str(c) for c in choices], n=1, cutoff=0.6)
            if close:
                args[key] = type(value)(close[0]) if not isinstance(value, str) else close[0]
                notes.append(f"replaced invalid choice {key}: {value} by {close[0]}")
        if isinstance(value, (str, int)) and not isinstance(value, bool) and not choices:
            for var, var_value in variables.items():
                if isinstance(var_value, (str, int)) and not isinstance(var_value, bool) \
                        and str(var_value) == str(value) and len(str(value)) >= 3:
                    args[key] = "{{ " + var + " }}"
                    notes.append(f"{key}: used the existing variable {var} instead of {value!r}")
                    break
    kept: set[str] = set()
    for key in list(args.keys()):  # the first of options the module refuses together is kept
        canonical = doc.canonical_option(key) or key
        if canonical in doc.excluded_by(kept):
            del args[key]
            notes.append(f"removed option '{key}' of {doc.fqcn}: it cannot be given together with "
                         f"{', '.join(sorted(kept & {n for g in doc.mutually_exclusive if canonical in g for n in g}))}")
        else:
            kept.add(canonical)
    return secretive


def _scrub(node, secrets: dict[str, str], notes: list[str]):
    """Replace secret values anywhere in the task tree (whole values or inside strings)."""
    if isinstance(node, dict):
        for key in list(node.keys()):
            node[key] = _scrub(node[key], secrets, notes)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            node[i] = _scrub(item, secrets, notes)
    elif isinstance(node, str):
        for value, holder in _scrubbed(secrets):
            if value in node:
                node = type(node)(node.replace(value, holder)) if type(node) is not str else node.replace(value, holder)
                notes.append(f"replaced a secret from the context or the request by {holder}")
    return node


def _scrubbed(secrets: dict[str, str]) -> list[tuple[str, str]]:
    """The secrets worth looking for in an answer, longest first (one of 3 characters or fewer
    would match ordinary text; the model never saw it anyway, only its placeholder)."""
    return sorted(((v, h) for v, h in secrets.items() if len(v) >= 4), key=lambda kv: -len(kv[0]))


def scrub_secrets(text: str, secrets: dict[str, str], catalog) -> tuple[str, list[str]]:
    """The last check of an answer: a secret of the context or the request in it is replaced by
    its placeholder (a note); where that cannot be done in the YAML tree (an answer that does not
    parse), it is replaced in the text and the answer is flagged as an error, so never valid."""
    live = [(v, h) for v, h in _scrubbed(secrets) if v in text]
    if not live:
        return text, []
    notes: list[str] = []
    try:
        tasks = round_trip.load(text)
        _scrub(tasks, dict(live), notes)
        from codegen.normalise import normalise_tasks

        text = normalise_tasks(round_trip.dump(tasks, NO_FOLDING), catalog)
    except Exception:  # ruamel and normalise raise many types: fall back to the text below
        pass
    notes = [f"note [repair] {n}" for n in dict.fromkeys(notes)]
    if any(v in text for v, _ in live):
        for value, holder in live:
            text = text.replace(value, holder)
        notes.append("error [secret] the answer held a secret from the context or the request: it was replaced "
                     "by its variable, check the task")
    return text, notes


# Modules that create files and want an explicit mode (ansible-lint's risky-file-permissions): the
# value ansible would give a new file under the usual umask 022. A directory gets 0755.
_CREATES_FILES = {"ansible.builtin.copy", "ansible.builtin.template", "ansible.builtin.get_url",
                  "ansible.builtin.assemble", "community.general.archive", "ansible.builtin.file"}
_CREATES_WITH_CREATE = {"ansible.builtin.lineinfile": False, "ansible.builtin.blockinfile": False,
                        "community.general.ini_file": True, "community.general.htpasswd": True}


def explicit_mode(module: str, args) -> str | None:
    """The mode to add to a task that creates a file without one (None: it has one, or creates none)."""
    if not isinstance(args, dict) or "mode" in args:
        return None
    if module in _CREATES_WITH_CREATE:
        return "0644" if args.get("create", _CREATES_WITH_CREATE[module]) is True else None
    if module not in _CREATES_FILES or args.get("state") in ("absent", "link", "hard") or args.get("recurse"):
        return None
    if module == "ansible.builtin.file":
        return {"directory": "0755", "touch": "0644"}.get(str(args.get("state", "file")))
    return "0644"


def asked_time(module: str, args, times: frozenset) -> dict[str, str]:
    """A cron job's hour and minute set to the one time of day the request states, where they
    differ (the model kept `minute: "0"` for "at 02:30", or left the time out: every minute)."""
    if module != "ansible.builtin.cron" or not isinstance(args, dict) or len(times) != 1 or \
            args.get("special_time") or args.get("state") == "absent":
        return {}
    hour, minute = next(iter(times))
    want = {"minute": str(minute), "hour": str(hour)}

    def same(key: str) -> bool:  # "0" and "00" are one minute; a field left out is not
        written = str(args.get(key, "")).strip()
        return written != "" and written.lstrip("0") == want[key].lstrip("0")

    return {k: v for k, v in want.items() if "{{" not in str(args.get(k, "")) and not same(k)}


_SETTING = re.compile(r"([A-Za-z_][\w.-]*)(\s*=\s*|\s+)\S")


def key_regexp(module: str, args) -> str | None:
    """The regexp for a lineinfile task whose regexp matches only the line it writes
    (`regexp: '^PermitRootLogin no'`, `line: PermitRootLogin no`): such a regexp never finds the
    setting's other value, so the file ends up with both lines. It is widened to the setting's key,
    commented out or not (None: nothing to widen)."""
    if module != "ansible.builtin.lineinfile" or not isinstance(args, dict):
        return None
    regexp, line = args.get("regexp"), args.get("line")
    if not isinstance(regexp, str) or not isinstance(line, str) or "{{" in line:
        return None
    if regexp.removeprefix("^").removesuffix("$") not in (line, re.escape(line)):
        return None
    found = _SETTING.match(line)
    if not found:
        return None
    key = re.escape(found.group(1))
    return rf"^#?\s*{key}\s*=" if "=" in found.group(2) else rf"^#?\s*{key}\s"


def repair(text: str, catalog, variables: dict | None = None, secrets: dict | None = None,
           times: frozenset = frozenset()) -> tuple[str, list[str]]:
    try:
        tasks = round_trip.load(text)
    except Exception:  # ruamel raises many types; unparsable text is reported by validation
        return text, []
    notes: list[str] = []
    if not isinstance(tasks, list):
        return text, notes
    for task in tasks:
        if not isinstance(task, dict):
            continue
        key = module_key(task)
        doc = catalog.get(key) if key else None
        if doc is None or not isinstance(task.get(key), dict):
            continue
        if _fix_args(task[key], doc, variables or {}, notes) and "no_log" not in task:
            task["no_log"] = True
            notes.append("added no_log: true (the task passes a password-like value)")
        fixed_time = asked_time(doc.fqcn, task[key], times)
        if fixed_time:
            task[key].update(fixed_time)
            notes.append("set " + ", ".join(f"{k}: '{v}'" for k, v in fixed_time.items()) +
                         " (the time of day the request states)")
        widened = key_regexp(doc.fqcn, task[key])
        if widened:
            notes.append(f"regexp '{task[key]['regexp']}' matched only the line it writes: widened to "
                         f"'{widened}', the setting in any value")
            task[key]["regexp"] = widened
        mode = explicit_mode(doc.fqcn, task[key])
        if mode:
            task[key]["mode"] = mode
            notes.append(f"added mode: '{mode}' (ansible-lint's risky-file-permissions: the usual default, "
                         "made explicit; check it)")
    if secrets:
        _scrub(tasks, dict(_scrubbed(secrets)), notes)
    if notes:
        from codegen.normalise import normalise_tasks

        text = normalise_tasks(round_trip.dump(tasks, NO_FOLDING), catalog)
    return text, notes
