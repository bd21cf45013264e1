"""Load, cache and query the catalog.

The cache is keyed by what is installed (ansible-core's version, each collection's folder and
MANIFEST), so installing or upgrading a collection rebuilds it on next use.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from codegen.atomic import write_text
from codegen.paths import cache_dir, example_collections_dir

_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "is", "be", "it", "this",
         "that", "from", "by", "as", "at", "use", "using", "module", "ansible", "manage", "manages"}


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower().replace("_", " ")) if w not in _STOP]


def same_value(written, value) -> bool:
    """A value as YAML gives it (or as text) equals a rule's Python value: 'present' == 'present',
    True == 'true'/'yes', 1 == '1'."""
    if isinstance(value, bool):
        text = str(written).strip().lower()
        return written is value or text in (("true", "yes", "on") if value else ("false", "no", "off"))
    return str(written).strip() == str(value)


@dataclass
class ModuleDoc:
    fqcn: str
    collection: str
    short_description: str
    description: str
    options: dict
    path: str
    deprecated: bool = False
    version: str = ""
    licence: str = ""
    mutually_exclusive: list = field(default_factory=list)  # groups of options it refuses together
    required_if: list = field(default_factory=list)  # [option, value, [required...], any_of]

    @property
    def name(self) -> str:
        return self.fqcn.rsplit(".", 1)[-1]

    def required(self) -> list[str]:
        return [k for k, v in self.options.items() if v.get("required")]

    def option_names(self) -> set[str]:
        names = set(self.options)
        for spec in self.options.values():
            names.update(spec.get("aliases") or [])
        return names

    def excluded_by(self, present: set[str]) -> set[str]:
        """Options that may no longer be given once the (canonical) options `present` are."""
        return {name for group in self.mutually_exclusive if present & set(group) for name in group} - present

    def conditionally_required(self) -> set[str]:
        """Options some required_if rule of the module may ask for."""
        return {name for _, _, needed, _ in self.required_if for name in needed}

    def required_given(self, values: dict) -> list[str]:
        """Options required because of the (canonical) option values given: for each of the module's
        required_if rules that `values` meets, the required ones missing (for an any-of rule, the
        first, when none is given)."""
        missing: list[str] = []
        for key, when, needed, any_of in self.required_if:
            if key not in values or not same_value(values[key], when):
                continue
            absent = [n for n in needed if n not in values]
            if any_of and len(absent) < len(needed):
                continue
            missing += [n for n in (absent[:1] if any_of else absent) if n not in missing]
        return missing

    def canonical_option(self, key: str) -> str | None:
        if key in self.options:
            return key
        for name, spec in self.options.items():
            if key in (spec.get("aliases") or []):
                return name
        return None


def collection_roots(extra_paths: list[str] | None = None) -> list[Path]:
    """Folders that may hold `ansible_collections/`: extra paths, the project's example, site-packages."""
    from codegen.catalog.workspace import workspace_roots

    roots = [Path(p) for p in (extra_paths or [])]
    roots.append(example_collections_dir())
    env = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.environ.get("ANSIBLE_COLLECTIONS_PATHS") or ""
    roots += [Path(p) for p in env.split(os.pathsep) if p]
    roots += workspace_roots()  # the project's own: ./collections, ansible.cfg's collections_path
    roots += [Path.home() / ".ansible" / "collections", Path("/usr/share/ansible/collections")]
    roots += [Path(p) for p in sys.path if p and p.endswith("site-packages")]
    seen, out = set(), []
    for root in roots:
        resolved = root.resolve() if root.exists() else root
        if resolved not in seen and resolved.is_dir():
            seen.add(resolved)
            out.append(resolved)
    return out


def is_shipped_root(root: Path) -> bool:
    """A root of the `ansible` package's collections (site-packages): upgraded only with it."""
    return root.name in ("site-packages", "dist-packages")


MAX_KEYED_MODULES = 5000  # module files of one non-shipped root looked at for freshness


def _module_files_state(plugins: Path) -> str:
    """Names, sizes and mtimes of a collection's module files: a collection written or edited in
    place (no galaxy.yml, or its module rewritten) still changes the key."""
    parts = []
    with os.scandir(plugins) as entries:
        for n, entry in enumerate(sorted(entries, key=lambda e: e.name)):
            if n >= MAX_KEYED_MODULES:
                break
            try:
                st = entry.stat()
            except OSError:
                continue
            parts.append(f"{entry.name}:{st.st_mtime_ns}:{st.st_size}")
    return ";".join(parts)


def installed_key(extra_paths: list[str] | None = None) -> str:
    """A digest of what is installed: changes when a collection is added, removed or upgraded,
    and, outside site-packages (ANSIBLE_COLLECTIONS_PATH, the workspace, the example), when a
    collection folder appears or one of its module files changes."""
    from ansible import release

    digest = hashlib.sha256(release.__version__.encode())
    digest.update(b"catalog-format-4")
    for root in collection_roots(extra_paths):
        base = root / "ansible_collections"
        digest.update(str(root).encode())
        if not base.is_dir():
            continue
        shipped = is_shipped_root(root)
        for ns in sorted(os.scandir(base), key=lambda e: e.name):
            if not ns.is_dir():
                continue
            for coll in sorted(os.scandir(ns.path), key=lambda e: e.name):
                if not shipped:
                    digest.update(coll.path.encode())
                    plugins = Path(coll.path) / "plugins" / "modules"
                    if plugins.is_dir():
                        digest.update(_module_files_state(plugins).encode())
                for marker in ("MANIFEST.json", "galaxy.yml"):
                    p = Path(coll.path) / marker
                    if p.is_file():
                        st = p.stat()
                        digest.update(f"{coll.path}:{st.st_mtime_ns}:{st.st_size}".encode())
                plugins = Path(coll.path) / "plugins" / "modules"
                if plugins.is_dir():
                    digest.update(str(plugins.stat().st_mtime_ns).encode())
    return digest.hexdigest()[:16]


class Catalog:
    def __init__(self, data: dict, examples_path: Path | None = None):
        self.collections: dict[str, dict] = data["collections"]
        self.redirects: dict[str, str] = data["redirects"]
        # fqcn -> the module's record as JSON text, parsed on first use: a command touches a few
        # modules of 9,500, and parsing them all cost ~0.4 s of every cold start
        self._raw: dict[str, str] = data["modules"]
        self._docs: dict[str, ModuleDoc] = {}
        self._examples_path = examples_path
        self._examples: dict[str, str] | None = None
        self._by_short: dict[str, list[str]] = {}
        for fqcn in self._raw:
            self._by_short.setdefault(fqcn.rsplit(".", 1)[-1], []).append(fqcn)
        self._index = None
        self.key: str | None = None  # set by load_catalog: what is installed, as installed_key

    def __contains__(self, fqcn: str) -> bool:
        return fqcn in self._raw

    def __len__(self) -> int:
        return len(self._raw)

    def names(self) -> list[str]:
        return list(self._raw)

    def get(self, name: str) -> ModuleDoc | None:
        fqcn = self.resolve(name)
        if fqcn is None:
            return None
        if fqcn not in self._docs:
            raw = json.loads(self._raw[fqcn])
            meta = self.collections.get(raw["collection"], {})
            raw.pop("examples", None)
            self._docs[fqcn] = ModuleDoc(version=meta.get("version", ""), licence=meta.get("licence", ""), **raw)
        return self._docs[fqcn]

    def resolve(self, name: str) -> str | None:
        """A module name as written (short, legacy, redirected or FQCN) -> the FQCN that runs."""
        name = (name or "").strip()
        for _ in range(5):  # redirects can chain
            if name in self._raw:
                return name
            if "." not in name:
                if f"ansible.builtin.{name}" in self._raw:
                    return f"ansible.builtin.{name}"
                if f"ansible.builtin.{name}" in self.redirects:
                    name = self.redirects[f"ansible.builtin.{name}"]
                    continue
                candidates = self._by_short.get(name, [])
                return candidates[0] if len(candidates) == 1 else None
            if name.startswith("ansible.legacy."):
                name = "ansible.builtin." + name.rsplit(".", 1)[-1]
                continue
            if name in self.redirects:
                name = self.redirects[name]
                continue
            return None
        return None

    def examples(self, fqcn: str) -> str:
        if self._examples is None:
            if self._examples_path and self._examples_path.is_file():
                self._examples = json.loads(self._examples_path.read_text())
            else:
                self._examples = {}
        return self._examples.get(fqcn, "")

    def search(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """BM25 over module name words (weighted up), short and long descriptions."""
        if self._index is None:
            self._index = Bm25({f: _doc_words(json.loads(r)) for f, r in self._raw.items()})
        return self._index.top(words(text), limit)


def _doc_words(record: dict) -> list[str]:
    name = words(record["fqcn"].rsplit(".", 1)[-1])
    return name * 3 + words(record["fqcn"].split(".")[1]) + words(record["short_description"]) * 2 + words(record["description"][:300])


class Bm25:
    def __init__(self, docs: dict[str, list[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.tf = {d: Counter(w) for d, w in docs.items()}
        self.len = {d: len(w) for d, w in docs.items()}
        self.avg = sum(self.len.values()) / max(1, len(self.len))
        df = Counter(w for counts in self.tf.values() for w in counts)
        n = len(docs)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self.postings: dict[str, list[str]] = {}
        for d, counts in self.tf.items():
            for w in counts:
                self.postings.setdefault(w, []).append(d)

    def score_text(self, query: list[str], doc_words: list[str]) -> float:
        """The score a document with these words would get (used to normalise scores)."""
        counts = Counter(doc_words)
        total = 0.0
        for w in set(query):
            tf, idf = counts.get(w, 0), self.idf.get(w, 0.0)
            if tf:
                total += idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * len(doc_words) / self.avg))
        return total

    def top(self, query: list[str], limit: int) -> list[tuple[str, float]]:
        scores: Counter = Counter()
        for w in set(query):
            idf = self.idf.get(w)
            if idf is None:
                continue
            for d in self.postings[w]:
                tf = self.tf[d][w]
                scores[d] += idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.len[d] / self.avg))
        return [(d, round(s, 3)) for d, s in scores.most_common(limit)]


_LOADED: dict[str, Catalog] = {}


def load_catalog(extra_paths: list[str] | None = None, rebuild: bool = False, quiet: bool = False) -> Catalog:
    """The catalog for what is installed now, built on first use and cached."""
    key = installed_key(extra_paths)
    if key in _LOADED and not rebuild:
        return _LOADED[key]
    folder = cache_dir() / "catalog"
    specs, examples = folder / f"{key}.json", folder / f"{key}.examples.json"
    if rebuild or not specs.is_file():
        build_to(specs, examples, extra_paths, quiet=quiet)
    catalog = Catalog(json.loads(specs.read_text()), examples)
    catalog.key = key  # names the derived caches (the documentation index)
    _LOADED[key] = catalog
    return catalog


def build_to(specs: Path, examples: Path, extra_paths: list[str] | None, quiet: bool = False) -> None:
    from codegen.catalog.build import build
    from codegen.progress import bar

    roots = [str(p) for p in collection_roots(extra_paths)]
    if quiet:
        data = build(roots)
    else:
        with bar() as progress:
            task = progress.add_task("Building module catalog", total=None, info="")
            data = build(roots, lambda done, total: progress.update(task, completed=done, total=total))
    example_texts = {f: r.pop("examples") for f, r in data["modules"].items()}
    write_text(examples, json.dumps(example_texts))
    data["modules"] = {f: json.dumps(r) for f, r in data["modules"].items()}  # see Catalog._raw
    write_text(specs, json.dumps(data))
