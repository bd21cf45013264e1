"""Keep secrets out of prompts, out of what is sent to a backend, and out of generated tasks.

`redact(context)` reads the file as YAML tokens (PyYAML's scanner: it keeps every value's place
in the text and reads flow mappings, quotes, block scalars and tags as YAML does) and replaces:
the value of a secret-named key (`db_password: x`, `{X-Api-Key: x}`, `url_password: >-` blocks),
any `!vault` value (so SafeLoader can still read the file), and secrets inside other values
(secret_strings: `password=x` free-form arguments, command lines, URL passwords, token shapes).
Private key blocks (PEM, OpenSSH, PGP) go first, as whole regions of lines. Text the scanner
cannot read (a file mid-edit, a Jinja template) is redacted line by line instead.
`redact_prompt(request)` does the same for the user's words. Each secret becomes a Jinja variable
(`{{ vault_db_password }}`, the same one for the same value), written so the YAML still parses;
the values found are kept so that repair can scrub any of them from an answer.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field

import yaml

from codegen.grounding.secret_strings import (SECRET_KEY, find_secrets, has_shapes, hints, secret_name, secret_value,
                                             snake)

__all__ = ["SECRET_KEY", "Redaction", "placeholder", "redact", "redact_prompt"]

_SCANNER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
_PRIVATE_KEY = re.compile(r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY[A-Z ]*|SSH2 ENCRYPTED PRIVATE KEY)-----")
_PRIVATE_KEY_END = re.compile(r"-----END [A-Z0-9 ]*-----")
_KV = re.compile(r"^(?P<lead>\s*(?:-\s+)?(?P<key>[\"']?[A-Za-z_][\w.-]*[\"']?)\s*[:=][ \t]*)(?P<value>.*?)\s*$")
_BLOCK_START = re.compile(r"^(!vault\s*)?[|>][-+0-9]*$")


def placeholder(key: str) -> str:
    return "{{ vault_" + (re.sub(r"[^a-z0-9_]", "_", snake(key)) or "secret") + " }}"


@dataclass
class Redaction:
    text: str
    secrets: dict[str, str] = field(default_factory=dict)  # secret value -> placeholder


class _Found:
    """The secrets of one request: each value gets one placeholder; two values never share one."""

    def __init__(self, known: dict[str, str] | None = None, shapes: bool = True):
        self.secrets = dict(known or {})
        self.used = set(self.secrets.values())
        self.shapes = shapes  # False: the whole text has no token of a known shape

    def holder(self, value: str, kind: str, keep: bool = True) -> str:
        if value in self.secrets:
            return self.secrets[value]
        base = placeholder(kind)
        holder, n = base, 2
        while holder in self.used:
            holder, n = base[:-3] + f"_{n} }}}}", n + 1
        if keep:
            self.secrets[value] = holder
            self.used.add(holder)
            # a line of a key or a block, a word of "Bearer <token>": each may be alone in an answer
            for part in re.split(r"\s+|\\n", value):
                if len(part) >= 8 and part != value and "-----" not in part:
                    self.secrets.setdefault(part, holder)
        return holder

    def in_string(self, text: str, words: bool | None = None) -> str:
        """`text` with the secrets inside it replaced, in place (`words`: see find_secrets)."""
        finds = find_secrets(text, self.shapes, words)
        return _apply(text, [(f.start, f.end, self.holder(f.value(text), f.kind)) for f in finds]) if finds else text


def _private_keys(text: str, found: _Found) -> str:
    """Replace each private key block, header to footer, by one placeholder (in a block scalar
    it stays a line of the block; alone after `key:` it is quoted)."""
    out, cursor = [], 0
    for match in _PRIVATE_KEY.finditer(text):
        if match.start() < cursor:
            continue
        end = _PRIVATE_KEY_END.search(text, match.end())
        stop = end.end() if end else len(text)  # a cut-off key: to the end of what was given
        line_start = text.rfind("\n", 0, match.start()) + 1
        holder = found.holder(text[match.start():stop], "private_key")
        lead = text[line_start:match.start()].rstrip()
        if lead.endswith((":", "-")):  # the value itself, not a line of a block scalar
            holder = f'"{holder}"'
        out += [text[cursor:match.start()], holder]
        cursor = stop
    return "".join(out) + text[cursor:] if out else text


def _plain_string(value: str) -> bool:
    """A plain scalar that YAML reads as a string (not true, 3, null, 1.5)."""
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"


def _whole(holder: str, raw: str) -> str:
    """A value replaced whole: the placeholder, quoted, keeping the line ends a block scalar had."""
    return f'"{holder}"' + "\n" * (len(raw) - len(raw.rstrip("\n")))


def _redact_yaml(text: str, found: _Found) -> str:
    """Raises yaml.YAMLError where the scanner cannot read the text."""
    edits = []  # (start, end, replacement)
    hinted = hints(text)
    key, expect_key, after_value, tag_at, vault, flow = "", False, False, None, False, 0
    for token in yaml.scan(text, Loader=_SCANNER):
        kind = type(token)
        if kind is yaml.KeyToken:
            expect_key, after_value = True, False
        elif kind is yaml.ValueToken:
            after_value = True
        elif kind is yaml.TagToken:
            tag_at, vault = token.start_mark.index, token.value == ("!", "vault")
        elif kind in (yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken):
            flow, after_value = flow + 1, False
        elif kind in (yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken):
            flow, after_value = flow - 1, False
        elif kind is yaml.ScalarToken:
            start, end = token.start_mark.index, token.end_mark.index
            raw, value = text[start:end], token.value
            if expect_key:  # a key is read for its name; a token in it (rare) is still replaced below
                key, expect_key = value, False
                after_value = False
            if vault:  # encrypted: not a secret, but SafeLoader refuses the tag and the whole file with it
                edits.append((tag_at, end, _whole(found.holder(value, key or "secret", keep=False), raw)))
            elif after_value and secret_name(key) and secret_value(value) \
                    and (token.style or _plain_string(value)):
                edits.append((start, end, _whole(found.holder(value, key), raw)))
            else:
                at = bisect_left(hinted, start)
                words = at < len(hinted) and hinted[at] < end
                new = found.in_string(value, words) if words or found.shapes else value
                if new != value:
                    edits.append((start, end, _rewritten(raw, value, new, token.style, flow, found)))
            after_value, tag_at, vault = False, None, False
        elif kind is not yaml.AnchorToken:  # a collection or an entry: the key's value is not a scalar
            after_value, tag_at, vault = False, None, False
    return _apply(text, edits)


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """The text with each (start, end) span replaced, in one pass (edits come in order)."""
    out, cursor = [], 0
    for start, end, replacement in edits:
        out += [text[cursor:start], replacement]
        cursor = end
    return "".join(out) + text[cursor:]


def _rewritten(raw: str, value: str, new: str, style: str | None, flow: int, found: _Found) -> str:
    """A scalar with secrets inside it: its own text with them replaced where YAML allows it (a
    block scalar, a plain scalar outside a flow collection: both hold the secret as written),
    else the new value double-quoted."""
    if style in ("|", ">") or (not style and not flow and not new.startswith(("{", "[", "*", "&", "!", "%", "@"))):
        swapped = found.in_string(raw)
        if not any(secret in swapped for secret in found.secrets if secret in value):
            return swapped
    return json.dumps(new, ensure_ascii=False)


def _redact_lines(text: str, found: _Found) -> str:
    """Line by line, for text the YAML scanner cannot read: `key: value` lines by their key, a
    secret or `!vault` block scalar with its indented lines, and secrets inside any other line."""
    out, skip_deeper = [], None
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip())
        if skip_deeper is not None:
            if not line.strip() or indent > skip_deeper:
                continue
            skip_deeper = None
        m = _KV.match(line)
        if m:
            name, value = m.group("key").strip("\"'"), m.group("value").split(" #", 1)[0].strip()
            block = _BLOCK_START.match(value)
            if block and (block.group(1) or secret_name(name)):
                out.append(m.group("lead") + f'"{found.holder(value, name, keep=False)}"')
                skip_deeper = indent
                continue
            plain = value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" else value
            if secret_name(name) and secret_value(plain) and (plain != value or _plain_string(plain)):
                out.append(m.group("lead") + f'"{found.holder(plain, name)}"')
                continue
        out.append(found.in_string(line))
    return "\n".join(out)


def redact(text: str | None, known: dict[str, str] | None = None) -> Redaction:
    """The context with its secrets replaced; `known`: secrets already found (the request's)."""
    if not text:
        return Redaction(text or "", dict(known or {}))
    # Callers cap the text first (pipeline.prepare: 1M characters). Every pass here is linear and
    # builds no objects: about 4 s for a hostile 2 MB value, 12 ms for a 300-line playbook.
    found = _Found(known, shapes=has_shapes(text))
    text = _private_keys(text, found)
    try:
        text = _redact_yaml(text, found)
    except yaml.YAMLError:
        text = _redact_lines(text, found)
    return Redaction(text, found.secrets)


def redact_prompt(request: str, known: dict[str, str] | None = None) -> Redaction:
    """The user's request with its secrets replaced (a key, a password, a URL with one...)."""
    found = _Found(known)
    return Redaction(found.in_string(_private_keys(request, found)), found.secrets)
