"""A role from a request: outline -> tasks -> variables lifted into defaults -> handlers -> files.

Laid out as `ansible-galaxy role init` does (tasks/, handlers/, defaults/, meta/, README.md,
templates/ and files/ where tasks use them), with meta/main.yml carrying argument_specs, and
linted by ansible-lint (production) as a role. The templates in prompts/role/ do the layout.
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from codegen.assemble.become import infer_become
from codegen.assemble.handlers import plan_handlers
from codegen.assemble.notify import drop_notify
from codegen.assemble.playbook import environment
from codegen.assemble.snippets import dump_vars, parse_tasks, scalar
from codegen.atomic import staged_dir
from codegen.authoring.variables import lift_variables, prefix_own_variables, undefined_variables
from codegen.authoring.steps import generate_covered
from codegen.ansible_files.keywords import module_key

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
PLATFORMS = ("Debian", "Ubuntu", "EL")  # what the generated package/service tasks target; edit in meta
LICENSE = "MIT"
MIN_ANSIBLE_VERSION = "2.15"


@dataclass
class Role:
    name: str
    request: str
    steps: list[str]
    outlined: bool = True  # the steps are the model's outline of the request (asked with it as purpose)
    files: dict[str, str] = field(default_factory=dict)   # path inside the role -> text
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tasks: int = 0  # tasks generated (a step whose answer failed is missing)
    missing: list[str] = field(default_factory=list)  # asked steps no task covers

    @property
    def complete(self) -> bool:
        """Every asked step has a task and no check reported an error."""
        return self.tasks > 0 and not self.missing and not any(p.startswith("error") for p in self.problems)


def check_name(name: str) -> str:
    # fullmatch: `$` alone would accept a trailing newline ("web\n")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError(f"role name {name!r}: use lower-case letters, digits and underscores, starting with a "
                         "letter (ansible-lint role-name)")
    return name


def _option(name: str, value) -> dict:
    """An argument_specs entry for a lifted variable: type from its value, the value as default."""
    kind = {bool: "bool", int: "int", float: "float", list: "list", dict: "dict"}.get(type(value), "str")
    listed = isinstance(value, list)
    text = "[" + ", ".join(scalar(v) for v in value) + "]" if listed else scalar(value)
    words = name.split("_", 1)[1].replace("_", " ") if "_" in name else name
    return {"name": name, "type": kind, "elements": "str" if listed else None, "default_text": text,
            "description": f"The {words}."}


def _referenced(tasks: list[dict], module: str, key: str = "src") -> list[tuple[str, str]]:
    """(src, dest) of template (or copy) tasks whose src is a plain relative file name."""
    out = []
    for task in tasks:
        found = module_key(task)
        args = task.get(found) if found else None
        if not found or found.rsplit(".", 1)[-1] != module or not isinstance(args, dict):
            continue
        src = args.get(key)
        if isinstance(src, str) and src and "{{" not in src and not src.startswith("/") and ".." not in src \
                and not args.get("remote_src"):
            out.append((src, str(args.get("dest", ""))))
    return out


def build_role(pipeline, name: str, request: str, steps: list[str], *, outlined: bool) -> Role:
    """Generate the role's files in memory (nothing is written here). outlined: the steps are the
    model's outline of the request, not the user's own or the request split by code."""
    role = Role(check_name(name), request, steps, outlined)
    generated = generate_covered(pipeline, steps, request if outlined else None, request=request)
    snippets, role.problems, role.missing = generated.snippets, generated.problems, generated.missing
    lifted = lift_variables(snippets, prefix=f"{name}_", label=name)
    snippets, renamed = prefix_own_variables(lifted.snippets, f"{name}_")
    role.notes = list(lifted.notes) + renamed
    tasks = [t for s in snippets for t in parse_tasks(s)]
    role.tasks = len(tasks)
    handlers, dropped, handler_notes = plan_handlers(tasks, set())
    role.notes += handler_notes
    if dropped:
        snippets = [drop_notify(text, set(dropped)) for text in snippets]
    role.problems += [f"warning [vars] '{var}' is used but never defined: add it to defaults/main.yml"
                      for var in undefined_variables(snippets, set(lifted.variables))]
    become, _ = infer_become(tasks)
    env = environment()
    options = [_option(k, v) for k, v in lifted.variables.items()]
    description = request[:1].upper() + " ".join(request.split())[1:]
    role.files["tasks/main.yml"] = env.get_template("role/tasks.yml.j2").render(snippets=snippets, handlers=[])
    role.files["handlers/main.yml"] = env.get_template("role/tasks.yml.j2").render(snippets=[], handlers=handlers) \
        if handlers else "---\n# No handlers yet.\n[]\n"
    role.files["defaults/main.yml"] = env.get_template("role/defaults.yml.j2").render(
        variables=lifted.variables, variables_text=dump_vars(lifted.variables) if lifted.variables else "")
    role.files["meta/main.yml"] = env.get_template("role/meta.yml.j2").render(
        name=name, author="ansible-codegen", description=description, license=LICENSE,
        min_ansible_version=MIN_ANSIBLE_VERSION, platforms=[{"name": p} for p in PLATFORMS], options=options)
    role.files["README.md"] = env.get_template("role/README.md.j2").render(
        name=name, description=description, request=" ".join(request.split()), steps=steps, options=options,
        handler_names=[h.name for h in handlers], become=become, license=LICENSE)
    for folder, module in (("templates", "template"), ("files", "copy")):
        for src, dest in _referenced(tasks, module):
            role.files[f"{folder}/{src}"] = env.get_template("role/template_file.j2").render(
                dest=dest or src, variables=list(lifted.variables))
    role.files = {path: "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n") + "\n"
                  for path, text in role.files.items()}
    return role


def lint_role(role: Role) -> list[str]:
    """ansible-lint (production) on the role as it will be written, in a scratch folder."""
    from codegen.validate.lint import lint_file

    with tempfile.TemporaryDirectory(prefix="codegen-role-") as tmp:
        folder = Path(tmp) / "roles" / role.name
        _write_files(folder, role.files)
        problems = lint_file(folder, kind="role")
        return [str(p).replace(str(folder) + "/", "") for p in problems]


def _write_files(folder: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def write_role(role: Role, roles_dir: Path, force: bool = False) -> Path:
    """Write the role as roles_dir/NAME in one rename; an existing folder needs force."""
    target = Path(roles_dir) / role.name
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists: pass --force to replace it")
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    with staged_dir(target) as tmp:
        _write_files(tmp, role.files)
    return target

