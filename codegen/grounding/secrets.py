"""Keep secrets out of prompts and out of generated tasks.

Values that look like credentials (by their key, or by their shape: private keys, cloud access
keys, tokens) are replaced by a Jinja placeholder before the context reaches the model; the
found values are kept so that repair can scrub any of them from a generated task.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SECRET_KEY = re.compile(r"(pass(word|wd|phrase)?|secret|token|api_?key|private_?key|access_?key|credential|"
                        r"auth_?key|client_?secret|pwd)", re.I)
_KV = re.compile(r"^(?P<lead>\s*(?:-\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*[:=]\s*)(?P<value>.+?)\s*$")
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S)
_SHAPES = [
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),                 # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),        # GitHub tokens
    re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}\b"),       # Slack tokens
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"),  # JWT
]


def placeholder(key: str) -> str:
    return "{{ vault_" + re.sub(r"[^a-z0-9_]", "_", key.lower()) + " }}"


@dataclass
class Redaction:
    text: str
    secrets: dict[str, str] = field(default_factory=dict)  # secret value -> placeholder


def _plain_value(value: str) -> str:
    value = value.split(" #", 1)[0].strip()
    if value[:1] in "'\"" and value[-1:] == value[:1] and len(value) >= 2:
        value = value[1:-1]
    return value


def redact(text: str | None) -> Redaction:
    if not text:
        return Redaction(text or "")
    found: dict[str, str] = {}

    def pem(match):
        found[match.group(0)] = "<redacted private key>"
        return "<redacted private key>"

    text = _PEM.sub(pem, text)
    lines = []
    for line in text.split("\n"):
        m = _KV.match(line)
        if m and SECRET_KEY.search(m.group("key")):
            value = _plain_value(m.group("value"))
            if value and "{{" not in value and value not in ("|", ">", "true", "false", "yes", "no") \
                    and not value.startswith(("!vault", "<redacted")):
                holder = placeholder(m.group("key"))
                found[value] = holder
                line = f"{m.group('lead')}\"{holder}\""
        for shape in _SHAPES:
            for hit in {m.group(0) for m in shape.finditer(line)}:
                found[hit] = "{{ vault_secret }}"
                line = line.replace(hit, "{{ vault_secret }}")
        lines.append(line)
    return Redaction("\n".join(lines), found)
