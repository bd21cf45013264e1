"""The workspace side of an evaluation case: its workspace on disk, and what an answer refers to
that the workspace does not have.

A case of the external split names its file (`path`, inside its project). The workspace is read
around it the way the editor and `task --context` read it, so the same answer is measured the same
way with and without the workspace shown to the model: does it read a variable defined nowhere
(not the workspace, the file, an earlier task, the task itself, facts or magic names), and does it
name a handler or a template/copy source the role does not have. The reference (the human's task)
is measured too, as the floor.
"""
from __future__ import annotations

from pathlib import Path

from codegen.ansible_files.workspace import WorkspaceReader
from codegen.ansible_files.yaml_load import try_load
from codegen.pipeline import Prepared, prepare
from codegen.validate.references import References, check_all


class CaseWorkspaces:
    """Finds each case's file on disk (its project's tree) and reads the workspace around it, once."""

    def __init__(self, catalog):
        self.catalog, self.reader, self._roots = catalog, WorkspaceReader(), {}

    def path(self, case: dict) -> Path | None:
        if not case.get("path") or not case.get("project"):
            return None
        from codegen.dataset.external import PROJECTS, project_root

        if case["project"] not in self._roots:
            project = next((p for p in PROJECTS if p.name == case["project"]), None)
            self._roots[case["project"]] = project_root(project, self.catalog) if project else None
        root = self._roots[case["project"]]
        return root / case["path"] if root is not None else None

    def prepared(self, case: dict) -> Prepared | None:
        path = self.path(case)
        if path is None:
            return None
        prepared = prepare(case.get("context") or "", str(path), self.reader)
        return prepared if prepared.workspace is not None else None


def references(prepared: Prepared) -> References:
    from codegen.grounding.workspace_context import references as of_workspace

    return of_workspace(prepared.workspace, prepared.context)


def reference_scores(text: str, refs: References) -> dict:
    """1.0/0.0: does the answer read an undefined variable; does it name a missing handler or file."""
    tasks = try_load(text) if text else None
    if not isinstance(tasks, list) or not tasks:
        return {"reads_undefined": 0.0, "missing_reference": 0.0}
    found = [p for ps in check_all(tasks, [1] * len(tasks), refs).values() for p in ps]
    undefined = any("reads `" in p.message or "is read but the task has no loop" in p.message for p in found)
    missing = any("notifies '" in p.message or p.message.startswith("src '") for p in found)
    return {"reads_undefined": float(undefined), "missing_reference": float(missing)}
