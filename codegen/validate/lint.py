"""Check 5: ansible-lint, in process, with the production profile plus the `args` rule.

ansible-lint keeps global state (its options, the ansible plugin loader, yaml caches), so one warm
linter serves the whole process: built on first use (its questions to ansible in subprocesses are
answered from lint_cache after the first start), then each run is a Runner over a file, tens of
milliseconds, with no CLI spawned.

A task list is linted as a role's tasks/main.yml, so rules see it the way they see real role tasks.
What ansible-lint counts as a failure is an error here; what its default warn_list
(experimental rules such as `args`, jinja[spacing], fqcn[deep]) only warns about is a warning.
"""
from __future__ import annotations

import copy
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

from codegen.validate.problem import Problem

CHECK = "lint"
PROFILE = "production"
ENABLE = ["args"]
_LOCK = threading.Lock()
_LINTERS: dict[str | None, _Linter] = {}


class _Linter:
    def __init__(self, repo=None) -> None:
        """repo: a lint_config.RepoLint for a user's file (its repository's settings, or
        ansible-lint's defaults); None for generated tasks (the production profile)."""
        from codegen.validate import ansible_env, lint_cache

        ansible_env.prepare()  # our tools on PATH, no user or repository ansible config (see there)
        ansible_env.guard()
        lint_cache.install()  # ansible's answers about itself, kept from the last start
        # The scratch folder goes when the process exits (TemporaryDirectory's finaliser), or at
        # once if building the linter fails.
        self._scratch = tempfile.TemporaryDirectory(prefix="codegen-lint-", ignore_cleanup_errors=True)
        try:
            self._build(Path(self._scratch.name), repo)
        except BaseException:
            self._scratch.cleanup()
            raise

    def _build(self, root: Path, repo) -> None:
        from ansiblelint.app import App
        from ansiblelint.config import DEFAULT_WARN_LIST, Options
        from ansiblelint.constants import DEFAULT_RULESDIR
        from ansiblelint.rules import RulesCollection

        from codegen.catalog.store import collection_roots
        from codegen.validate import ansible_env
        from codegen.validate.task_load import ensure_plugin_loader

        self.root = root
        self.tasks_file = self.root / "role" / "tasks" / "main.yml"
        self.tasks_file.parent.mkdir(parents=True)
        profile = PROFILE if repo is None else repo.profile
        self.options = Options(
            offline=True,  # never reach for galaxy
            profile=profile,
            enable_list=list(ENABLE) if repo is None else list(repo.enable_list),
            warn_list=list(DEFAULT_WARN_LIST) + ([] if repo is None else list(repo.warn_list)),
            skip_list=[] if repo is None else list(repo.skip_list),
            project_dir=str(self.root),  # never the repository: ansible-compat would add its plugin paths
            cwd=self.root,
        )
        if repo is not None:
            self.options.yamllint_file = Path(repo.yamllint_file) if repo.yamllint_file else None
            for key, value in repo.rule_settings:
                setattr(self.options, key, value)
        self.app = App(self.options)
        self.options.cache_dir = self.app.runtime.cache_dir
        # Let the linter's runtime see the catalog's collections too (e.g. the project's example one).
        # The same for the `ansible-playbook --syntax-check` it runs on playbooks, via its environment.
        paths = self.app.runtime.config.collections_paths
        ours = [str(root) for root in collection_roots()]
        paths.extend(p for p in ours if p not in paths)
        env = self.app.runtime.environ
        current = [p for p in env.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p]
        env["ANSIBLE_COLLECTIONS_PATH"] = os.pathsep.join(dict.fromkeys(current + paths))
        # ...and its `ansible-playbook --syntax-check` refuses a repository's plugin folders too.
        env["PATH"] = os.pathsep.join([str(ansible_env.guarded_tools()), env.get("PATH", "")])
        self.app.runtime.prepare_environment(install_local=False, offline=True)
        self.app.runtime.enable_plugin_loader()
        ensure_plugin_loader()
        self.rules = RulesCollection(app=self.app, rulesdirs=[DEFAULT_RULESDIR], options=self.options, profile_name=profile)
        # Rules log warnings such as "Unable to load module ..." for a module that does not exist;
        # the task_load check reports that, with a suggestion, so keep stderr quiet. Rule files are
        # imported under their bare names ("args"), hence one logger per rule module.
        for name in {"ansiblelint", *(type(rule).__module__ for rule in self.rules)}:
            logging.getLogger(name).setLevel(logging.ERROR)
        for rule in self.rules:
            _guard_module_imports(sys.modules.get(type(rule).__module__))

    def run(self, lintable, syntax_check: bool = True) -> list:
        from ansiblelint.runner import Runner
        from ansiblelint.skip_utils import load_data

        try:
            matches = Runner(lintable, rules=self.rules, skip_list=self.options.skip_list,
                             _skip_ansible_syntax_check=not syntax_check).run()
        finally:
            load_data.cache_clear()  # unbounded, keyed by file text: would grow for ever in a server
        return [m for m in matches if m.tag not in self.options.skip_list]

    def level(self, match) -> str:
        warn = set(self.options.warn_list)
        return "warning" if {match.tag, match.rule.id, *match.rule.tags} & warn else "error"


def _guard_module_imports(rule_module) -> None:
    """The `args` rule imports the file of each module a task calls and runs its main(): let it
    find only modules of ansible and the installed collections, never a repository's own."""
    found = getattr(rule_module, "load_plugin", None)
    if found is None or getattr(found, "_guarded", False):
        return
    from codegen.validate.ansible_env import allowed_roots, is_allowed

    roots = allowed_roots()

    def load_plugin(name):
        context = found(name)
        if context.plugin_resolved_path and not is_allowed(context.plugin_resolved_path, roots):
            context = copy.copy(context)
            context.resolved, context.plugin_resolved_name, context.plugin_resolved_path = False, None, None
        return context

    load_plugin._guarded = True
    rule_module.load_plugin = load_plugin


def linter(repo=None) -> _Linter:
    """The linter for generated tasks (repo None), or for a repository's settings (built on first call)."""
    key = None if repo is None else repr(repo)
    with _LOCK:
        if key not in _LINTERS:
            _LINTERS[key] = _Linter(repo)
        return _LINTERS[key]


def lint_tasks(text: str, task_lines: list[int] | None = None, repo=None) -> list[Problem]:
    """Lint a task list (YAML text). task_lines: each top-level task's first line, to set Problem.task.
    repo: the lint_config.RepoLint of the file the tasks are in (None: generated tasks)."""
    lint = linter(repo)
    from ansiblelint.file_utils import Lintable

    with _LOCK:
        lint.tasks_file.write_text(text, encoding="utf-8")
        matches = lint.run(Lintable(lint.tasks_file, kind="tasks"))
    return [_problem(lint, m, task_lines) for m in matches]


def lint_file(path: str | Path, kind: str | None = None, syntax_check: bool = True, repo=None) -> list[Problem]:
    """Lint a file or role folder where it lies: kind 'playbook', 'tasks', 'role'... or None to let
    ansible-lint decide. syntax_check runs `ansible-playbook --syntax-check` (a subprocess) on
    playbooks and roles, as the ansible-lint CLI does. repo: as for lint_tasks."""
    lint = linter(repo)
    from ansiblelint.file_utils import Lintable

    path = Path(path)
    lintable = Lintable(path, kind=kind) if kind else Lintable(path)
    with _LOCK:
        matches = lint.run(lintable, syntax_check=syntax_check)
    return [_problem(lint, m, None, path) for m in matches]


def _problem(lint: _Linter, match, task_lines: list[int] | None, base: Path | None = None) -> Problem:
    message = f"{match.tag}: {match.message}"
    details = (match.details or "").strip()
    if details and not details.startswith("Task/Handler:") and details not in message:
        message += f" ({details.splitlines()[0][:200]})"
    line = match.lineno or None
    task = None
    if task_lines and line is not None:
        starts = [i for i, start in enumerate(task_lines) if start <= line]
        task = starts[-1] if starts else None
    if base is not None and (base.is_dir() or Path(match.filename).resolve() != base.resolve()):
        message = f"{match.filename}: {message}"  # the finding is in another file (a role's, an include)
    return Problem(lint.level(match), CHECK, message, task, line)
