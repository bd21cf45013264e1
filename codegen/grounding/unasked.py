"""What a task may not add unless it was asked for: a `when:` or `tags:` nobody requested, and
variables nothing defines.

A small model trained on one large project's roles writes its habits into every answer
(`when: ansible_local.x.enabled | d()`, `tags: ['meta::facts']`, `name__var` variables); on a
plain request with no file around it, that is a condition or a name the user never gave. The
decoding refuses them there (schema checker `keywords_refused`, `variables`); where the file
above the task already uses conditions or tags, or the request asks for one, they stay open.
"""
from __future__ import annotations

import re

# Words with which people ask for a condition: "only if", "when it changed", "on Debian hosts",
# "unless", "in case". Operating-system names count: "install httpd on RedHat" means a `when:`.
_CONDITION = re.compile(
    r"\b(if|when|whenever|unless|only|except|in case|provided that|depending|whether|otherwise|"
    r"on (?:the )?(?:\w+ ){0,2}(?:hosts?|servers?|systems?|machines?|nodes?|boxes)|"
    r"debian|ubuntu|red ?hat|rhel|centos|fedora|rocky|almalinux|suse|alpine|arch linux|windows|freebsd)\b",
    re.IGNORECASE)
_TAGS = re.compile(r"\btag(s|ged)?\b", re.IGNORECASE)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WHEN_IN_FILE = re.compile(r"^\s*(-\s+)?when:", re.MULTILINE)
_TAGS_IN_FILE = re.compile(r"^\s*(-\s+)?tags:", re.MULTILINE)
_LISTEN_IN_FILE = re.compile(r"^\s*(-\s+)?listen:", re.MULTILINE)


def asks_condition(request: str) -> bool:
    return bool(_CONDITION.search(request))


def keywords_refused(request: str, file_tasks: str) -> set[str]:
    """The task keywords this request may not use: `when` unless asked or already used in the file,
    `tags` likewise; `listen` unless the file above is handlers that use it."""
    refused = set()
    if not asks_condition(request) and not _WHEN_IN_FILE.search(file_tasks):
        refused.add("when")
    if not _TAGS.search(request) and not _TAGS_IN_FILE.search(file_tasks):
        refused.add("tags")
    if not _LISTEN_IN_FILE.search(file_tasks):
        # `listen` is a handler's keyword: on a task, ansible-playbook refuses the whole file
        # ("'listen' is not a valid attribute for a Task"); a handlers file that uses it keeps it
        refused.add("listen")
    return refused


def request_variables(request: str) -> set[str]:
    """Names a request gives that a template may read ("set the timezone from tz_name" -> tz_name):
    with no file and no workspace around the task, these are the only variables it has. A name is
    written like one (snake_case) or inside `{{ }}`: the request's plain words ("site", "nginx")
    are not variables, or `{{ site.files }}` would pass for a name the user gave."""
    from codegen.grounding.schema.jinja import jinja_roots

    named = {name for name in _IDENTIFIER.findall(request) if "_" in name.strip("_")}
    return named | {name for name, _ in jinja_roots(request)}
