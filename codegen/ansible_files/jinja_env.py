"""The Jinja environment templates are parsed with, the way ansible parses them: validation
(validate/jinja_check.py) and the decoding constraint (grounding/schema) use this one, so a template
one accepts the other does not refuse."""
from __future__ import annotations

_ENV = None


def environment():
    """ansible enables the `do` statement and loop controls; parsing with them avoids false alarms."""
    global _ENV
    if _ENV is None:
        import jinja2  # imported on first use: most commands never parse a template

        _ENV = jinja2.Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    return _ENV
