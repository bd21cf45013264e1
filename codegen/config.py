"""The user's config file: defaults for options the command line did not set.

Where: `$ANSIBLE_CODEGEN_CONFIG` if set, else `$XDG_CONFIG_HOME/ansible-codegen/config.toml`
(`~/.config/ansible-codegen/config.toml`). A missing file is no config; a broken one is a
one-line error (ValueError), never silently ignored.

    [backend]
    kind = "openai"              # local | openai
    url = "http://gpu-box:8000"  # an OpenAI-compatible server (vLLM, Ollama, llama.cpp, ansible-codegen serve)
    model = "ansible-codegen"    # the model (or LoRA module) name on that server
    timeout = 60                 # seconds for one completion
    api_key = "..."              # optional; $ANSIBLE_CODEGEN_API_KEY wins over it

Precedence: command line > environment > config file > built-in default.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

BACKEND_KINDS = ("local", "openai")
DEFAULT_TIMEOUT = 60.0
API_KEY_ENV = "ANSIBLE_CODEGEN_API_KEY"
_BACKEND_KEYS = {"kind", "url", "model", "timeout", "api_key"}


def config_path() -> Path:
    override = os.environ.get("ANSIBLE_CODEGEN_CONFIG")
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(xdg) / "ansible-codegen" / "config.toml"


def load_config(path: Path | None = None) -> dict:
    """The parsed file, or {} when there is none. ValueError (one line) when it cannot be used."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if os.environ.get("ANSIBLE_CODEGEN_CONFIG") and path == config_path():
            raise ValueError(f"config file {path} (from ANSIBLE_CODEGEN_CONFIG) does not exist") from None
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read config file {path}: {exc.__class__.__name__}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config file {path}: not valid TOML ({exc})") from exc


def _backend_section(path: Path | None = None) -> dict:
    config = load_config(path)
    where = path or config_path()
    section = config.get("backend", {})
    if not isinstance(section, dict):
        raise ValueError(f"config file {where}: [backend] must be a table")
    unknown = set(section) - _BACKEND_KEYS
    if unknown:
        raise ValueError(f"config file {where}: unknown [backend] key(s) {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(sorted(_BACKEND_KEYS))})")
    for key in ("kind", "url", "model", "api_key"):
        if key in section and not isinstance(section[key], str):
            raise ValueError(f"config file {where}: [backend] {key} must be a string")
    return section


def backend_options(kind: str | None = None, url: str | None = None, model: str | None = None,
                    timeout: float | None = None, path: Path | None = None) -> dict:
    """Backend settings: arguments given (not None) win over the config file, which wins over defaults.

    Returns {"kind", "url", "model", "timeout", "api_key"}; raises ValueError with one clear line
    for a bad file or value.
    """
    section = _backend_section(path)
    where = path or config_path()
    merged = {
        "kind": kind if kind is not None else section.get("kind", "local"),
        "url": url if url is not None else section.get("url"),
        "model": model if model is not None else section.get("model"),
        "timeout": timeout if timeout is not None else section.get("timeout", DEFAULT_TIMEOUT),
        "api_key": os.environ.get(API_KEY_ENV) or section.get("api_key"),
    }
    if merged["kind"] not in BACKEND_KINDS:
        raise ValueError(f"backend kind {merged['kind']!r} (config file {where}): use local or openai")
    value = merged["timeout"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"config file {where}: [backend] timeout must be a positive number of seconds")
    merged["timeout"] = float(value)
    if merged["url"] is not None and not merged["url"].startswith(("http://", "https://")):
        raise ValueError(f"backend url {merged['url']!r}: must start with http:// or https://")
    return merged
