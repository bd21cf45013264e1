"""Rules on the values of particular modules' options, where the module documents a form that
its spec's type (a plain string) does not say: a cron field, a firewalld port. The time of day a
request states is set by repair (grounding/repair.asked_time), not refused here: refusing the
model's `minute: "0"` for "at 02:30" led it to a dead end, and the answer cut there had no time at
all, so it ran every minute."""
from __future__ import annotations

import re

from codegen.grounding.schema.rules import rule

CRON = "ansible.builtin.cron"
CRON_FIELDS = ("minute", "hour", "day", "month", "weekday")
_CRON_VALUE = re.compile(r"[0-9*/,\-]+")
_CRON_NAMED = re.compile(r"[0-9A-Za-z*/,\-]+")  # month and weekday also take names (jan, mon-fri)
_PORT = re.compile(r"\d+(-\d+)?/(tcp|udp|sctp|dccp)")
_PORT_SO_FAR = re.compile(r"\d*(-\d*)?(/[a-z]*)?")


@rule
def cron_field_syntax(module: str, key: str, inner: str) -> bool:
    """A cron job's minute, hour, day, month and weekday are cron fields: digits, `*`, `/`, `,`
    and `-` (and names for month and weekday). Seen: `day: "02:30"` for "every day at 02:30"."""
    if module != CRON or key not in CRON_FIELDS or not inner:
        return False
    pattern = _CRON_NAMED if key in ("month", "weekday") else _CRON_VALUE
    return pattern.fullmatch(inner) is None


@rule
def firewalld_port_form(module: str, key: str, inner: str, complete: bool) -> bool:
    """firewalld's `port` is PORT/PROTOCOL or PORT-PORT/PROTOCOL (`8443/tcp`): a bare number fails
    when the task runs. Seen: `port: 8443` for "allow tcp port 8443 through firewalld"."""
    if module != "ansible.posix.firewalld" or key != "port" or not inner:
        return False
    return (_PORT if complete else _PORT_SO_FAR).fullmatch(inner) is None


def refusal(module: str | None, key: str, inner: str, complete: bool):
    """The rule refusing this value of this module's option, or None (templates are not judged)."""
    if not module or "{{" in inner or "{%" in inner:
        return None
    if cron_field_syntax(module, key, inner):  # a prefix of a field is a field: no partial form
        return cron_field_syntax
    if firewalld_port_form(module, key, inner, complete):
        return firewalld_port_form
    return None
