"""Build the catalog from the installed collections (and any extra collection paths).

Listing modules is ansible-core's job (`list_plugins`); the documentation is read from the
files directly (codegen.catalog.extract) and doc fragments are merged once each.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import yaml

from codegen.catalog.extract import doc_strings, load_yaml, mutually_exclusive, required_if

BUILTIN_LICENCE = "GPL-3.0-or-later"
_SPEC_KEYS = ("type", "choices", "aliases", "required", "default", "elements", "no_log")


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def option_spec(raw: dict) -> dict:
    """Documentation option -> the argument-spec fields validation and decoding need."""
    spec = {k: _jsonable(raw[k]) for k in _SPEC_KEYS if k in raw and raw[k] is not None}
    if isinstance(spec.get("aliases"), str):
        spec["aliases"] = [spec["aliases"]]
    desc = raw.get("description")
    if isinstance(desc, list):
        desc = " ".join(str(d) for d in desc)
    if desc:
        spec["description"] = str(desc)[:400]
    subs = raw.get("suboptions") or raw.get("options")
    if isinstance(subs, dict):
        spec["suboptions"] = {str(k): option_spec(v) for k, v in subs.items() if isinstance(v, dict)}
    return spec


def _merge(target: dict, source: dict) -> None:
    """Merge a doc fragment into a module's docs; the module's own text wins."""
    for key, value in source.items():
        if key not in target:
            target[key] = value
        elif isinstance(target[key], dict) and isinstance(value, dict):
            _merge(target[key], value)
        elif isinstance(target[key], list) and isinstance(value, list):
            target[key] = target[key] + [v for v in value if v not in target[key]]


class FragmentCache:
    def __init__(self):
        from ansible.plugins.loader import fragment_loader

        self._loader = fragment_loader
        self._cache: dict[str, dict | None] = {}

    def get(self, slug: str) -> dict | None:
        slug = slug.strip()
        if slug not in self._cache:
            self._cache[slug] = self._load(slug)
        return self._cache[slug]

    def _load(self, slug: str) -> dict | None:
        name, var = slug, "DOCUMENTATION"
        cls = self._loader.get(name)
        if cls is None and "." in slug:
            name, var = slug.rsplit(".", 1)
            var = var.upper()
            cls = self._loader.get(name)
        if cls is None:
            return None
        text = getattr(cls, var, None)
        data = load_yaml(text) if isinstance(text, str) else None
        return data if isinstance(data, dict) else None


def collection_meta(collection_dir: Path) -> dict:
    """Version and licence from MANIFEST.json (built collections) or galaxy.yml (source trees)."""
    manifest = collection_dir / "MANIFEST.json"
    info: dict = {}
    if manifest.is_file():
        info = json.loads(manifest.read_text()).get("collection_info", {})
    elif (collection_dir / "galaxy.yml").is_file():
        info = yaml.safe_load((collection_dir / "galaxy.yml").read_text()) or {}
    licence = info.get("license") or ""
    if isinstance(licence, list):
        licence = " OR ".join(licence)
    if not licence and info.get("license_file"):
        licence = _licence_from_file(collection_dir / info["license_file"])
    return {"version": str(info.get("version") or ""), "licence": str(licence)}


def _licence_from_file(path: Path) -> str:
    """Name the licence of a collection that only ships its text (e.g. COPYING)."""
    head = path.read_text(errors="replace")[:3000] if path.is_file() else ""
    if "GNU GENERAL PUBLIC LICENSE" in head and "Version 3" in head:
        return f"GPL-3.0-or-later ({path.name})"
    if "Apache License" in head:
        return f"Apache-2.0 ({path.name})"
    return f"see {path.name}" if head else ""


def _routing(runtime_file: Path, prefix: str) -> dict[str, str]:
    if not runtime_file.is_file():
        return {}
    data = load_yaml(runtime_file.read_text()) or {}
    modules = ((data.get("plugin_routing") or {}).get("modules") or {})
    out = {}
    for name, route in modules.items():
        if isinstance(route, dict) and route.get("redirect"):
            out[f"{prefix}{name}"] = route["redirect"]
    return out


def module_record(fqcn: str, path: Path, fragments: FragmentCache) -> dict | None:
    strings = doc_strings(path)
    doc = load_yaml(strings.get("DOCUMENTATION", "")) if strings else None
    if not isinstance(doc, dict):
        return None
    extends = doc.pop("extends_documentation_fragment", None) or []
    if isinstance(extends, str):
        extends = extends.split(",")
    for slug in extends:
        fragment = fragments.get(str(slug))
        if fragment:
            fragment = {k: v for k, v in fragment.items() if k in ("options", "notes", "requirements")}
            _merge(doc, json.loads(json.dumps(fragment, default=str)))
    options = doc.get("options") or {}
    desc = doc.get("description") or ""
    if isinstance(desc, list):
        desc = " ".join(str(d) for d in desc)
    return {
        "fqcn": fqcn,
        "short_description": str(doc.get("short_description") or "").strip(),
        "description": str(desc).strip()[:800],
        "options": {str(k): option_spec(v) for k, v in options.items() if isinstance(v, dict)},
        "mutually_exclusive": mutually_exclusive(path, options),
        "required_if": required_if(path, options),
        "path": str(path),
        "deprecated": bool(doc.get("deprecated")),
        "examples": strings.get("EXAMPLES", "") or "",
    }


def build(extra_paths: list[str], on_progress: Callable[[int, int], None] | None = None) -> dict:
    """Return {'modules': {fqcn: record}, 'redirects': {...}, 'collections': {...}}."""
    # Reading a deprecated module's doc fragments makes ansible print a deprecation warning (four
    # and a footer on a newcomer's first command): the catalog marks deprecated modules itself.
    # ansible reads the setting at each warning, so it is off only while the catalog is read.
    quiet = "ANSIBLE_DEPRECATION_WARNINGS" not in os.environ
    if quiet:
        os.environ["ANSIBLE_DEPRECATION_WARNINGS"] = "False"
    try:
        return _build(extra_paths, on_progress)
    finally:
        if quiet:
            os.environ.pop("ANSIBLE_DEPRECATION_WARNINGS", None)


def _build(extra_paths: list[str], on_progress: Callable[[int, int], None] | None) -> dict:
    from ansible import release
    from ansible.plugins.list import list_plugins
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader(extra_paths)
    listed = list_plugins("module")
    fragments = FragmentCache()
    modules: dict[str, dict] = {}
    collections: dict[str, dict] = {
        "ansible.builtin": {"version": release.__version__, "licence": BUILTIN_LICENCE, "path": ""}
    }
    redirects: dict[str, str] = {}
    import ansible

    core_dir = Path(ansible.__file__).parent
    redirects.update(_routing(core_dir / "config" / "ansible_builtin_runtime.yml", "ansible.builtin."))
    total = len(listed)
    for done, (fqcn, (raw_path, _)) in enumerate(sorted(listed.items()), 1):
        path = Path(os.fsdecode(raw_path))
        collection = ".".join(fqcn.split(".")[:2])
        if collection not in collections:
            cdir = path
            while cdir.name != "plugins" and cdir != cdir.parent:
                cdir = cdir.parent
            cdir = cdir.parent
            collections[collection] = {**collection_meta(cdir), "path": str(cdir)}
            redirects.update(_routing(cdir / "meta" / "runtime.yml", f"{collection}."))
        record = module_record(fqcn, path, fragments)
        if record is not None:
            record["collection"] = collection
            modules[fqcn] = record
        if on_progress and (done % 200 == 0 or done == total):
            on_progress(done, total)
    return {"modules": modules, "redirects": redirects, "collections": collections}
