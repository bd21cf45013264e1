"""The wheel ships every subpackage, the prompt templates and the example collection."""
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {"codegen." + p.parent.relative_to(ROOT / "codegen").as_posix().replace("/", ".")
               for p in (ROOT / "codegen").glob("*/__init__.py")}
    assert on_disk <= listed, f"missing from pyproject packages: {sorted(on_disk - listed)}"
    assert {"codegen.prompts", "codegen.collections", "codegen.adapter"} <= listed


def test_templates_are_found_from_the_package():
    from codegen.paths import example_collections_dir, prompts_dir

    assert (prompts_dir() / "task.j2").is_file() and (prompts_dir() / "playbook.yml.j2").is_file()
    assert (example_collections_dir() / "ansible_collections" / "example" / "infra" / "galaxy.yml").is_file()


def test_every_data_file_is_in_the_wheel():
    """A data file package-data does not match is missing from a non-editable install (the adapter's
    retrieval index once was, which silently turned retrieval off)."""
    from fnmatch import fnmatch

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    missing = []
    for path in (ROOT / "codegen").rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(ROOT)
        owners = [p for p in patterns if rel.as_posix().startswith(p.replace(".", "/") + "/")]
        if not any(fnmatch(rel.relative_to(Path(*owner.split("."))).as_posix(), pattern)
                   for owner in owners for pattern in patterns[owner]):
            missing.append(rel.as_posix())
    assert not missing, f"not in package-data: {missing}"
