"""The README's first command, as a newcomer runs it on a new machine.

An empty user cache (so the embedded GGUF is converted and the catalog built in this very run), and
a PATH without the virtualenv (as with pipx, or `~/.venv/bin/ansible-codegen`): the project must find
its own tools. The command is read from the README, so the README cannot drift from what is tested.
"""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def readme_first_command() -> list[str]:
    """The `ansible-codegen ...` part of the README's first bash block (after the install steps)."""
    block = re.search(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S).group(1)
    steps = [s.strip() for s in block.split("&&")]
    command = next(s for s in steps if s.startswith("ansible-codegen "))
    return shlex.split(command)


def test_readme_first_command_on_a_new_machine(tmp_path):
    argv = readme_first_command()
    assert argv[:2] == ["ansible-codegen", "playbook"] and "-o" in argv
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "ANSIBLE_CODEGEN"))}
    env.update(XDG_CACHE_HOME=str(cache), PATH="/usr/bin:/bin", HOME=str(tmp_path / "home"))
    result = subprocess.run([str(BIN / "ansible-codegen"), *argv[1:]], capture_output=True, text=True,
                            timeout=1200, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    # what a newcomer reads is ours: no ansible deprecation notices from reading module docs, no
    # transformers advice about the dtype of a copy written once
    assert "DEPRECATION" not in result.stderr and "fastest in float32" not in result.stderr, result.stderr[-3000:]
    assert any((cache / "ansible-codegen" / "models").iterdir()), "the model was not converted into the new cache"
    written = tmp_path / argv[argv.index("-o") + 1]
    plays = yaml.safe_load(written.read_text())
    tasks = plays[0]["tasks"]
    text = written.read_text()
    assert "nginx" in text
    modules = {key for task in tasks for key in task if key.startswith("ansible.builtin.")}
    assert modules & {"ansible.builtin.package", "ansible.builtin.apt", "ansible.builtin.dnf"}, text
    assert modules & {"ansible.builtin.service", "ansible.builtin.systemd", "ansible.builtin.systemd_service"}, text
