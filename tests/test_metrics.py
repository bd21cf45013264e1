"""Metrics on hand-made cases with known answers."""
import pytest

from codegen.evaluation.metrics import corpus_bleu, score

REF = "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n    state: present\n"


def test_identical_task_scores_full(catalog):
    assert score(REF, REF, catalog) == {"module_match": 1.0, "exact_match": 1.0, "ansible_aware": 1.0}


def test_short_module_name_counts_as_same_module(catalog):
    pred = "- name: Install nginx\n  package:\n    name: nginx\n    state: present\n"
    s = score(pred, REF, catalog)
    assert s["module_match"] == 1.0 and s["exact_match"] == 0.0 and s["ansible_aware"] == 1.0


def test_wrong_value_costs_the_value_share(catalog):
    pred = "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n    state: absent\n"
    # module 0.4 + keys 0.3 * F1(1.0) + values 0.3 * 1/2
    assert score(pred, REF, catalog)["ansible_aware"] == pytest.approx(0.85)


def test_wrong_module_and_missing_key(catalog):
    pred = "- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n"
    # module 0; keys P=1, R=1/2 -> F1 2/3; values 1/2
    assert score(pred, REF, catalog)["ansible_aware"] == pytest.approx(0.3 * 2 / 3 + 0.3 * 0.5, abs=1e-4)


def test_empty_prediction_scores_zero(catalog):
    assert score("", REF, catalog) == {"module_match": 0.0, "exact_match": 0.0, "ansible_aware": 0.0}


def test_bleu_is_100_for_identical_and_lower_otherwise():
    assert corpus_bleu([REF], [REF]) == pytest.approx(100.0)
    assert corpus_bleu([REF.replace("nginx", "apache2")], [REF]) < 100.0
