"""SLOW (minutes: marked e2e): the hooks under the real `pre-commit` tool, as a team would use them.

A temporary git repository's `.pre-commit-config.yaml` points at this checkout (a temporary git
clone of the working tree, at a commit), so pre-commit builds the hooks' own virtualenv with
`language: python` exactly as it would for users: `pip install` of this project and its
dependencies, once per test session. Two things keep that install offline-ish and bounded:
- PIP_CONSTRAINT pins every distribution to the version installed in the running environment, so
  torch resolves to the CPU build on local disk (not a CUDA build plus gigabytes of nvidia wheels)
  and nothing else is resolved afresh;
- PRE_COMMIT_HOME and the catalog cache live in a session folder that is deleted afterwards.

The hook process generates with the model-free test backend (ANSIBLE_CODEGEN_TEST_BACKEND=
scripted:<json file>, see codegen/hooks/fill.py), never with the model: its output would be random.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # slow: pre-commit installs this project (torch included) into its own venv

ROOT = Path(__file__).absolute().parents[1]
FIXED_DATE = "2025-01-01T00:00:00+00:00"
GIT = ["git", "-c", "user.name=codegen-test", "-c", "user.email=codegen-test@example.invalid",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", "-c", "core.hooksPath=.git/hooks"]

PLAYBOOK = """\
---
# Web tier: only the stub below may change
- name: Web servers
  hosts: web
  become: true
  tasks:
    - name: install nginx
    - name: Start nginx
      ansible.builtin.service:
        name: nginx
        state: started
"""
ANSWERS = {"install nginx": "  ansible.builtin.apt:\n    name: nginx\n    state: present\n"}
BAD_TASKS = """\
- name: Create the app folder
  ansible.builtin.file:
    path: /srv/app
    state: directory
    mode: "0755"
    colour: blue
"""
COMPOSE = """\
# codegen: this comment is not a request: this is not an Ansible file
services:
  web:
    image: nginx
    ports: ["80:80"]
"""
MANIFEST = """\
- name: install nginx
  replicas: 2
- name: install redis
  replicas: 1
"""


def _git(cwd: Path, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([*GIT, *args], cwd=cwd, env=env, capture_output=True, text=True, check=check, timeout=600)


def _checkout_files() -> list[str]:
    """The working tree as git sees it: tracked files and untracked ones that are not ignored."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode == 0:
        return [p for p in listed.stdout.split("\0") if p and (ROOT / p).is_file()]
    skip = {".git", ".venv", "build", "data", "runs", "__pycache__", ".pytest_cache"}
    return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(ROOT).parts) and not p.name.endswith(".egg-info")]


def _clone_checkout(dest: Path) -> str:
    """A git repository holding the working tree at one commit; returns the commit."""
    for name in _checkout_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    _make_installable(dest)
    env = {**os.environ, "GIT_AUTHOR_DATE": FIXED_DATE, "GIT_COMMITTER_DATE": FIXED_DATE}
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "checkout under test", env=env)
    return _git(dest, "rev-parse", "HEAD").stdout.strip()


def _make_installable(clone: Path) -> None:
    """pre-commit installs the project non-editable from a git clone, so every package must be in
    [tool.setuptools] packages (tests/test_packaging.py checks that) and every listed package folder
    must hold a tracked file (an empty codegen/adapter/ is not in git). Where the checkout falls short,
    the clone (only) is completed, with a warning, so that the hooks' behaviour is still tested."""
    import tomllib

    pyproject = clone / "pyproject.toml"
    text = pyproject.read_text()
    setuptools = tomllib.loads(text).get("tool", {}).get("setuptools", {})
    listed = setuptools.get("packages", [])
    if not listed:
        return  # automatic discovery
    present = sorted(".".join(p.parent.relative_to(clone).parts) for p in (clone / "codegen").rglob("__init__.py"))
    missing = [p for p in present if p not in listed]
    if missing:
        warnings.warn(f"pyproject.toml does not package {', '.join(missing)}: added in the test clone only")
        text = text.replace('packages = ["codegen",', "packages = [" + ", ".join(f'"{m}"' for m in missing)
                            + ', "codegen",', 1)
        assert all(f'"{m}"' in text for m in missing), "could not add the missing packages to the clone's pyproject"
        pyproject.write_text(text)
    folders = setuptools.get("package-dir", {})
    for package in listed:
        top, _, rest = package.partition(".")
        base = folders.get(package) or str(Path(folders.get(top, top), *rest.split(".")) if rest else folders.get(top, top))
        folder = clone / base
        if not folder.is_dir() or not any(folder.iterdir()):
            warnings.warn(f"package folder {base} of {package} is missing or empty in git: a placeholder in the clone")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ".placeholder").write_text("test clone only\n")


def _constraints(path: Path) -> None:
    pins = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower().replace("_", "-") != "ansible-codegen":
            pins[name.lower()] = f"{name}=={dist.version}"
    path.write_text("\n".join(sorted(pins.values())) + "\n")


@pytest.fixture(scope="module")
def hooked(tmp_path_factory):
    """(project repository with pre-commit installed, env for git/pre-commit) - the hook env is built once."""
    session = Path(tempfile.mkdtemp(prefix="codegen-precommit-"))
    try:
        clone = session / "codegen"
        clone.mkdir()
        sha = _clone_checkout(clone)
        _constraints(session / "constraints.txt")
        (session / "answers.json").write_text(json.dumps(ANSWERS))
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        env.update(PRE_COMMIT_HOME=str(session / "pre-commit-home"), PIP_CONSTRAINT=str(session / "constraints.txt"),
                   ANSIBLE_CODEGEN_CACHE=str(session / "codegen-cache"),
                   ANSIBLE_CODEGEN_TEST_BACKEND=f"scripted:{session / 'answers.json'}",
                   PRE_COMMIT_COLOR="never", SKIP="")
        project = session / "project"
        project.mkdir()
        _git(project, "init", "-q")
        (project / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {clone}\n    rev: {sha}\n    hooks:\n"
            "      - id: ansible-codegen-fill\n      - id: ansible-codegen-check\n")
        _git(project, "add", ".pre-commit-config.yaml")
        precommit = [sys.executable, "-m", "pre_commit"]
        subprocess.run([*precommit, "install"], cwd=project, env=env, check=True, capture_output=True, timeout=120)
        built = subprocess.run([*precommit, "install-hooks"], cwd=project, env=env, capture_output=True, text=True,
                               timeout=1800)
        assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
        yield project, env
    finally:
        shutil.rmtree(session, ignore_errors=True)  # the hook venv holds torch: do not leave it behind


def _commit(project: Path, env: dict, message: str) -> subprocess.CompletedProcess:
    return _git(project, "commit", "-m", message, env=env, check=False)


def test_fill_stops_the_commit_then_the_second_commit_passes(hooked):
    project, env = hooked
    (project / "site.yml").write_text(PLAYBOOK)
    _git(project, "add", "site.yml")
    first = _commit(project, env, "add the web playbook")
    output = first.stdout + first.stderr
    assert first.returncode != 0, output
    assert "files were modified by this hook" in output and "site.yml:7: filled 'install nginx'" in output
    filled = (project / "site.yml").read_text()
    assert filled == PLAYBOOK.replace("    - name: install nginx\n", "    - name: Install nginx\n"
                                      "      ansible.builtin.apt:\n        name: nginx\n        state: present\n")
    assert _git(project, "log", "--oneline", check=False).returncode != 0  # still no commit at all
    _git(project, "add", "site.yml")
    second = _commit(project, env, "add the web playbook")
    output = second.stdout + second.stderr  # git passes the hook's output on stderr
    assert second.returncode == 0, output
    assert "ansible-codegen fill" in output and "Passed" in output and "Failed" not in output


def test_check_reports_an_unknown_argument_with_its_line(hooked):
    project, env = hooked
    folder = project / "roles" / "app" / "tasks"
    folder.mkdir(parents=True)
    (folder / "main.yml").write_text(BAD_TASKS)
    _git(project, "add", "roles")
    result = _commit(project, env, "add the app role")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "roles/app/tasks/main.yml:6: error [argspec] ansible.builtin.file: unknown option 'colour'" in output
    assert (folder / "main.yml").read_text() == BAD_TASKS  # check never edits
    _git(project, "reset", "-q", "roles")


def test_non_ansible_yaml_is_left_alone(hooked):
    project, env = hooked
    (project / "docker-compose.yml").write_text(COMPOSE)
    (project / "replicas.yml").write_text(MANIFEST)
    _git(project, "add", "docker-compose.yml", "replicas.yml")
    result = _commit(project, env, "add compose and data files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "docker-compose.yml").read_text() == COMPOSE
    assert (project / "replicas.yml").read_text() == MANIFEST
