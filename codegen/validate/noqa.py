"""ansible-lint's ways of silencing a finding on a task, applied to the project's own checks.

`# noqa: <rule>...` on a line of the task (parsed by ansible-lint's own skip_utils) silences the
matching check (args -> argspec, jinja -> jinja, syntax-check / load-failure -> task_load); a
bare `# noqa`, or the task tagged `skip_ansible_lint`, silences them all.
"""
from __future__ import annotations

from codegen.validate.problem import Problem

_RULES = {"argspec": {"args"}, "jinja": {"jinja"}, "task_load": {"syntax-check", "load-failure", "fqcn"},
          "syntax": {"yaml", "syntax-check", "load-failure"}}
_EVERY = "*"


def _tags(task: dict) -> set[str]:
    tags = task.get("tags")
    if isinstance(tags, str):
        return {t.strip() for t in tags.split(",")}
    return {t for t in tags if isinstance(t, str)} if isinstance(tags, list) else set()


def skipped_rules(task: dict, lines: list[str]) -> set[str]:
    """The rule ids a task silences ('*' for all)."""
    from ansiblelint.skip_utils import get_rule_skips_from_line

    skipped: set[str] = set()
    if "skip_ansible_lint" in _tags(task):
        skipped.add(_EVERY)
    for number, line in enumerate(lines, 1):
        if "# noqa" not in line:
            continue
        rules = get_rule_skips_from_line(line, lintable=None, lineno=number)
        skipped |= {rule.split("[", 1)[0] for rule in rules} or {_EVERY}
    return skipped


def kept(problems: list[Problem], task: dict, lines: list[str]) -> list[Problem]:
    """The problems the task has not silenced."""
    skipped = skipped_rules(task, lines)
    if not skipped:
        return problems
    if _EVERY in skipped:
        return []
    return [p for p in problems if not _RULES.get(p.check, set()) & skipped]
