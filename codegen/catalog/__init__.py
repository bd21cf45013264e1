"""The module catalog: every installed module's documentation as a searchable argument-spec index."""
from codegen.catalog.store import Catalog, ModuleDoc, load_catalog

__all__ = ["Catalog", "ModuleDoc", "load_catalog"]
