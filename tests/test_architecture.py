"""The layering of docs/architecture.md, enforced: a package imports only from its own layer or below.

Every import counts, also those inside functions (they are how a feature stays out of a cold
start, not a way around the layers). Read with `ast`, nothing is imported.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "codegen"

# Lowest first. Each top-level module or package of codegen/ belongs to exactly one layer.
LAYERS = [
    # backends.base: the backend protocol and its torch-free types, which the model's decoding loop
    # implements and every backend returns (a module named on its own, below its package).
    ("foundation", {"ansible_files", "task_keys", "paths", "atomic", "progress", "config", "backends.base"}),
    ("knowledge", {"catalog", "model"}),
    ("checks", {"validate", "normalise", "parse", "prompt"}),
    ("core", {"grounding", "backends", "pipeline", "assemble"}),
    ("features", {"authoring", "hooks", "lsp", "serving", "bench", "batch", "export"}),
    ("training", {"dataset", "train", "evaluation"}),
    ("cli", {"cli"}),
]
LAYER_OF = {name: i for i, (_, names) in enumerate(LAYERS) for name in names}
FEATURES = LAYER_OF["authoring"]
TRAINING = LAYER_OF["dataset"]
# A feature's CLI seam (`commands.py`, `*_command.py`) registers its commands on the CLI and uses its
# helpers (model options, BadInput): the one place a lower layer may import `codegen.cli`.
SEAM_SUFFIXES = ("commands.py", "_command.py")


def _group(dotted: str) -> str:
    """The layer entry of a module path below codegen ("backends.base", else its top package)."""
    parts = dotted.split(".")
    return ".".join(parts[:2]) if ".".join(parts[:2]) in LAYER_OF else parts[0]


def group_of(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    return _group(".".join(rel.parts))


def imported_groups(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "codegen" and len(parts) > 1:
                yield _group(".".join(parts[1:])), node.lineno


def violations() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        source = group_of(path)
        if source in ("__init__", "__main__"):
            continue
        assert source in LAYER_OF, f"{path}: {source!r} is in no layer of docs/architecture.md"
        mine = LAYER_OF[source]
        for target, line in imported_groups(path):
            if target == source or target not in LAYER_OF:
                continue
            theirs = LAYER_OF[target]
            where = f"{path.relative_to(ROOT.parent)}:{line} imports codegen.{target}"
            if target == "cli" and path.name.endswith(SEAM_SUFFIXES):
                continue
            if theirs > mine:
                found.append(f"{where} (a higher layer: {LAYERS[theirs][0]})")
            elif mine == theirs == FEATURES:
                found.append(f"{where} (features stay independent of each other)")
            elif mine == TRAINING and theirs == FEATURES:
                found.append(f"{where} (training does not use features)")
    return found


def test_every_package_is_in_a_layer():
    groups = {group_of(p) for p in ROOT.rglob("*.py")} - {"__init__", "__main__"}
    assert groups <= set(LAYER_OF), sorted(groups - set(LAYER_OF))


def test_imports_follow_the_layers():
    assert violations() == []
