"""Does the module an answer calls have anything to do with the request?

A 270M model that does not know which module a request needs sometimes drifts into one it has
seen, whose name and documentation share no word with the request: "create a system user
prometheus" -> `community.general.ipa_config`, "Set facts for Ceph multiconfig Kolla permissions"
-> `community.general.one_vm`. On the saved answers of session 14 (92 plain requests, 580 tasks
of held-out projects, 100 realworld tasks) 40 of the 41 answers this flags called the wrong module
(the one right one: `ansible.posix.sysctl` for "set vm.swappiness to 10"). The pipeline then asks
once more with that module refused, and keeps the new answer only if its module does share a word
with the request (pipeline.checked_task).

ansible.builtin's modules are never flagged: they are the general tools (`command`, `set_fact`,
`template`) whose documentation need not repeat the request's words.
"""
from __future__ import annotations

import math
import re

from codegen.grounding.slots import STOP, stem
from codegen.grounding.summary import module_of


def _stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z][a-z0-9]+", text.lower()) if len(w) >= 3 and w not in STOP}


_ABOUT: dict[tuple[int, str], frozenset[str]] = {}  # (catalog, module) -> its words: read once


def _about(catalog, module: str) -> frozenset[str] | None:
    key = (id(catalog), module)
    if key not in _ABOUT:
        doc = catalog.get(module)
        if doc is None:
            return None
        _ABOUT[key] = frozenset(_stems(" ".join([doc.fqcn.replace("_", " ").replace(".", " "), doc.short_description or "",
                                                 " ".join(o.replace("_", " ") for o in doc.options)])))
    return _ABOUT[key]


def shares_words(request: str, module: str, catalog) -> bool:
    """True when the module's name, short description or option names share a word with the request."""
    about = _about(catalog, module)
    return True if about is None else bool(_stems(request) & about)  # unknown: the schema checks say so


def _exempt(fqcn: str, around: str) -> bool:
    collection, _, short = fqcn.rpartition(".")
    return collection == "ansible.builtin" or (collection + ".") in around or f" {short}:" in around


KEEP = 30  # modules left to choose from after a drift (besides ansible.builtin and the file's collections)


def unfitting_modules(request: str, catalog, around: str = "", keep: int = KEEP) -> frozenset[str]:
    """Every module but the few whose documentation shares the request's rarest words. Once the
    model has drifted, its next try may choose only among those (and ansible.builtin, and the
    collections the file uses): for "create a mysql user wp" it had gone from `wdc_redfish_command`
    to `django_manage` to `django_createcachetable`, and, any shared word counted, to `one_vm`.
    Words are weighted by how rare they are in the modules' documentation. (Not refused up front:
    a Windows file's `win_copy` for "Template PSK Secret" shares no word, and the model gets such
    steps right from the file around it.)"""
    from codegen.grounding.candidates import shipped_collections

    weights, words, public = _weights(catalog), _stems(request), shipped_collections()
    scored = []
    for module in catalog.names():
        if module.rpartition(".")[0] not in public:
            continue  # a private module is chosen by grounding/candidates.py, with its own bar, or not at all
        shared = words & (_about(catalog, module) or frozenset())
        if shared:
            scored.append((-sum(weights.get(w, 0.0) for w in shared), module))
    kept = {module for _, module in sorted(scored)[:keep]}
    return frozenset(m for m in catalog.names() if m not in kept and not _exempt(m, around))


_WEIGHTS: dict[int, dict[str, float]] = {}


def _weights(catalog) -> dict[str, float]:
    """Each word's rarity among the modules' documentation, log(modules / modules using it); read
    once per catalog (~1.2 s: every module's documentation), and only after a drift."""
    if id(catalog) not in _WEIGHTS:
        counts: dict[str, int] = {}
        names = catalog.names()
        for module in names:
            for word in _about(catalog, module) or ():
                counts[word] = counts.get(word, 0) + 1
        _WEIGHTS[id(catalog)] = {w: math.log(len(names) / n) for w, n in counts.items()}
    return _WEIGHTS[id(catalog)]


def drifted_module(request: str, answer: str, catalog, around: str = "") -> str | None:
    """The module of an answer that looks like drift (see above), else None. around: the file's
    tasks; a module of a collection they already use is not drift ("Template PSK Secret" ->
    `ansible.windows.win_copy` in a Windows tasks file)."""
    module = module_of(answer)
    if not module or module.startswith("ansible.builtin."):
        return None
    fqcn = catalog.resolve(module) or module
    if _exempt(fqcn, around):
        return None
    return None if shares_words(request, fqcn, catalog) else fqcn


class DriftWatch:
    """A decoding constraint, watched: it records the text decoded so far, and `seen()` says, once
    the answer's first line is whole, whether that line called a drifted module. The pipeline ends
    such a try there (its `cancelled`) and asks again among the modules that fit, at the cost of a
    few tokens rather than a whole answer. A remote engine that takes the constraint as a grammar
    never calls `choose`: nothing is seen, and the answer is judged when whole (pipeline._undrifted)."""

    def __init__(self, constraint, request: str, catalog, around: str = ""):
        self.inner, self.request, self.catalog, self.around = constraint, request, catalog, around
        self.text, self.module, self._judged = "", None, False

    def choose(self, text, *args):
        self.text = text
        return self.inner.choose(text, *args)

    def __getattr__(self, name):  # checker, dead_end, repeat_at... of the constraint watched
        return getattr(self.inner, name)

    def seen(self) -> str | None:
        if self._judged:
            return self.module
        first, whole, _ = self.text.lstrip("\n").partition("\n")
        if not whole:
            return None
        self._judged = True
        self.module = drifted_module(self.request, f"- name: x\n{first}\n", self.catalog, self.around)
        return self.module
