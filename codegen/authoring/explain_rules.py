"""The review rules of `ansible-codegen explain`: what a reviewer should look at in a task.

Each rule is one small function, in the spirit of ansible-lint's one rule per file: it takes an
Entry and returns a one-line message in Markdown, or None. Its docstring says what it flags and
why a reviewer cares; its id is its name with dashes (command_without_changed_when ->
command-without-changed-when). review() runs RULES on every entry and also flags plain-text
secrets in play vars and role variables.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from codegen.authoring.explain_model import (
    FALSE,
    SECRET_NAME,
    Entry,
    Explained,
    Flag,
    SourceInt,
    Vaulted,
    code,
    is_secret_option,
    is_template,
    plain_value,
)
from codegen.ansible_files.commands import COMMAND_AND_SHELL, COMMAND_MODULES, MODULE_FOR, program
from codegen.ansible_files.keywords import is_keyword

# ---------------------------------------------------------------------------------------------
# What the rules share: walking the options given, finding secret-looking names

_TEMPLATE_VARS = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _walk_args(value, spec: dict | None = None):
    """(key, value, documented spec or {}) for every option, suboptions included."""
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        if key == "_raw_params":
            continue
        option = _option_spec(spec or {}, str(key))
        yield str(key), item, option
        subs = option.get("suboptions")
        for element in (item if isinstance(item, list) else [item]):
            yield from _walk_args(element, subs)


def _option_spec(options: dict, key: str) -> dict:
    if key in options:
        return options[key]
    return next((s for s in options.values() if key in (s.get("aliases") or [])), {})


def _secret_options(entry: Entry) -> list[str]:
    options = entry.doc.options if entry.doc is not None else {}
    found = [k for k, v, spec in _walk_args(entry.args, options) if is_secret_option(k, v, spec)]
    for keyword in ("vars", "environment"):
        mapping = entry.task.get(keyword)
        if isinstance(mapping, dict):
            found += [str(k) for k, v in mapping.items() if is_secret_option(str(k), v, {})]
    return found


def _secret_references(value) -> list[str]:
    """Secret-looking variables a value uses in templates: `{{ db_password }}`."""
    if isinstance(value, dict):
        return [name for item in value.values() for name in _secret_references(item)]
    if isinstance(value, list):
        return [name for item in value for name in _secret_references(item)]
    if not isinstance(value, str) or isinstance(value, Vaulted):
        return []
    return [name for expr in _TEMPLATE_VARS.findall(value) for name in _IDENTIFIER.findall(expr)
            if SECRET_NAME.search(name)]


def _literal_secrets(mapping: dict) -> list[str]:
    """Secret-looking variables given a plain-text value (not a template, not !vault)."""
    return [str(k) for k, v in mapping.items()
            if is_secret_option(str(k), v, {}) and not is_template(v) and not isinstance(v, Vaulted)]


# ---------------------------------------------------------------------------------------------
# The rules: each takes one entry and returns the message for a reviewer, or None


def command_without_changed_when(entry: Entry) -> str | None:
    """Flags command, shell, raw, script (and win_command/win_shell) tasks with neither
    `changed_when` nor `creates`/`removes`. Such a module cannot know whether it changed anything,
    so it reports 'changed' on every run: handlers fire needlessly and real changes are lost in
    the noise."""
    if entry.fqcn not in COMMAND_MODULES or "changed_when" in entry.task:
        return None
    if entry.args.get("creates") or entry.args.get("removes"):
        return None
    return (f"{code(entry.fqcn.rsplit('.', 1)[-1])} without `changed_when` (or `creates`/`removes`) reports "
            "'changed' on every run: say when it changes something (`changed_when: false` for a read-only command)")


def state_latest(entry: Entry) -> str | None:
    """Flags `state: latest`. It upgrades whenever a new version is published, so two runs of the
    same playbook can install different versions: runs stop being repeatable."""
    if entry.args.get("state") != "latest":
        return None
    return ("`state: latest` upgrades whenever a newer version is published, so two runs can install different "
            "versions: pin a version or use `state: present` and upgrade deliberately")


def secret_without_no_log(entry: Entry) -> str | None:
    """Flags a task without `no_log` that passes a secret-looking value: an option that looks like a
    secret by its name or its documentation, or a `{{ variable }}` with a secret-looking name, in
    its arguments, `vars` or `environment`. Module arguments show up in verbose output, failures
    and callbacks unless no_log hides them."""
    if entry.is_block or entry.no_log:
        return None
    names = _secret_options(entry) + _secret_references(entry.args)
    names += _secret_references({k: entry.task.get(k) for k in ("vars", "environment")})
    if not names:
        return None
    shown = ", ".join(code(n) for n in dict.fromkeys(names))
    return (f"passes secret-looking value(s) {shown} without `no_log: true`: they can appear in the output "
            "and logs (on failure, or with -v)")


def hardcoded_secret(entry: Entry) -> str | None:
    """Flags a secret-looking option or task variable given in plain text (not a template, not
    `!vault`). A secret written into the file ends up in version control and in every copy of it.
    (review() flags play and role variables the same way, under the same id.)"""
    options = entry.doc.options if entry.doc is not None else {}
    names = [k for k, v, spec in _walk_args(entry.args, options)
             if is_secret_option(k, v, spec) and not is_template(v) and not isinstance(v, Vaulted)]
    for keyword in ("vars", "environment"):
        mapping = entry.task.get(keyword)
        if isinstance(mapping, dict):
            names += [str(k) for k in _literal_secrets(mapping)]
    if not names:
        return None
    shown = ", ".join(code(n) for n in dict.fromkeys(names))
    return f"{shown} written in plain text: keep secrets in Ansible Vault (or a lookup), not in the file"


def ignore_errors(entry: Entry) -> str | None:
    """Flags `ignore_errors` set to anything but false. It hides every failure of the task,
    including the ones nobody expected, where `failed_when:` allows only the failure meant."""
    value = entry.task.get("ignore_errors")
    if value is None or value in FALSE:
        return None
    return ("`ignore_errors` hides every failure of this task, including unexpected ones: use `failed_when:` "
            "for the failure you mean to allow")


_CERT_OPTIONS = frozenset({"validate_certs", "validate_cert", "verify_ssl", "ssl_verify", "sslverify",
                           "verify_certs", "tls_verify"})
_INSECURE_CLI = re.compile(r"(?:\bcurl\b.*(?:\s-k\b|--insecure))|--no-check-certificate|GIT_SSL_NO_VERIFY")


def certificate_checks_off(entry: Entry) -> str | None:
    """Flags TLS certificate checks turned off: `validate_certs: false` and its spellings, or a
    command with `curl -k`/`--insecure`, `--no-check-certificate` or GIT_SSL_NO_VERIFY. Without the
    checks anyone on the network path can impersonate the server."""
    off = [k for k, v, _ in _walk_args(entry.args) if k in _CERT_OPTIONS and v in FALSE]
    if off:
        return f"{code(off[0] + ': ' + plain_value(entry.args.get(off[0], False)))} turns TLS certificate checks off"
    if _INSECURE_CLI.search(entry.command_text()):
        return "the command turns TLS certificate checks off (`-k`, `--insecure`, `--no-check-certificate`)"
    return None


def _mode_bits(value) -> int | None:
    """The permission bits a `mode` value gives, as ansible reads it; None for symbolic or templated modes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)  # ansible takes an integer as is (YAML already read 0644 as octal)
    if isinstance(value, str) and re.fullmatch(r"0?o?[0-7]{3,4}", value.strip()):
        return int(value.strip().replace("o", ""), 8)
    return None


def _symbolic_world_writable(value) -> bool:
    if not isinstance(value, str) or is_template(value):
        return False
    for clause in value.split(","):
        found = re.fullmatch(r"\s*([ugoa]*)([-+=])([rwxXst]*)\s*", clause)
        if found and found.group(2) in "+=" and "w" in found.group(3) and (not found.group(1) or set(found.group(1)) & set("oa")):
            return True
    return False


def world_writable_mode(entry: Entry) -> str | None:
    """Flags a `mode` or `directory_mode` that makes a file or folder world-writable (0777, o+w,
    a=rwx...). Then any local user can change what runs or is served."""
    for key in ("mode", "directory_mode"):
        value = entry.args.get(key)
        bits = _mode_bits(value)
        if (bits is not None and bits & 0o002) or _symbolic_world_writable(value):
            return f"{code(key + ': ' + plain_value(value))} makes it world-writable: any local user can change it"
    return None


def decimal_mode(entry: Entry) -> str | None:
    """Flags an unquoted `mode` written as octal digits without the leading 0. `mode: 644` is the
    decimal number 644 (octal 1204), not rw-r--r--, so the file gets odd permissions
    (ansible-lint's risky-octal)."""
    value = entry.args.get("mode")
    raw = getattr(value, "raw", "")
    if not isinstance(value, SourceInt) or not re.fullmatch(r"[1-7][0-7]{2,3}", raw):
        return None
    return (f"`mode: {raw}` is the decimal number {raw} (octal {int(value):o}), not `0{raw}`: "
            f"write `'0{raw}'` (quoted) or `0{raw}`")


_PIPE_TO_SHELL = re.compile(r"\b(?:curl|wget)\b[^|;&]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|da|k)?sh\b|"
                            r"\b(?:curl|wget)\b[^|;&]*\|\s*(?:sudo\s+)?python\d?\b")


def pipe_to_shell(entry: Entry) -> str | None:
    """Flags a command that pipes curl or wget output into a shell or python. That runs whatever
    the server sends, unchecked, where get_url with `checksum:` checks it first."""
    if not _PIPE_TO_SHELL.search(entry.command_text()):
        return None
    return ("pipes a download straight into a shell: download it with `ansible.builtin.get_url` "
            "(with `checksum:`) and run the checked file")



def command_instead_of_module(entry: Entry) -> str | None:
    """Flags command/shell tasks that run a program a module covers (apt-get, systemctl, git,
    mkdir, sed...; see MODULE_FOR in codegen/ansible_files/commands.py). A module is idempotent
    and check-mode aware; the same thing as a command is neither."""
    if entry.fqcn not in COMMAND_AND_SHELL:
        return None
    name = program(entry.command_text(), past_wrappers=True)
    if name not in MODULE_FOR or pipe_to_shell(entry):
        return None
    return f"runs {code(name)}, which {MODULE_FOR[name]} does idempotently (and in check mode)"


def unknown_module(entry: Entry) -> str | None:
    """Flags a module key the installed collections do not have. It fails at run time (or is a
    typo), and explain can say nothing about what it does."""
    if entry.is_block or not entry.key or entry.fqcn is not None:
        return None
    return (f"{code(entry.key)} was not found in the installed collections: check the name, or install its "
            "collection")


def no_module(entry: Entry) -> str | None:
    """Flags a task (not a block) that calls no module, or names several. Ansible rejects such a
    task when the play loads."""
    if entry.is_block or entry.key is not None:
        return None
    several = [k for k in entry.task if isinstance(k, str) and not is_keyword(k)]
    if several:
        return "has several module keys (" + ", ".join(map(code, several)) + "): ansible rejects the task"
    return "calls no module: ansible rejects the task (a `- name:` stub alone is what `ansible-codegen fill` fills)"


# ---------------------------------------------------------------------------------------------
# Running them: every rule on every entry (a task's flags are listed in RULES order)


RULES: list[Callable[[Entry], str | None]] = [
    command_without_changed_when, state_latest, secret_without_no_log, hardcoded_secret, ignore_errors,
    certificate_checks_off, world_writable_mode, decimal_mode, pipe_to_shell, command_instead_of_module,
    unknown_module, no_module,
]


def rule_id(rule: Callable) -> str:
    return rule.__name__.replace("_", "-")


def review(out: Explained) -> None:
    """Run every rule on every entry; flag plain-text secrets in play vars and role variables."""
    for entry in out.entries:
        for rule in RULES:
            message = rule(entry)
            if message:
                entry.flags.append(Flag(rule_id(rule), message, entry.number, entry.label))
    for play in out.plays:
        if isinstance(play.data.get("vars"), dict):
            _variable_flags(out, play.data["vars"], f"play {play.number} vars")
    for title, mapping in out.variables:
        _variable_flags(out, mapping, title)
    out.flags = sorted([f for e in out.entries for f in e.flags] + out.flags,
                       key=lambda f: (f.number is None, f.number or 0))


def _variable_flags(out: Explained, mapping: dict, where: str) -> None:
    names = _literal_secrets(mapping)
    if names:
        shown = ", ".join(code(n) for n in names)
        out.flags.append(Flag("hardcoded-secret", f"{shown} written in plain text: keep secrets in Ansible Vault "
                              "(or a lookup), not in the file", None, where))

