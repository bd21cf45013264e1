"""The lint configuration of the repository a user's file belongs to, found as ansible-lint finds it.

`.ansible-lint` (or .ansible-lint.y*ml, .config/ansible-lint.y*ml) in the file's folder or above,
up to the folder holding `.git`, read by ansible-lint's own loader (schema-checked); a
`.yamllint` beside it or above the file, for the `yaml` rule. Only settings that choose and
grade rules are taken (profile, skip_list, warn_list, enable_list, exclude_paths and rule
parameters): never `rulesdir` (custom rules are the repository's code), mocks or extra vars.
Without a config, the production profile applies, as it did before repositories' configs were
read: it is also ansible-lint's fastest full set here (ansible-lint with no profile runs more rules
and takes ~45% longer on real roles). Generated tasks are always held to the production profile.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from codegen.ansible_files.yaml_load import load, read_text

_YAMLLINT_NAMES = (".yamllint", ".yamllint.yaml", ".yamllint.yml")
_RULE_SETTINGS = ("var_naming_pattern", "loop_var_prefix", "task_name_prefix", "max_block_depth",
                  "only_builtins_allow_collections", "only_builtins_allow_modules")


class BadConfig(ValueError):
    """The repository's .ansible-lint cannot be used (ansible-lint would stop on it too)."""


@dataclass(frozen=True)
class RepoLint:
    config_file: str | None = None
    yamllint_file: str | None = None
    profile: str | None = None
    skip_list: tuple[str, ...] = ()
    warn_list: tuple[str, ...] = ()
    enable_list: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()
    rule_settings: tuple[tuple[str, object], ...] = ()

    def excludes(self, path: str | Path) -> bool:
        """Is the file under one of the config's exclude_paths (ansible-lint would not look at it)?"""
        import fnmatch

        resolved = Path(path).resolve()
        root = Path(self.config_file).parent if self.config_file else Path.cwd()
        for excluded in self.exclude_paths:
            base = Path(excluded) if Path(excluded).is_absolute() else (root / excluded)
            base = base.resolve()
            if resolved == base or base in resolved.parents or fnmatch.fnmatch(str(resolved), str(base)):
                return True
        return False


def for_file(path: str | Path) -> RepoLint:
    """The lint settings that apply to a file. Raises BadConfig."""
    from ansiblelint.cli import get_config_path

    folder = Path(path).resolve().parent
    found = get_config_path(None, project_path=str(folder))
    yamllint = _yamllint_file(folder, Path(found).parent if found else None)
    if not found:
        return without_config(yamllint)
    stat = os.stat(found)
    return _load(str(Path(found).resolve()), stat.st_mtime_ns, stat.st_size, yamllint)


def without_config(yamllint_file: str | None = None) -> RepoLint:
    from codegen.validate.lint import ENABLE, PROFILE

    return RepoLint(yamllint_file=yamllint_file, profile=PROFILE, enable_list=tuple(ENABLE))


def _yamllint_file(folder: Path, config_dir: Path | None) -> str | None:
    for above in [folder, *folder.parents]:
        for name in _YAMLLINT_NAMES:
            if (above / name).is_file():
                return str(above / name)
        if above == config_dir or (above / ".git").exists():
            return None
    return None


@functools.lru_cache(maxsize=32)
def _load(config_file: str, _mtime: int, _size: int, yamllint: str | None) -> RepoLint:
    from ansiblelint.cli import load_config

    try:
        load(read_text(config_file)[1])  # bounded first: ansible-lint's own loader has no alias bound
        config, _ = load_config(config_file)
    except SystemExit as exc:  # ansible-lint stops the process on a config that fails its schema
        raise BadConfig(f"{config_file}: not a valid ansible-lint config") from exc
    except Exception as exc:  # noqa: BLE001 - unreadable, not YAML
        raise BadConfig(f"{config_file}: cannot be read ({type(exc).__name__})") from exc

    def names(key: str) -> tuple[str, ...]:
        value = config.get(key) or []
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    profile = config.get("profile") if isinstance(config.get("profile"), str) else None
    settings = tuple((k, config[k]) for k in _RULE_SETTINGS if k in config)
    return RepoLint(config_file, yamllint, profile, names("skip_list"), names("warn_list"), names("enable_list"),
                    names("exclude_paths"), settings)
