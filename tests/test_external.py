"""The external split: whole held-out projects, each case with its provenance, never trained on."""
from codegen.dataset import external
from codegen.dataset.sources import role_sources


def test_collection_project_cases_carry_provenance_and_context(catalog):
    project = next(p for p in external.PROJECTS if p.kind == "collection")
    cases = external.project_cases(project, catalog)
    assert 30 <= len(cases) <= external.MAX_CASES_PER_PROJECT
    for case in cases:
        assert case["project"] == project.name and case["source"]["licence"] == project.licence
        assert case["id"] == f"{project.name}:{case['path']}:{case['source']['line']}"
        assert case["request"] and case["completion"].startswith("  ")
        assert catalog.get(case["module"]) is not None
    # the context is the file above the task, as an editor would send it
    root = external.project_root(project, catalog)
    case = next(c for c in cases if c["source"]["line"] > 5)
    text = (root / case["path"]).read_text()
    assert text.startswith(case["context"]) and text[len(case["context"]):].startswith(f"- name: {case['request']}")
    # indent: the column of the task's dash in its file (inside a block, it is not 0)
    for case in cases:
        line = (root / case["path"]).read_text().splitlines()[case["source"]["line"] - 1]
        assert line[case["indent"]:].startswith("- ") and not line[:case["indent"]].strip()
    assert any(case["indent"] > 0 for case in cases)


def test_near_duplicates_collapse_by_shape():
    assert external.shape_of("- name: Start zabbix_agent\n  x: 1\n", "zabbix_agent") == \
        external.shape_of("- name: Start ROLE\n  x: 2\n", "")
    assert external.shape_of("- name: a\n  x: 1\n", "") != external.shape_of("- name: b\n  x: 1\n", "")


def test_held_out_projects_are_never_training_sources(catalog):
    held = {s.origin for s in role_sources(catalog)} & external.HELD_OUT
    assert not held
    assert "community.zabbix" in external.HELD_OUT
