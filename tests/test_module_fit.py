"""Drift: a valid answer whose module shares no word with the request is asked once more without it."""
from codegen.grounding.module_fit import drifted_module
from codegen.model.generate import Generation
from codegen.pipeline import Pipeline

DRIFT = "  community.general.pacman_key:\n    id: 0123456789ABCDEF0123456789ABCDEF01234567\n    keyserver: keyserver.example.org\n"
OTHER_DRIFT = "  community.general.one_vm:\n    template_id: 1\n"
RIGHT = "  ansible.builtin.package_facts:\n    manager: auto\n"


def task(body):
    return "- name: Gather the package facts\n" + body


def test_a_module_sharing_no_word_with_the_request_is_drift(catalog):
    assert drifted_module("gather the package facts", task(DRIFT), catalog) == "community.general.pacman_key"
    assert drifted_module("gather the package facts", task(RIGHT), catalog) is None  # ansible.builtin: never
    assert drifted_module("allow traffic on port 8080 with ufw", "- name: x\n  community.general.ufw:\n    port: 8080\n",
                          catalog) is None  # the name says it
    assert drifted_module("set the timezone to Europe/Berlin", "- name: x\n  community.general.timezone:\n    name: UTC\n",
                          catalog) is None


class Drifting:
    """Writes the drifted module while the constraint allows it, then `then`."""

    def __init__(self, then):
        self.then, self.allowed = then, []

    def complete(self, prompt, constraint=None, cancelled=None):
        allowed = constraint.checker.modules.has_prefix("community.general.pacman_key")
        self.allowed.append(allowed)
        text = DRIFT if allowed else self.then
        return Generation(text=text, new_tokens=5, prompt_tokens=9, seconds=0.01, first_token_seconds=0.001, stopped="eos")


def test_drift_is_asked_again_without_the_module(catalog):
    backend = Drifting(RIGHT)
    result = Pipeline(backend, catalog, lint=False).run("gather the package facts")
    assert backend.allowed == [True, False]
    assert result.module == "ansible.builtin.package_facts" and result.valid
    assert any("community.general.pacman_key has nothing to do with the request" in p for p in result.problems)


def test_the_first_answer_stays_when_the_second_drifts_too(catalog):
    backend = Drifting(OTHER_DRIFT)
    result = Pipeline(backend, catalog, lint=False).run("gather the package facts")
    assert backend.allowed == [True, False]
    assert result.module == "community.general.pacman_key"


def test_without_repair_there_is_one_try(catalog):
    backend = Drifting(RIGHT)
    result = Pipeline(backend, catalog, lint=False, repair=False).run("gather the package facts")
    assert backend.allowed == [True] and result.module == "community.general.pacman_key"


class Inner:
    def choose(self, text, *args):
        return 7


def test_the_watch_judges_the_first_line_once_it_is_whole(catalog):
    from codegen.grounding.module_fit import DriftWatch

    watch = DriftWatch(Inner(), "gather the package facts", catalog)
    assert watch.choose("  community.general.pacman_", None) == 7 and watch.seen() is None
    watch.choose("  community.general.pacman_key:\n    id", None)
    assert watch.seen() == "community.general.pacman_key"
    used = DriftWatch(Inner(), "gather the package facts", catalog, around="  community.general.pacman_key:\n")
    used.choose("  community.general.pacman_key:\n", None)
    assert used.seen() is None  # the file already calls it


def test_after_a_drift_only_modules_sharing_rare_words_remain(catalog):
    from codegen.grounding.module_fit import unfitting_modules

    refused = unfitting_modules("run a podman container called db from postgres:16", catalog)
    assert "containers.podman.podman_container" not in refused
    assert "community.general.manageiq_provider" in refused and "community.general.pids" in refused
    assert not any(m.startswith("ansible.builtin.") for m in refused)
    assert len(catalog.names()) - len(refused) <= 30 + sum(m.startswith("ansible.builtin.") for m in catalog.names())


def test_after_a_drift_a_private_module_is_not_offered(catalog):
    from codegen.grounding.module_fit import unfitting_modules

    # the shipped example collection's module shares "app" with the request; it is private
    refused = unfitting_modules("create a self-signed certificate for app.example.com", catalog)
    assert "example.infra.app_release" in refused
