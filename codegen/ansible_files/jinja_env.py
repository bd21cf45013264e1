"""The Jinja environment templates are parsed with, the way ansible parses them: validation
(validate/jinja_check.py) and the decoding constraint (grounding/schema) use this one, so a template
one accepts the other does not refuse."""
from __future__ import annotations

_ENV = None


def environment():
    """With the `do` statement and loop controls (break, continue), which a project can enable in
    ansible (DEFAULT_JINJA2_EXTENSIONS; ansible-core enables none by default): parsing with them
    avoids false alarms on a template that uses them."""
    global _ENV
    if _ENV is None:
        import jinja2  # imported on first use: most commands never parse a template

        _ENV = jinja2.Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    return _ENV
