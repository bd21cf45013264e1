"""The private-module choice on a cold request: told from the private modules' slice of the
documentation index when no private module can fit, with the same choices as the whole index."""
from pathlib import Path

import pytest

import codegen.grounding.candidates as candidates_module
from codegen.ansible_files.yaml_load import load
from codegen.grounding.candidates import Candidates

ROOT = Path(__file__).resolve().parents[1]


def _requests() -> list[str]:
    out = []
    for name in ("eval/private/requests.yml", "eval/private/dev/requests.yml"):
        out += [case["request"] for case in load((ROOT / name).read_text())]
    return out + ["install nginx", "start and enable the nginx service", "Set PHP Version"]


def test_the_slice_chooses_as_the_whole_index_does(catalog):
    requests = _requests()
    assert len(requests) > 100
    quick, whole = Candidates(catalog), Candidates(catalog)
    whole._slice = None  # no slice: every request scored on the whole index, as before
    chosen = 0
    for request in requests:
        a, b = quick.choose(request), whole.choose(request)
        assert (a and (a.module, a.score, a.examples)) == (b and (b.module, b.score, b.examples)), request
        chosen += a is not None
    assert chosen >= 5  # fitting requests were among them (the shipped example.infra's)


def test_a_request_no_private_module_fits_reads_no_whole_index(catalog, monkeypatch):
    Candidates(catalog).choose("install nginx")  # the slice cut and saved once (as the first request on a machine)

    def whole(_catalog):
        raise AssertionError("the whole documentation index was read")

    monkeypatch.setattr(candidates_module, "doc_index", whole)
    assert Candidates(catalog).choose("install nginx") is None
    assert Candidates(catalog).choose("start and enable the nginx service") is None
    with pytest.raises(AssertionError):  # a request that may fit still asks the whole index
        Candidates(catalog).choose("turn on the feature flag new_checkout for the shop service")
