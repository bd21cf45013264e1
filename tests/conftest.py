"""Shared fixtures: the catalog (built once per machine, then cached) and a tiny random model."""
from __future__ import annotations

import pytest

from tests.tiny_model import make_tiny_model


@pytest.fixture(scope="session")
def catalog():
    from codegen.catalog import load_catalog

    return load_catalog(quiet=True)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return make_tiny_model(tmp_path_factory.mktemp("tiny-model"))
