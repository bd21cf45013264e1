"""The workspace of a training row, as the pipeline shows it for the same file: the lines (what the
role around the task's file defines, ranked against the row's request, grounding/workspace_context.py)
and the workspace's own tasks among the retrieved examples (grounding/retrieval.py), so a model
trained on these rows reads the workspace it is shown at inference."""
from __future__ import annotations

from pathlib import Path

from codegen.ansible_files.workspace import WorkspaceReader
from codegen.grounding.context import parse_context
from codegen.grounding.retrieval import with_workspace_examples
from codegen.grounding.secrets import redact
from codegen.grounding.workspace_context import references, view


class WorkspaceBlocks:
    def __init__(self, roots: dict[str, Path]):
        self.roots, self.reader, self._seen = roots, WorkspaceReader(), {}

    def workspace(self, kind: str, origin: str, relative: str):
        """The workspace around a role or user file (its SourceFile's kind, origin and path; read
        once per file); None for module EXAMPLES."""
        root = self.roots.get(origin)
        if kind not in ("role", "user") or root is None:
            return None
        path = root / relative
        if path not in self._seen:
            self._seen[path] = self.reader.read(path)
        return self._seen[path]

    def block(self, source, context: str, request: str) -> str:
        ws = self.workspace(source.kind, source.origin, source.path)
        if ws is None:
            return ""
        ctx = parse_context(context)
        seen = view(ws, request, ctx)
        return redact(seen.block).text  # values from a role's defaults: no secret reaches a training row

    def examples(self, row: dict, examples: list[str]) -> tuple[list[str], int]:
        """A training row's retrieved examples with its workspace's own tasks, as inference shows
        them (never the row's own task: the pool never holds its file, nor here its text); and how
        many of them came from the workspace."""
        source = row["source"]
        ws = self.workspace(source["kind"], source["collection"], source["path"]) if examples else None
        if ws is None:
            return examples, 0
        names = set(references(ws, parse_context(row["context"])).variables)
        own = row["completion"].strip()
        shown, sources = with_workspace_examples(examples, ws, row["request"], names, lambda t: redact(t).text,
                                                 exclude=lambda text: text.split("\n", 1)[-1].strip() == own)
        return shown, len(sources)

