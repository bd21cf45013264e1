"""Modules by what they manage, by short name (the last part of the FQCN). Defined once, here:
the step check (authoring/families.py) and handler inference (assemble/handlers.py) read them."""
from __future__ import annotations

PACKAGE_MODULES = frozenset({"package", "apt", "dnf", "dnf5", "yum", "zypper", "apk", "pacman", "snap", "pkgng"})
SERVICE_MODULES = frozenset({"service", "systemd", "systemd_service", "sysvinit"})
