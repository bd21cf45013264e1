"""Remember what ansible-lint's runtime asks ansible in subprocesses, so a cold start does not ask again.

Building the linter runs `ansible-config dump`, `ansible --version` and `ansible-doc --json -l -t
<type>`: three Python processes importing ansible, about 1.2 s of every cold CLI run. Their answers
depend only on what is installed and how ansible is configured, so they are kept in the cache
folder, keyed by exactly that: ansible-core and ansible-lint versions, the installed collections
(the catalog's key), the ANSIBLE_* environment (not our own ANSIBLE_CODEGEN_*) and the content of the ansible.cfg ansible
reads (ansible_env makes it an empty one of ours). A failed command is never kept.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

CACHEABLE = (("ansible", "--version"), ("ansible-doc", "--json", "-l", "-t"))


def _config_files() -> list[Path]:
    """The one config file ansible reads (the first found); ansible_env.prepare() makes it an empty one."""
    named = os.environ.get("ANSIBLE_CONFIG")
    candidates = [Path(named)] if named else []
    candidates += [Path.cwd() / "ansible.cfg", Path.home() / ".ansible.cfg", Path("/etc/ansible/ansible.cfg")]
    return [p for p in candidates if p.is_file()][:1]


def cache_key() -> str:
    from ansible import release
    from ansiblelint.version import __version__ as lint_version

    from codegen.catalog.store import installed_key

    digest = hashlib.sha256(f"{release.__version__}|{lint_version}|{installed_key()}".encode())
    ansible = sorted((k, v) for k, v in os.environ.items() if k.startswith("ANSIBLE_") and not k.startswith("ANSIBLE_CODEGEN_"))
    digest.update(json.dumps(ansible).encode())  # ansible_env.prepare() has left only what ansible may read
    for path in _config_files():
        digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()[:20]


class AnswerCache:
    """{command line: (returncode, stdout, stderr)} in one JSON file, written atomically."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.answers = json.loads(path.read_text())
        except (OSError, ValueError):
            self.answers = {}

    def get(self, args: list[str]):
        return self.answers.get(" ".join(args))

    def put(self, args: list[str], returncode: int, stdout: str, stderr: str) -> None:
        if returncode != 0:
            return
        self.answers[" ".join(args)] = [returncode, stdout, stderr]
        from codegen.atomic import write_text

        try:
            write_text(self.path, json.dumps(self.answers))
        except OSError:
            pass  # a read-only cache only costs the next start the subprocesses again


def install() -> None:
    """Route ansible-lint's runtime queries through the cache (call before building the linter)."""
    import ansible_compat.config
    import ansible_compat.runtime

    from codegen.paths import cache_dir

    if getattr(ansible_compat.runtime.Runtime.run, "_cached", False):
        return
    cache = AnswerCache(cache_dir() / "lint" / f"{cache_key()}.json")
    original_run = ansible_compat.runtime.Runtime.run

    def run(self, args, *rest, **kwargs):
        if not isinstance(args, list) or rest or kwargs \
                or not any(tuple(args[:len(prefix)]) == prefix for prefix in CACHEABLE):
            return original_run(self, args, *rest, **kwargs)
        kept = cache.get(args)
        if kept is not None:
            return subprocess.CompletedProcess(args, kept[0], kept[1], kept[2])
        result = original_run(self, args)
        cache.put(args, result.returncode, result.stdout, result.stderr)
        return result

    run._cached = True
    ansible_compat.runtime.Runtime.run = run

    original_config = ansible_compat.config.AnsibleConfig

    class CachedConfig(original_config):
        def __init__(self, config_dump=None, data=None, cache_dir=None):
            if config_dump is None and not data:
                dump = ["ansible-config", "dump"]
                kept = cache.get(dump)
                if kept is None:
                    env = {**os.environ, "ANSIBLE_FORCE_COLOR": "0"}
                    config_dump = subprocess.check_output(dump, universal_newlines=True, env=env)
                    cache.put(dump, 0, config_dump, "")
                else:
                    config_dump = kept[1]
            super().__init__(config_dump=config_dump, data=data, cache_dir=cache_dir)

    ansible_compat.runtime.AnsibleConfig = CachedConfig
