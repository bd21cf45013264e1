"""Private modules the model never saw: chosen from their own documentation when they fit.

The shipped adapter writes only module names it was trained on, and retrieval shows training
examples, which never hold a private module. So, before generating, the request is scored (BM25,
codegen.catalog.docsearch) against every module's documentation, public and private alike. When
the best module of a private collection (one not shipped in the `ansible` package or ansible-core:
ANSIBLE_COLLECTIONS_PATH, the workspace's `collections/`, ansible.cfg's collections_path, the
example) fits clearly better than any public one, generation is steered to it: its own EXAMPLES
become the examples shown in the prompt, and decoding may write only its name on the module line
(decoding.ModuleLock); the schema constraint then keeps its options, choices and required options.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from codegen.catalog.docsearch import doc_index, terms
from codegen.catalog.store import words
from codegen.grounding.retrieval import MAX_EXAMPLE_LINES, plain_words
from codegen.grounding.slots import fill, named_by_cue, read, tokens

# Tuned on eval/private/dev/requests.yml only (see eval/private/README.md): a private module is
# chosen when its score is at least MIN_SCORE and at least MARGIN times the best public module's.
# Scored on the request's plain words: the parts of its paths ("/opt/app/releases/1.0.0") matched
# a private module's example paths and chose it for "delete the directory ..." on the dev set
# (plain words: fitting requests' private/public ratio >= 1.01, controls' <= 0.90, and 1.005 for
# "create the app directory"; at 1.05 the dev set loses one fitting request and no control, at
# 1.0 the reverse: a wrong private choice breaks a public request, a missed one keeps today's answer).
MIN_SCORE = 8.0
MARGIN = 1.05
# Against a vendor's module the request does not name, when the request names every required option
# of the private module (tuned on both dev sets, eval/private/dev/: fitting requests' ratio >= 0.64).
VENDOR_MARGIN = 0.6
COVERED_MARGIN = 0.85  # the same, against a general-purpose module
CLOSE = 0.8  # private modules within this share of the best one's score are weighed by what the request names
# Namespaces and collections whose modules are general-purpose, not one vendor's or product's.
# (Windows modules are not: they fit only a request about Windows hosts.)
GENERAL_PURPOSE = frozenset({"ansible", "community", "builtin", "posix", "general", "utils", "netcommon", "crypto"})
# Collections of everyday tools: a request that says one of their modules' names, where the name is a
# rare word of the documentation index (idf >= TOOL_IDF: "firewalld", "ufw", "systemd", "cron",
# "lineinfile", "sysctl"; not "file", "user", "service" or "pause"), asks for that tool.
EVERYDAY = frozenset({"ansible.builtin", "ansible.posix", "community.general"})
TOOL_IDF = 6.0
# What people call a product, where its collection spells it otherwise.
VENDOR_ALIASES = {"postgres": "postgresql", "pg": "postgresql", "mongo": "mongodb", "k8s": "kubernetes",
                  "mariadb": "mysql"}
EXAMPLES_SHOWN = 2
PRIVATE_KIND = "private collection documentation"  # a --sources entry's kind
MAX_EXAMPLES_CHARS = 20_000  # of one module's EXAMPLES text parsed for the prompt
SLICE_FORMAT = "private-slice-1"
# BM25 scores are compared rounded to 3 decimals (DocIndex.top): a bound this far under MIN_SCORE
# can never round up to it, whatever order the terms were summed in.
SLICE_SLACK = 0.001


@functools.lru_cache(maxsize=1)
def shipped_collections() -> frozenset[str]:
    """Collections of the `ansible` package (site-packages' ansible_collections) and ansible-core."""
    names = {"ansible.builtin"}
    for entry in sys.path:
        base = Path(entry) / "ansible_collections"
        if not entry.endswith(("site-packages", "dist-packages")) or not base.is_dir():
            continue
        for ns in base.iterdir():
            if ns.is_dir() and not ns.name.endswith(".dist-info"):
                names.update(f"{ns.name}.{c.name}" for c in ns.iterdir() if c.is_dir())
    return frozenset(names)


@dataclass
class Choice:
    """A private module chosen for a request, and why."""
    module: str
    collection: str
    score: float
    public_best: tuple[str, float] | None  # the best public module and its score
    examples: list[str] = field(default_factory=list)  # its EXAMPLES' tasks, as prompt examples
    path: str = ""  # the module file whose documentation was read
    request: str = ""
    example_values: dict[str, set[str]] = field(default_factory=dict)  # option -> values its EXAMPLES give
    doc: object = None  # its ModuleDoc
    slots: dict = field(default_factory=dict)  # option -> the value the request gives it (grounding/slots.py)

    def constraint(self, checker):
        """Decoding for this module: only its name on the module line, its plain values from the request."""
        from codegen.grounding.decoding import GroundedModuleLock, GroundedValues

        return GroundedModuleLock(checker, self.module,
                                  GroundedValues(self.doc, self.request, self.example_values, self.slots))

    def fill(self, text: str, catalog, known: set[str]) -> tuple[str, list[str]]:
        """The answer with what the request says of the module's options set (slots.fill)."""
        from codegen.ansible_files import round_trip
        from codegen.ansible_files.keywords import module_key
        from codegen.normalise import normalise_tasks

        try:
            tasks = round_trip.load(text)
        except Exception:  # ruamel raises many types; unparsable text is reported by validation
            return text, []
        notes: list[str] = []
        for task in tasks if isinstance(tasks, list) else []:
            key = module_key(task) if isinstance(task, dict) else None
            if key and catalog.resolve(key) == self.module:
                if task[key] is None:
                    task[key] = {}
                if isinstance(task[key], dict):
                    notes += fill(task[key], self.doc, self.slots, known, self.request)
                    secret = any(self.doc.options.get(self.doc.canonical_option(k) or "", {}).get("no_log")
                                 for k in task[key])
                    if secret and "no_log" not in task:  # a secret the request gave: as repair does for any
                        task["no_log"] = True
                        notes.append("added no_log: true (the task passes a secret)")
        if not notes:
            return text, []
        return normalise_tasks(round_trip.dump(tasks, round_trip.NO_FOLDING), catalog), [f"note [private] {n}" for n in notes]

    def note(self) -> str:
        against = ""
        if self.public_best:
            name, score = self.public_best
            # the vendor margin can pick a private module scoring less: say why the other lost
            why = ", a vendor's module the request does not name" if score > self.score else ""
            against = f" over {name} ({score:.1f}{why})"
        return (f"note [private] {self.module} chosen from the documentation of the private collection "
                f"{self.collection} (score {self.score:.1f}{against})")



def doc_source(catalog, fqcn: str) -> dict:
    """A `--sources` entry for a private module: its documentation, not a training example."""
    doc = catalog.get(fqcn)
    collection = ".".join(fqcn.split(".")[:2])
    meta = catalog.collections.get(collection, {})
    return {"collection": collection, "version": meta.get("version", ""), "module": fqcn,
            "path": doc.path if doc else "", "line": None, "licence": meta.get("licence", ""),
            "kind": PRIVATE_KIND, "request": doc.short_description if doc else "", "score": 1.0}


def _render(task: dict, fqcn: str) -> str | None:
    """One EXAMPLES task as the retriever renders a training example: name line, then the body."""
    import yaml

    name = " ".join(str(task.get("name") or "").split())
    body = {k: v for k, v in task.items() if k != "name"}
    try:
        text = yaml.safe_dump([body], sort_keys=False, default_flow_style=False, width=160)
    except yaml.YAMLError:
        return None
    body_text = "  " + text[2:]  # "- module:" -> "  module:": the body of a task at indent 2
    if not name or body_text.count("\n") > MAX_EXAMPLE_LINES:
        return None
    return f"- name: {name}\n{body_text}"


def _example_tasks(catalog, fqcn: str) -> list[dict]:
    """The tasks of the module's own EXAMPLES that call it (the text parsed with the bounded safe
    loader: documentation, never run)."""
    from codegen.ansible_files.yaml_load import try_load
    from codegen.ansible_files.keywords import module_key

    text = catalog.examples(fqcn)
    if not text or len(text) > MAX_EXAMPLES_CHARS:
        return []
    data = try_load(text)
    return [t for t in (data if isinstance(data, list) else [])
            if isinstance(t, dict) and module_key(t) and catalog.resolve(module_key(t)) == fqcn]


def example_values(catalog, fqcn: str) -> dict[str, set[str]]:
    """option -> the plain values the module's EXAMPLES give it."""
    from codegen.ansible_files.keywords import module_key

    out: dict[str, set[str]] = {}
    for task in _example_tasks(catalog, fqcn):
        args = task.get(module_key(task))
        for key, value in (args.items() if isinstance(args, dict) else ()):
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                out.setdefault(str(key), set()).add(str(value))
    return out


def module_examples(catalog, fqcn: str, request: str, k: int = EXAMPLES_SHOWN) -> list[str]:
    """Up to k tasks of the module's own EXAMPLES that call it, the most like the request last."""
    wanted = set(words(request))
    scored = []
    for i, task in enumerate(_example_tasks(catalog, fqcn)):
        rendered = _render(task, fqcn)
        if rendered:
            scored.append((len(wanted & set(words(rendered))), -i, rendered))
    scored.sort()
    return [r for _, _, r in scored[-k:]]


class PrivateSlice:
    """The private modules' rows of the documentation index, with the whole index's idf and mean
    length: their BM25 scores exactly as DocIndex.top computes them, without reading the index of
    all ~9,500 modules (about 1 s of every cold request, when most requests fit no private module)."""

    def __init__(self, avg: float, k1: float, b: float, idf: dict[str, float], docs: dict[str, list]):
        self.avg, self.k1, self.b, self.idf, self.docs = avg, k1, b, idf, docs  # docs: name -> [length, {term: tf}]

    @classmethod
    def from_index(cls, index, is_private) -> "PrivateSlice":
        docs: dict[str, list] = {}
        for term, postings in index.postings.items():
            for i, tf in postings:
                name = index.names[i]
                if is_private(name):
                    docs.setdefault(name, [index.lengths[i], {}])[1][term] = tf
        idf = {term: index.idf[term] for _, tfs in docs.values() for term in tfs}
        return cls(index.avg, index.k1, index.b, idf, docs)

    def best(self, query: list[str]) -> float:
        """The best private module's score for the query words (0.0 when none has any of them)."""
        best = 0.0
        wanted = set(terms(query))
        for length, tfs in self.docs.values():
            norm = self.k1 * (1 - self.b + self.b * length / self.avg)
            score = sum(self.idf[w] * tfs[w] * (self.k1 + 1) / (tfs[w] + norm) for w in wanted if w in tfs)
            best = max(best, score)
        return best

    def to_json(self) -> str:
        return json.dumps({"format": SLICE_FORMAT, "avg": self.avg, "k1": self.k1, "b": self.b,
                           "idf": self.idf, "docs": self.docs})


def _slice_path(catalog, private: set[str]) -> Path | None:
    key = getattr(catalog, "key", None)
    if not key:
        return None
    from codegen.paths import cache_dir

    which = hashlib.sha1("\n".join(sorted(private)).encode()).hexdigest()[:16]
    return cache_dir() / "catalog" / f"{key}.private-{which}.json"


def private_slice(catalog, private: set[str], is_private) -> PrivateSlice | None:
    """The slice for these private collections: read from the cache beside the catalog's, else cut
    from the whole index (read or built once) and saved; None for a catalog without a key."""
    path = _slice_path(catalog, private)
    if path is None:
        return None
    if path.is_file():
        try:
            data = json.loads(path.read_text())
            if data.get("format") == SLICE_FORMAT:
                return PrivateSlice(data["avg"], data["k1"], data["b"], data["idf"], data["docs"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a cut or foreign file: cut it again
    found = PrivateSlice.from_index(doc_index(catalog), is_private)
    from codegen.atomic import write_text

    try:
        write_text(path, found.to_json())
    except OSError:
        pass  # a read-only cache: the slice still serves this process
    return found


class Candidates:
    """Scores a request against the documentation of every module; chooses a private one when it fits."""

    def __init__(self, catalog, min_score: float = MIN_SCORE, margin: float = MARGIN):
        self.catalog, self.min_score, self.margin = catalog, min_score, margin
        shipped = shipped_collections()
        self.private = {c for c in catalog.collections if c not in shipped}
        self._slice: PrivateSlice | None | bool = False  # False: not read yet
        self._tools: frozenset[str] | None = None  # everyday tools' module names (_names_tool)

    def is_private(self, fqcn: str | None) -> bool:
        return bool(fqcn) and ".".join(fqcn.split(".")[:2]) in self.private

    def _cannot_fit(self, request: str) -> bool:
        """True when no private module can reach MIN_SCORE (so none is chosen), told from the
        private slice alone; False when the whole index must decide."""
        if not self.private:
            return True
        if self._slice is False:
            self._slice = private_slice(self.catalog, self.private, self.is_private)
        return self._slice is not None and self._slice.best(plain_words(request)) < self.min_score - SLICE_SLACK

    def verdict(self, request: str) -> tuple[tuple[str, float] | None, tuple[str, float] | None, bool]:
        """(the best-fitting private module, the public module it is weighed against, chosen?).

        A private module is chosen when its score is at least MIN_SCORE and MARGIN times that of
        every public module, except a vendor's module the request does not name (netapp's bucket
        for "the bucket invoices"): a team installs its collections to use them, so one whose
        every required option the request names beside its words ("the bucket invoices") needs
        only VENDOR_MARGIN times such a module's score. Among private modules scoring close to the
        best, the one whose required options the request names most is taken."""
        if self._cannot_fit(request):
            return None, None, False
        index = doc_index(self.catalog)
        query = plain_words(request)
        said = set(re.findall(r"[a-z0-9]+", request.lower()))
        live = lambda f: not _deprecated(self.catalog, f)  # noqa: E731
        private = index.top(query, 3, among=lambda f: self.is_private(f) and live(f))
        if not private:
            return None, None, False
        close = [(m, sc) for m, sc in private if sc >= CLOSE * private[0][1]]
        covered = {m: _named_share(self.catalog.get(m), request) for m, _ in close}
        module, score = max(close, key=lambda p: (covered[p[0]], p[1]))
        # a word the private module's own name explains ("firewall" of firewall_rule) names no vendor's module
        said -= set(module.rsplit(".", 1)[-1].split("_"))
        public = lambda named: index.top(  # noqa: E731
            query, 1, among=lambda f: not self.is_private(f) and live(f) and names_vendor(f, said) == named)
        named, unnamed = (public(True) or [None])[0], (public(False) or [None])[0]
        against = max((p for p in (named, unnamed) if p), key=lambda p: p[1], default=None)
        # sure: every required option named, and the request says the module's own noun ("the bucket
        # invoices"): shapes alone (an address, a host name) fit too many modules
        sure = covered[module] == 1.0 and _says_module(module, request)
        margin = self.margin if covered[module] < 1.0 else 1.0  # every required option named: level is enough
        chosen = score >= self.min_score and (named is None or score >= (COVERED_MARGIN if sure else margin) * named[1])
        if chosen and unnamed is not None and score < margin * unnamed[1]:
            chosen = sure and score >= VENDOR_MARGIN * unnamed[1]
        doc = self.catalog.get(module)
        if chosen and (self._names_tool(said, index) or _unplaced_path(doc, request) or _controls_a_service(doc, said)):
            chosen = False
        return (module, score), against, chosen

    def _names_tool(self, said: set[str], index) -> bool:
        """Does the request say an everyday tool's module name ("... in firewalld", "with ufw")?"""
        if self._tools is None:
            self._tools = frozenset(f.rsplit(".", 1)[-1] for f in index.names
                                    if f.rsplit(".", 1)[0] in EVERYDAY and index.idf.get(f.rsplit(".", 1)[-1], 0.0) >= TOOL_IDF)
        return bool(self._tools & said)

    def choose(self, request: str) -> Choice | None:
        best, against, chosen = self.verdict(request)
        if not chosen:
            return None
        module, score = best
        doc = self.catalog.get(module)
        return Choice(module=module, collection=".".join(module.split(".")[:2]), score=score,
                      public_best=against, examples=module_examples(self.catalog, module, request),
                      path=doc.path if doc else "", request=request, doc=doc,
                      example_values=example_values(self.catalog, module), slots=read(doc, request) if doc else {})


def _named_share(doc, request: str) -> float:
    """The share of the module's required options the request names beside their words or by their shape."""
    if doc is None:
        return 0.0
    required = [n for n, spec in doc.options.items() if spec.get("required")]
    named = named_by_cue(doc, request)
    if not required:  # nothing required: some evidence at most (a state word alone says little)
        return 0.5 if any(not doc.options[n].get("choices") for n in named) else 0.0
    return sum(n in named for n in required) / len(required)


SERVICE_VERBS = frozenset({"restart", "reload"})


def _controls_a_service(doc, said: set[str]) -> bool:
    """"restart the matchmaker service": a service task, unless the module itself restarts or reloads
    something (a choice or an option of that name)."""
    if doc is None or not SERVICE_VERBS & said:
        return False
    own = {w for name, spec in doc.options.items() for w in [*name.split("_"), *map(str, spec.get("choices") or [])]}
    return not any(w.startswith(v) for w in own for v in SERVICE_VERBS)


def _unplaced_path(doc, request: str) -> bool:
    """Does the request give a file path that no option of the module takes ("copy printers.conf to
    /etc/cups/printers.conf" is a file task, whatever else it says)?"""
    paths = {t.text for t in tokens(request) if not t.quoted and t.text.startswith(("/", "~/"))}
    if not paths or doc is None:
        return False
    taken = {str(v) for value in read(doc, request).values() for v in (value if isinstance(value, list) else [value])}
    return not paths <= taken


def _says_module(fqcn: str, request: str) -> bool:
    """Does the request use a word of the module's name ("queue", "firewall", "address")?"""
    from codegen.grounding.slots import stem

    wanted = {stem(w) for w in fqcn.rsplit(".", 1)[-1].split("_") if len(w) > 2}
    return any(t.stem in wanted or t.joined in wanted for t in tokens(request))


def names_vendor(fqcn: str, said: set[str]) -> bool:
    """Is this public module general-purpose (ansible.builtin, community.general, ...), or does the
    request name its vendor or product (its namespace, collection or the first word of its name:
    `amazon.aws.s3_bucket` for "an s3 bucket", `community.postgresql` for "postgresql")?"""
    namespace, collection, name = (fqcn.split(".") + ["", ""])[:3]
    parts = [p for p in (namespace, collection) if p not in GENERAL_PURPOSE]
    said = said | {VENDOR_ALIASES[w] for w in said if w in VENDOR_ALIASES}  # "postgres" names community.postgresql
    return not parts or any(p in said for p in parts) or name.split("_")[0] in said


def _deprecated(catalog, fqcn: str) -> bool:
    doc = catalog.get(fqcn)
    return doc is None or doc.deprecated


