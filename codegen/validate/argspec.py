"""Check 3: the module's options, against the argument spec from its documentation (the catalog).

ansible's own ArgumentSpecValidator does the type and choice checks. Around it:
- unknown options and missing required ones are found here first (walking suboptions too), so the
  messages can name the valid options and so a missing *auth/connection* option (api_key, host,
  url, region, ...; or one documented as read from an environment variable) is only a warning:
  those are normally supplied by the environment, module_defaults or inventory, not the task.
- a value containing Jinja (`{{ ... }}`) is only known at run time, so its type and choices are not
  checked (the option is relaxed to type raw for that call).
- free-form modules (command, shell, raw, script, meta, include_*, win_*...) get their free text as
  `_raw_params` from Task.load; it stands for their `free_form` option. set_fact and add_host
  accept arbitrary keys (facts, host variables).
- options the module refuses together (`mutually_exclusive`, read from its source by the catalog),
  and those it requires given another's value (`required_if`, read the same way)
  are checked by the same validator.
- documented `default`s are not passed on: docs often write them as prose or in a form the type
  check would reject, and defaults cannot make a task invalid anyway.
"""
from __future__ import annotations

import difflib
import re

from codegen.validate.problem import Problem, error, warning

CHECK = "argspec"
_TYPES = {"str", "list", "dict", "bool", "int", "float", "path", "raw", "jsonarg", "json", "bytes", "bits"}
_TYPE_ALIASES = {"string": "str", "boolean": "bool", "integer": "int", "dictionary": "dict", "number": "float"}
_ANY_KEYS = {"ansible.builtin.set_fact": None, "ansible.builtin.add_host": "host variables"}
_NEEDS_COMMAND = {"ansible.builtin.command": ("free_form", "cmd", "argv"), "ansible.builtin.shell": ("free_form", "cmd"),
                  "ansible.builtin.script": ("free_form", "cmd")}
_ROLE_ACTIONS = ("ansible.builtin.include_role", "ansible.builtin.import_role")
_INTERNAL = ("_raw_params", "_uses_shell", "_variable_params")

# Options that are normally supplied by the environment rather than the task.
_AUTH_NAMES = {
    "api_key", "api_token", "api_url", "auth", "auth_token", "token", "password", "passwd", "username",
    "login", "host", "hostname", "server", "url", "endpoint", "region", "validate_certs", "port", "tenant",
    "project", "profile", "client_id", "client_secret", "secret", "access_key", "secret_key",
    "subscription_id", "kubeconfig", "context", "provider", "credentials", "cloud", "account",
}
_AUTH_PATTERN = re.compile(
    r"^(api|auth|login|aws|azure|gcp|vmware|ovirt|k8s|vault|oauth|bearer)_|"
    r"_(url|uri|token|password|passwd|username|host|hostname|endpoint|region|secret|credentials|api_key)$"
)
_ENV_HINT = re.compile(r"[Ee]nvironment variable|\b[Ee]nv(ironment)? var|\$\{?[A-Z][A-Z0-9_]{2,}")
_JINJA = ("{{", "{%")
_SHOWN = 40  # valid options listed in a message; more would drown the point

_SPECS: dict[str, dict] = {}


def check(action, catalog, task: int | None = None, line: int | None = None) -> list[Problem]:
    """Problems with one module call (a task_load.Action: fqcn, args)."""
    doc = catalog.get(action.fqcn)
    if doc is None:
        return [warning(CHECK, f"{action.fqcn}: not in the catalog, options not checked", task, line)]
    fqcn = doc.fqcn
    args = dict(action.args)
    if "_variable_params" in args:  # `args: "{{ some_dict }}"`: nothing to check before run time
        return []
    if fqcn in _ANY_KEYS and _ANY_KEYS[fqcn] is None:
        if not [k for k in args if k not in ("cacheable", *_INTERNAL)]:  # Ansible: "No key/value pairs provided"
            return [error(CHECK, f"{fqcn}: sets no variable: give at least one name: value under it", task, line)]
        return []
    spec = _spec(fqcn, doc.options)
    problems: list[Problem] = []
    out = lambda level, msg: problems.append((error if level == "error" else warning)(CHECK, f"{fqcn}: {msg}", task, line))  # noqa: E731

    raw = args.pop("_raw_params", None)
    args.pop("_uses_shell", None)
    if raw is not None:
        free = next((k for k in ("free_form", "free-form") if k in spec), None)
        if free is None and _one_expression(raw):
            return []  # `module: "{{ options }}"`: the arguments are only known at run time
        if free is None and _is_free_form(fqcn, action):
            free = "_free_form_text"
            spec = {**spec, free: {"type": "raw"}}
        if free is None:
            out("error", "takes no free-form text: give its options as a mapping")
        else:
            args[free] = raw
    if fqcn in _PASS_THROUGH:
        spec = _pass_through_spec(fqcn, spec, catalog)
    if fqcn in _ROLE_ACTIONS and "role" in args and "name" not in args:
        args["name"] = args.pop("role")  # ansible's IncludeRole takes `role:` for `name:` (undocumented)
    if fqcn in _NEEDS_COMMAND and not any(args.get(k) not in (None, "", []) for k in _NEEDS_COMMAND[fqcn]):
        out("error", f"no command given: write it after the module name or under {' or '.join(_NEEDS_COMMAND[fqcn][1:])}:")

    lenient = _ANY_KEYS.get(fqcn)
    cleaned = _walk(spec, args, (), out, lenient)
    relaxed = _relax(spec, cleaned)
    _validate(relaxed, cleaned, out, _certain_groups(doc.mutually_exclusive, cleaned),
              _certain_conditions(doc.required_if, cleaned))
    return problems


def _one_expression(raw) -> bool:
    return isinstance(raw, str) and raw.strip().startswith("{{") and raw.strip().endswith("}}") \
        and raw.strip().count("{{") == 1


def _is_free_form(fqcn: str, action) -> bool:
    """Modules ansible itself passes free-form text to (command, shell, raw, script, win_command...)."""
    from ansible.parsing.mod_args import FREEFORM_ACTIONS

    return fqcn in FREEFORM_ACTIONS or getattr(action, "written", None) in FREEFORM_ACTIONS


def _certain_groups(groups: list | None, params: dict) -> list | None:
    """Mutually exclusive groups, counting only options with a fixed value: a templated one may
    be `omit` at run time (`org_id: "{{ x | default(omit) }}"`)."""
    if not groups:
        return groups
    fixed = {k for k, v in params.items() if not _has_jinja(v)}
    kept = [[o for o in group if o in fixed] for group in groups]
    return [g for g in kept if len(g) > 1] or None


def _certain_conditions(rules: list | None, params: dict) -> list | None:
    """required_if rules whose condition is met by a fixed value (a templated one is unknown until
    run time); in ansible's form (option, value, required, any_of)."""
    fixed = {k for k, v in params.items() if not _has_jinja(v)}
    return [tuple(r) for r in rules or () if r[0] in fixed] or None


# Action plugins that run another module chosen on the host (the package manager, the init
# system) and pass it their options: those options are the union of the candidates'.
_PASS_THROUGH = {"ansible.builtin.package": "pkg_mgr", "ansible.builtin.service": "service_mgr"}
_SERVICE_MANAGERS = ("systemd_service", "sysvinit", "service", "openrc", "runit", "s6", "openwrt_init")
_MERGED: dict[str, dict] = {}


def _backends(kind: str) -> list[str]:
    if kind == "pkg_mgr":
        from ansible.module_utils.facts.system.pkg_mgr import PKG_MGRS

        return list(dict.fromkeys(m["name"] for m in PKG_MGRS)) + ["yum", "apt_rpm"]
    return list(_SERVICE_MANAGERS)


def _pass_through_spec(fqcn: str, spec: dict, catalog) -> dict:
    if fqcn not in _MERGED:
        merged = {name: {k: v for k, v in opt.items() if k != "required"} for name, opt in spec.items()}
        for short in _backends(_PASS_THROUGH[fqcn]):
            for prefix in ("ansible.builtin.", "community.general."):
                doc = catalog.get(prefix + short)
                if doc is None:
                    continue
                for name, opt in _spec(doc.fqcn, doc.options).items():
                    if name not in merged:  # types differ between managers: only the name is certain
                        merged[name] = {"type": "raw", **({"aliases": opt["aliases"]} if opt.get("aliases") else {})}
                break
        _MERGED[fqcn] = merged
    return _MERGED[fqcn]


def _spec(fqcn: str, options: dict) -> dict:
    """Catalog options -> ansible argument_spec (cached per module). `required` stays, for _walk."""
    if fqcn not in _SPECS:
        _SPECS[fqcn] = {name: _option(opt) for name, opt in options.items()}
    return _SPECS[fqcn]


def _option(opt: dict) -> dict:
    out: dict = {"type": _type(opt.get("type"))}
    choices = opt.get("choices")
    if isinstance(choices, dict):  # documented as {choice: description}
        choices = list(choices)
    if isinstance(choices, list) and choices:
        out["choices"] = choices
    if opt.get("aliases"):
        out["aliases"] = list(opt["aliases"])
    if opt.get("required"):
        out["required"] = True
    if opt.get("no_log"):
        out["no_log"] = True
    if opt.get("elements"):
        out["elements"] = _type(opt["elements"])
    subs = opt.get("suboptions")
    if subs and (out["type"] == "dict" or (out["type"] == "list" and out.get("elements") == "dict")):
        out["options"] = {name: _option(sub) for name, sub in subs.items()}
    out["_auth"] = bool(_ENV_HINT.search(opt.get("description") or ""))  # "defaults to $FOO_TOKEN"
    return out


def _type(name) -> str:
    name = _TYPE_ALIASES.get(str(name), str(name)) if name else "raw"
    return name if name in _TYPES else "raw"


def is_auth_option(name: str, spec: dict) -> bool:
    """Options that modules usually read from the environment (credentials, endpoints)."""
    return _auth_option(name, spec)


def _auth_option(name: str, spec: dict) -> bool:
    return name in _AUTH_NAMES or bool(_AUTH_PATTERN.search(name)) or spec.get("_auth", False)


def _present(name: str, spec: dict, params: dict) -> bool:
    return any(k in params and params[k] is not None for k in (name, *spec.get("aliases", ())))


def _walk(spec: dict, params: dict, path: tuple, out, lenient: str | None) -> dict:
    """Report unknown and missing options (at every level); return params without the unknown ones."""
    where = f" under '{'.'.join(path)}'" if path else ""
    names = {}
    for name, opt in spec.items():
        names[name] = name
        for alias in opt.get("aliases", ()):
            names[alias] = name
    cleaned = {}
    for key, value in params.items():
        if key in _INTERNAL:
            continue
        name = names.get(key)
        if name is None:
            if not lenient:
                out("error", _unknown(key, spec, where))
            continue
        sub = spec[name]
        if "options" in sub and not _has_jinja(value):
            if sub["type"] == "dict" and isinstance(value, dict):
                value = _walk(sub["options"], value, path + (key,), out, None)
            elif sub["type"] == "list" and isinstance(value, list):
                value = [_walk(sub["options"], v, path + (f"{key}[{i}]",), out, None) if isinstance(v, dict) else v
                         for i, v in enumerate(value)]
        cleaned[key] = value
    for name, opt in spec.items():
        if opt.get("required") and not _present(name, opt, params):
            if _auth_option(name, opt):
                out("warning", f"required option '{name}'{where} is not set; fine if it comes from the environment, "
                               f"module_defaults or inventory, otherwise add it")
            else:
                out("error", f"missing required option '{name}'{where}")
    return cleaned


def _unknown(key: str, spec: dict, where: str) -> str:
    valid = sorted(spec)
    close = difflib.get_close_matches(key, valid + [a for o in spec.values() for a in o.get("aliases", ())], n=2)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    shown = ", ".join(valid[:_SHOWN]) + (f", ... ({len(valid) - _SHOWN} more)" if len(valid) > _SHOWN else "")
    if not valid:
        return f"unknown option '{key}'{where}: this module takes no options"
    return f"unknown option '{key}'{where}{hint} (valid: {shown})"


def _has_jinja(value) -> bool:
    if isinstance(value, str):
        return any(mark in value for mark in _JINJA)
    if isinstance(value, dict):
        return any(_has_jinja(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_jinja(v) for v in value)
    return False


def _relax(spec: dict, params: dict) -> dict:
    """The spec for this call: options whose value holds Jinja lose their type/choice checks."""
    relaxed = {}
    names = {a: n for n, o in spec.items() for a in (n, *o.get("aliases", ()))}
    templated = {names[k] for k, v in params.items() if k in names and _has_jinja(v)}
    for name, opt in spec.items():
        clean = {k: v for k, v in opt.items() if not k.startswith("_") and k != "required"}
        if name in templated:
            value = next((params[k] for k in (name, *opt.get("aliases", ())) if k in params), None)
            if isinstance(value, dict) and "options" in clean and clean["type"] == "dict":
                clean["options"] = _relax(opt["options"], value)
            else:
                clean = {k: v for k, v in clean.items() if k in ("aliases", "no_log")}
                clean["type"] = "raw"
        elif "options" in clean:
            clean["options"] = _strip(clean["options"])
        relaxed[name] = clean
    return relaxed


def _strip(spec: dict) -> dict:
    out = {}
    for name, opt in spec.items():
        clean = {k: v for k, v in opt.items() if not k.startswith("_") and k != "required"}
        if "options" in clean:
            clean["options"] = _strip(clean["options"])
        out[name] = clean
    return out


def _validate(spec: dict, params: dict, out, mutually_exclusive: list | None = None,
              required_if: list | None = None) -> None:
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible.module_utils.errors import RequiredError, UnsupportedError

    result = ArgumentSpecValidator(spec, mutually_exclusive=mutually_exclusive or None,
                                   required_if=required_if).validate(params)
    for exc in result.errors.errors:
        if isinstance(exc, (RequiredError, UnsupportedError)):
            continue  # already reported by _walk, with better words
        out("error", _tidy(str(exc)))
    for item in result._warnings:  # noqa: SLF001 - alias clashes; no public accessor
        if isinstance(item, dict) and "option" in item:
            out("warning", f"both '{item['option']}' and its alias '{item['alias']}' are set; keep one")


def _tidy(message: str) -> str:
    """ansible's messages, minus the parts that only make sense inside a module run."""
    message = re.sub(r"argument '([^']+)' is of type (?:<class '(\w+)'>|(\w+))", r"option '\1' is a \2\3", message)
    message = message.replace("'. and we were unable", "' and we were unable")
    message = message.replace(" and we were unable to convert to ", " and cannot be converted to ")
    message = re.sub(r": (?:<class '\w+'>|\"[^\"]*\"|'[^']*') cannot be converted to an? \w+$", "", message)
    return message
