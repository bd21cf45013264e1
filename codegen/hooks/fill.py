"""`fill`: replace task stubs in Ansible files with generated tasks, and touch nothing else.

A stub is a task that is only `- name: <request>` (no module), or a whole-line comment
`# codegen: <request>` between the tasks of a task list. Each is replaced, in place, by what the
pipeline generates for the request, re-indented to the stub's list; the lines above the stub (with
earlier stubs already filled) are the context. Every other line of the file is kept byte for byte:
the file is edited by line spans from the YAML node marks, never re-dumped.

The model is loaded only when a file has a stub: `pipeline_factory` is called at most once, on the
first stub (see LazyPipeline).

For tests there is a model-free backend, chosen only through an explicit environment variable:
ANSIBLE_CODEGEN_TEST_BACKEND=scripted:<json file> (codegen/backends/scripted.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from codegen.ansible_files.classify import AnsibleFile, Broken, Note, classify, find_stubs, line_break
from codegen.ansible_files.yaml_load import SafeLoader, read_text

@dataclass
class FillResult:
    path: Path
    ansible: bool = False  # the file is an Ansible file (else it was left alone unread)
    changed: bool = False
    filled: int = 0
    messages: list[str] = field(default_factory=list)  # "path:line: ..." lines for the user
    errors: int = 0  # stubs that could not be filled, misplaced requests


class LazyPipeline:
    """Builds the pipeline (loads the model) on first use, once."""

    def __init__(self, build: Callable[[], object]):
        self._build, self._pipeline = build, None

    @property
    def built(self) -> bool:
        return self._pipeline is not None

    def __call__(self):
        if self._pipeline is None:
            self._pipeline = self._build()
        return self._pipeline


def _indent(yaml_text: str, column: int, newline: str) -> list[str]:
    pad = " " * column
    return [(pad + line if line.strip() else "") + newline for line in yaml_text.rstrip("\n").split("\n")]


def _line_ending(line: str) -> str:
    for ending in ("\r\n", "\n", "\r", "\x85", "\u2028", "\u2029"):
        if line.endswith(ending):
            return ending
    return ""


def _format(path: Path, line: int | None, message: str) -> str:
    return f"{path}:{line}: {message}" if line else f"{path}: {message}"


def fill_text(found: AnsibleFile, pipeline_factory: Callable[[], object]) -> tuple[str, FillResult]:
    """The file's new text with its stubs filled (the same text when none could be)."""
    result = FillResult(found.path, ansible=True)
    stubs, notes = find_stubs(found)
    for note in notes:
        result.messages.append(_format(found.path, note.line, f"{note.level} [{note.check}] {note.message}"))
        result.errors += note.level == "error"
    if not stubs:
        return found.text, result
    pipeline = pipeline_factory()
    lines, newline = found.lines, line_break(found.text)
    out: list[str] = []
    position = 0
    for stub in stubs:
        out.extend(lines[position:stub.first])
        position = stub.first
        context = "".join(out).replace("\r\n", "\n")
        where = len(out) + 1
        try:
            generated = pipeline.run(stub.request, context=context or None, path=str(found.path))  # its workspace
        except ValueError as exc:  # e.g. a request that is only '&'
            result.messages.append(_format(found.path, where, f"error [fill] no task for {stub.request!r}: {exc}"))
            result.errors += 1
            continue
        if not generated.yaml:
            why = "; ".join(generated.problems) or "the model wrote no module call"
            result.messages.append(_format(found.path, where, f"error [fill] no task for {stub.request!r}: {why}"))
            result.errors += 1
            continue
        new = _indent(generated.yaml, stub.column, newline)
        ending = _line_ending(lines[stub.last])
        new[-1] = new[-1][: -len(newline)] + ending
        out.extend(new)
        position = stub.last + 1
        result.filled += 1
        result.messages.append(_format(found.path, where, f"filled {stub.request!r}"
                                       + (f" with {generated.module}" if generated.module else "")))
        for problem in generated.problems:
            result.messages.append(_format(found.path, where, problem))
    out.extend(lines[position:])
    text = "".join(out)
    if result.filled and not _still_yaml(text):
        result.messages.append(_format(found.path, None, "error [fill] the filled file would not be valid YAML; "
                                                         "left unchanged (check the stubs' indentation)"))
        result.errors += 1
        result.filled = 0
        return found.text, result
    result.changed = text != found.text
    return text, result


def _still_yaml(text: str) -> bool:
    import yaml

    try:
        list(yaml.compose_all(text, Loader=SafeLoader))
    except yaml.YAMLError:
        return False
    return True


def fill_file(path: str | Path, pipeline_factory: Callable[[], object], write: bool = True,
              known_module: Callable[[str], bool] | None = None) -> FillResult:
    """Fill the stubs of one file; non-Ansible files are left alone. Raises yaml_load.Unreadable."""
    path = Path(path)
    bom, text = read_text(path)
    if known_module is None:  # the catalog says which short names are modules (loaded once, no model)
        from codegen.catalog import load_catalog

        catalog = load_catalog(quiet=True)
        known_module = lambda name: catalog.resolve(name) is not None  # noqa: E731
    found = classify(path, text, bom, known_module=known_module)
    if found is None or (isinstance(found, Broken) and found.kind == "yaml"):
        return FillResult(path)  # not Ansible (or not YAML) by its path: `check` reports what does not parse
    if isinstance(found, Broken):
        note: Note = found.note
        return FillResult(path, ansible=True, messages=[_format(
            path, note.line, f"not filled: {note.message}")])
    new_text, result = fill_text(found, pipeline_factory)
    if result.changed and write:
        from codegen.atomic import write_text

        write_text(path, bom + new_text)  # keeps the file's mode, and a symlink stays a link to it
    return result
