"""Task names as real projects write them, made from a clean name.

People prefix names with the role and step (`nginx | config | Write nginx.conf`), with a benchmark
rule number (`5.2.1 | PATCH | Ensure ...`), end them with a period or write them in lower case.
Trained only on clean titles, the model read the rule number as a package name; a share of the
training rows carries one of these styles so the request, not its decoration, decides the answer.
"""
from __future__ import annotations

import random
from pathlib import PurePosixPath

from codegen.dataset.external import role_in

SHARE_RESTYLED = 0.25
_CIS_TAGS = ("PATCH", "AUDIT")


def _role_and_step(path: str) -> tuple[str, str]:
    step = PurePosixPath(path).stem
    return role_in(path), ("" if step == "main" else step)


def restyle(name: str, path: str, rng: random.Random) -> str | None:
    """One decorated form of `name` (None when the name is already decorated)."""
    if "|" in name or not name.strip():
        return None
    role, step = _role_and_step(path)
    styles = ["period", "lower", "cis"]
    if role:
        styles.append("role")
    style = rng.choice(styles)
    if style == "period":
        return name.rstrip(".") + "."
    if style == "lower":
        return name[0].lower() + name[1:]
    if style == "cis":
        number = ".".join(str(rng.randint(1, n)) for n in (6, 9, 12))
        return f"{number} | {rng.choice(_CIS_TAGS)} | {name}"
    return " | ".join(p for p in (role, step, name) if p)
