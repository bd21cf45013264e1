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
