"""The example private collection (collections/ansible_collections/example/infra) and the catalog."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from codegen.catalog import load_catalog
from codegen.paths import example_collections_dir

COLLECTION = example_collections_dir() / "ansible_collections" / "example" / "infra"
MODULES = COLLECTION / "plugins" / "modules"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(quiet=True)


def run_module(module: str, check: bool = False, **args) -> dict:
    """Run one of the collection's modules directly, as Ansible would on the target."""
    payload = {"ANSIBLE_MODULE_ARGS": {**args, "_ansible_check_mode": check, "_ansible_diff": True}}
    proc = subprocess.run([sys.executable, str(MODULES / f"{module}.py"), json.dumps(payload)],
                          capture_output=True, text=True, timeout=60)
    result = json.loads(proc.stdout)
    assert not result.get("failed"), result
    return result


def test_catalog_knows_app_release(catalog):
    doc = catalog.get("example.infra.app_release")
    assert doc is not None and doc.collection == "example.infra"
    assert set(doc.options) == {"name", "version", "path", "state", "keep_releases"}
    assert sorted(doc.required()) == ["name", "version"]
    assert doc.options["path"]["type"] == "path" and doc.options["path"]["default"] == "/opt/apps"
    assert doc.options["state"]["choices"] == ["present", "absent"]
    assert doc.options["keep_releases"] == {**doc.options["keep_releases"], "type": "int", "default": 3}
    assert doc.version == "1.0.0" and doc.licence == "GPL-3.0-or-later"
    assert catalog.resolve("app_release") == "example.infra.app_release"
    assert "example.infra.app_release:" in catalog.examples("example.infra.app_release")


def test_catalog_knows_feature_flag(catalog):
    doc = catalog.get("example.infra.feature_flag")
    assert sorted(doc.required()) == ["file", "name"]
    assert doc.options["enabled"]["type"] == "bool"
    assert doc.canonical_option("path") == "file"


def test_catalog_builtin_copy_options(catalog):
    doc = catalog.get("ansible.builtin.copy")
    assert {"src", "dest", "mode"} <= set(doc.options)
    assert "dest" in doc.required()


def test_collection_metadata():
    galaxy = yaml.safe_load((COLLECTION / "galaxy.yml").read_text())
    assert (galaxy["namespace"], galaxy["name"], galaxy["version"]) == ("example", "infra", "1.0.0")
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    assert yaml.safe_load((COLLECTION / "meta" / "runtime.yml").read_text())["requires_ansible"]


def test_requirements_list_installed_versions():
    import importlib.util

    # find, not import: an imported `ansible_collections` package hides other collection roots
    # (such as the example one) from ansible's collection finder for the rest of the process
    spec = importlib.util.find_spec("ansible_collections")
    installed = next(Path(p) for p in spec.submodule_search_locations if (Path(p) / "community" / "general").is_dir())
    reqs = yaml.safe_load((example_collections_dir() / "requirements.yml").read_text())["collections"]
    assert {"ansible.posix", "community.general", "community.docker"} <= {r["name"] for r in reqs}
    for req in reqs:
        manifest = installed.joinpath(*req["name"].split("."), "MANIFEST.json")
        assert json.loads(manifest.read_text())["collection_info"]["version"] == req["version"], req


def test_ansible_doc_reads_the_module():
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(example_collections_dir())}
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-doc"), "--json", "example.infra.app_release"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)["example.infra.app_release"]
    assert doc["doc"]["options"]["name"]["required"] is True
    assert "release_path" in doc["return"]


def test_app_release_deploys_switches_and_prunes(tmp_path):
    base = str(tmp_path)
    planned = run_module("app_release", check=True, name="shop", version="1.0", path=base)
    assert planned["changed"] and not (tmp_path / "shop").exists()  # check mode changes nothing
    for version in ("1.9", "1.10", "1.2"):
        assert run_module("app_release", name="shop", version=version, path=base)["changed"]
    current = tmp_path / "shop" / "current"
    assert os.readlink(current) == "releases/1.2"
    result = run_module("app_release", name="shop", version="2.0", path=base, keep_releases=3)
    assert result["previous_version"] == "1.2"
    assert result["removed_releases"] == ["1.2"]  # natural sort: 1.2 < 1.9 < 1.10
    assert sorted(p.name for p in (tmp_path / "shop" / "releases").iterdir()) == ["1.10", "1.9", "2.0"]
    assert not run_module("app_release", name="shop", version="2.0", path=base)["changed"]
    gone = run_module("app_release", name="shop", version="2.0", path=base, state="absent")
    assert gone["changed"] and not os.path.lexists(current)


def test_feature_flag_sets_and_removes(tmp_path):
    flags = tmp_path / "features.json"
    flags.write_text(json.dumps({"other": "kept"}))
    assert run_module("feature_flag", name="dark_mode", enabled=False, file=str(flags))["changed"]
    assert not run_module("feature_flag", name="dark_mode", enabled=False, file=str(flags))["changed"]
    assert run_module("feature_flag", check=True, name="dark_mode", enabled=True, file=str(flags))["changed"]
    assert json.loads(flags.read_text()) == {"other": "kept", "dark_mode": False}
    result = run_module("feature_flag", name="dark_mode", file=str(flags), state="absent")
    assert result["changed"] and result["previous"] is False
    assert json.loads(flags.read_text()) == {"other": "kept"}
