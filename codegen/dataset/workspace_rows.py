"""The workspace lines of a training row: what the role around a task's file defines, ranked against
the row's request, in the very format the pipeline shows it (grounding/workspace_context.py), so a
model trained on these rows reads the workspace it is shown at inference."""
from __future__ import annotations

from pathlib import Path

from codegen.ansible_files.workspace import WorkspaceReader
from codegen.grounding.context import parse_context
from codegen.grounding.secrets import redact
from codegen.grounding.workspace_context import view


class WorkspaceBlocks:
    def __init__(self, roots: dict[str, Path]):
        self.roots, self.reader, self._seen = roots, WorkspaceReader(), {}

    def workspace(self, source):
        """The workspace around a role or user file (read once per file); None for module EXAMPLES."""
        root = self.roots.get(source.origin)
        if source.kind not in ("role", "user") or root is None:
            return None
        path = root / source.path
        if path not in self._seen:
            self._seen[path] = self.reader.read(path)
        return self._seen[path]

    def block(self, source, context: str, request: str) -> str:
        ws = self.workspace(source)
        if ws is None:
            return ""
        ctx = parse_context(context)
        seen = view(ws, request, ctx)
        return redact(seen.block).text  # values from a role's defaults: no secret reaches a training row
