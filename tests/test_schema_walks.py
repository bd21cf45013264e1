"""The schema check's kept walks (driver._walked): decoding asks it once per candidate token on
the text so far; re-reading only the last line must give exactly the verdict of walking every
line from the top."""
import json
import random
from pathlib import Path

from codegen.grounding.schema import SchemaChecker
from codegen.grounding.schema import driver

REALISTIC = Path(__file__).resolve().parents[1] / "eval" / "bench" / "realistic.jsonl"
PIECES = ["", "\n", "\n  when: x is defined\n", " bogus", ":", "\n    - a\n", "\n      ", "'{{ a", "\n  notify: x\n"]


def _bodies() -> list[str]:
    """Task bodies (indent 2, after the name line) from the files above the realistic requests."""
    out = []
    for line in REALISTIC.read_text().splitlines():
        context = json.loads(line)["context"]
        for chunk in context.split("\n- name: ")[1:]:
            body = chunk.split("\n", 1)[1] if "\n" in chunk else ""
            body = body.split("\n\n")[0]
            if body.startswith("  ") and len(body) < 900:
                out.append(body.rstrip("\n") + "\n")
    return out


def test_kept_walks_give_the_verdicts_of_a_walk_from_the_top(catalog):
    bodies = _bodies()
    assert len(bodies) > 40
    rng = random.Random(5)
    asked = 0
    for body in rng.sample(bodies, 40):
        checker = SchemaChecker(catalog)  # one per decoding, as the pipeline makes them
        for end in range(len(body) + 1):
            text = body[:end]
            for piece in rng.sample(PIECES, 4):
                for final in (False, True):
                    got = driver.refusal(checker, text + piece, final)
                    assert got == driver.refusal_from_top(checker, text + piece, final), (text + piece, final)
                    asked += 1
        assert checker._walks  # the walks were kept and reused
    assert asked > 10_000


def test_a_refused_line_stays_refused_for_every_longer_text(catalog):
    checker = SchemaChecker(catalog)
    bad = "  ansible.builtin.debug:\n    msg:hi\n"
    assert driver.refusal(checker, bad) is not None
    for extra in ("", "  when: x\n", "    var: y"):
        assert driver.refusal(checker, bad + extra) == driver.refusal_from_top(checker, bad + extra)
