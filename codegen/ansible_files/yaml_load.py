"""Read and load YAML that someone else wrote, safely and within bounds.

Every YAML file the project reads (a user's playbook, a workspace's vars, a context sent by an
editor) may be hostile. libyaml's safe loader runs no code, but three things still hurt:
- an alias bomb: a few hundred bytes of nested anchors load in microseconds as shared objects, then
  every walk of the tree (ours, ansible-lint's, json) expands them to billions of nodes;
- a recursive alias (`&a [*a]`), which loads as a cyclic list that no walk ends;
- a huge file or a device (`/dev/zero`), read whole into memory.
So reading is capped, and the composed node graph is measured as it would be walked (each alias
counted every time it is used) before anything is built from it. Nesting depth is bounded by
libyaml itself (a scanner error past its limit).

Ansible's own tags are understood rather than refused: `!vault` values load as `Vaulted` strings and
`!unsafe` as plain values, so a file holding one is not "not YAML".
"""
from __future__ import annotations

from pathlib import Path

import yaml

MAX_FILE_CHARS = 1_000_000      # a file, a context or an editor's document
MAX_EXPANDED_NODES = 500_000    # nodes after aliases are expanded (a real 1 MB file has ~300k)

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(yaml.YAMLError, ValueError):
    """Text that cannot be loaded: not YAML, or over a bound. The message is one line. A YAMLError
    too, so a reader that already skips bad YAML skips a bomb the same way."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line  # 1-based, when known


class TooLarge(YamlError):
    """Over a size or expansion bound (bad input, not a YAML syntax error)."""


class Vaulted(str):
    """An ansible-vault encrypted value (`!vault`): its ciphertext, never to be shown or decoded."""


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def check_expansion(root, limit: int = MAX_EXPANDED_NODES) -> int:
    """The number of nodes a walk of `root` visits (aliases expanded); TooLarge past `limit` or on a
    cycle. Linear in the composed graph: each distinct node is sized once."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > limit:
                mark = node.start_mark
                raise TooLarge(f"YAML aliases expand past {limit:,} nodes (an alias bomb?)", mark.line + 1)
            sizes[key] = size
            continue
        if key in sizes:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise TooLarge("a YAML alias refers to itself (a recursive structure)", child.start_mark.line + 1)
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _construct_tagged(loader, suffix: str, node):
    """Ansible's local tags (`!vault`, `!unsafe`, ...): the plain value; vault ciphertext marked."""
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        return Vaulted(value) if suffix == "vault" else value
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


class SafeLoader(_BASE):
    """libyaml's safe loader, with aliases bounded and ansible's tags understood. Subclass it to
    change constructors (line numbers, source integers); the bounds stay."""

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            check_expansion(node)
        return node

    def get_node(self):  # load_all / compose_all
        node = super().get_node()
        if node is not None:
            check_expansion(node)
        return node


SafeLoader.add_multi_constructor("!", _construct_tagged)


class UniqueKeyLoader(SafeLoader):
    """Also refuses a mapping with two equal keys: PyYAML keeps the last silently; ansible warns
    and ruamel refuses. For text we generate, where a repeated key is a defect."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
            except TypeError:  # an unhashable key: construct_mapping below says so
                break
        return super().construct_mapping(node, deep=deep)


def error_line(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _problem(exc: Exception) -> str:
    """What went wrong, on one line."""
    lines = str(exc).splitlines()
    return str(getattr(exc, "problem", None) or (lines[0] if lines else type(exc).__name__))


def _guard(text: str) -> None:
    if len(text) > MAX_FILE_CHARS:
        raise TooLarge(f"the text is {len(text):,} characters, over the cap of {MAX_FILE_CHARS:,}")


def _bounded(parse, text: str, loader):
    """`parse(text, Loader=loader)` with the cap first and every failure as one YamlError."""
    _guard(text)
    try:
        return parse(text, Loader=loader)
    except YamlError:
        raise
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {_problem(exc)}", error_line(exc)) from exc
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        # ValueError/TypeError: a constructor refusing a value (a timestamp out of range, an
        # unhashable key); RecursionError: the Python constructor on deep nesting.
        raise YamlError(f"not valid YAML: {_problem(exc)}") from exc


def load(text: str, loader=SafeLoader):
    """One document (None for an empty text); YamlError (one line, with its line) otherwise."""
    return _bounded(yaml.load, text, loader)


def load_all(text: str, loader=SafeLoader) -> list:
    """Every document of a text, as `load` does one."""
    return _bounded(lambda t, Loader: list(yaml.load_all(t, Loader=Loader)), text, loader)


def compose(text: str, loader=SafeLoader):
    """The node graph of one document (marks give lines and columns), bounded like `load`."""
    return _bounded(yaml.compose, text, loader)


def try_load(text: str, loader=SafeLoader, default=None):
    """`load`, or `default` when the text is not loadable YAML (for readers that skip bad files)."""
    try:
        return load(text, loader)
    except YamlError:
        return default


class Unreadable(Exception):
    """A path that cannot be read as text (missing, a folder, not UTF-8, too large): bad input."""


def read_text(path: str | Path, max_chars: int = MAX_FILE_CHARS) -> tuple[str, str]:
    """(byte order mark or "", text) of a UTF-8 file, line breaks untouched, at most `max_chars`
    characters read (so `/dev/zero` or a 20 MB file is a one-line error, not a hang)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read(max_chars + 1)
    except FileNotFoundError as exc:
        raise Unreadable(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise Unreadable(f"{path}: is a directory") from exc
    except UnicodeDecodeError as exc:
        raise Unreadable(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise Unreadable(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from exc
    if len(text) > max_chars:
        raise Unreadable(f"{path}: larger than the cap of {max_chars:,} characters")
    if text.startswith("\ufeff"):
        return "\ufeff", text[1:]
    return "", text


def describe_failure(exc: BaseException, text: str) -> tuple[int | None, str]:
    """(1-based line, message) for a failure to parse `text`: a YAML error, or nesting too deep to compose."""
    if isinstance(exc, RecursionError):
        return None, "the tasks are not valid YAML: nested too deep to read"
    if isinstance(exc, YamlError):  # over a bound of ours (an alias bomb, a recursive alias)
        return exc.line, f"the tasks are not valid YAML: {exc}"
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML refuses (NUL, control characters)
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        return line, f"the tasks are not valid YAML: unacceptable character #x{exc.character:04x} at line {line}" \
            if isinstance(exc.character, int) else f"the tasks are not valid YAML: {exc.reason}"
    return _mark_line(exc), _describe(exc)


def _mark_line(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else None


def _describe(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    hint = ""
    if "unhashable" in str(problem) or "found unexpected ':'" in str(problem) or "expected ',' or '}'" in str(exc):
        hint = " (a value that starts with '{{' must be quoted: \"{{ var }}\")"
    elif "mapping values are not allowed" in str(problem):
        hint = " (a value containing ': ' must be quoted)"
    elif "found character '\\t'" in str(problem):
        hint = " (use spaces, not tabs, to indent)"
    return f"the tasks are not valid YAML: {problem}{where}{hint}"
