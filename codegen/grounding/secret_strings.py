"""Secrets inside one string (a YAML value, a line, the user's request), found without YAML.

Token shapes (cloud keys, GitHub/GitLab/Slack/Stripe/OpenAI/PyPI/npm tokens, JWTs, URL credentials)
come from detect-secrets' detectors; a URL's password also from urllib's own URL parser; the
field names Lightspeed's anonymizer counts as passwords (ansible-anonymizer) join ours. What
neither library reads is here: `name=value` pairs of free-form arguments and command lines
(split into shell words), `--password VALUE`, the MySQL clients' `-pVALUE`,
`sshpass -p VALUE`, and "password VALUE" in a sentence. Each find is a span of the string, so a
short password replaces only itself, never the same letters elsewhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from ansible_anonymizer.field_checks import is_allowed_password_field, is_password_field_name, is_path

# The words of a secret's name, matched as whole parts of a snake_case name (`db_password`,
# `api_key`, `X-Api-Key`), so `passno` and `keyring` are not secrets.
SECRET_KEY = re.compile(r"(pass(word|wd|phrase)?|secret|token|api_?key|private_?key|access_?key|credentials?|"
                        r"auth_?key|client_?secret|pwd|authorization)", re.I)
# A secret-looking name: the words of SECRET_KEY as whole parts of a snake_case name (so
# `db_password` and `api_key` count, but `passno` and `keyring` do not). `explain` flags these too.
SECRET_NAME = re.compile(r"(?:^|_)(?:" + SECRET_KEY.pattern + r")(?:$|_)", re.I)
_GLUED = re.compile(r"(password|passwd|secret|token|apikey)$")  # PGPASSWORD, MYSQL_ROOTPASSWORD
# A last word that makes the name a setting about a secret, not the secret (password_file, token_type)
_SETTING = frozenset("file path dir lock length len min max mode type name id expire expires age days policy "
                     "regex pattern url uri endpoint host port user username format algorithm size bits enabled "
                     "required env var header".split())
# Only a string with one of these is split into words (most values have none: it keeps redaction fast)
# (searched in lowercased text: a case-blind alternation is 4 times slower in `re`)
_HINT = re.compile(SECRET_KEY.pattern.replace("_?", r"[\s_-]?") + r"|mysql|mariadb|sshpass|://")
_MYSQL = frozenset({"mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mariadb",
                    "mariadb-dump", "mariadb-admin"})
_WORD = re.compile(r"""(?:[^\s'"]+|'[^']*'?|"(?:[^"\\]|\\.)*"?)+""")  # a shell word: plain, '...' or "..." parts
_CONNECTORS = frozenset({"is", "to", "as", "of", "=", ":"})
_ONE_TEMPLATE = re.compile(r"^\s*\{\{[^{}]*\}\}\s*$")  # "{{ db_password }}": a reference only
_ENV_REF = re.compile(r"^\$\{?[A-Za-z_]\w*\}?$")  # $HOME, ${TOKEN}: a reference, not a value
_NOT_SECRETS = frozenset({"always", "on_create"})  # user/password options' choices, not passwords


def snake(name: str) -> str:
    """`X-Api-Key` -> x_api_key, `apiKey` -> api_key."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()


@lru_cache(maxsize=1)
def _detectors():
    """detect-secrets' detectors of a token's shape, as (kind, pattern), and its URL-credentials
    detector. The entropy ones are left out (a checksum is not a secret), and so are the keyword
    ones (names are read here, per YAML key or argument). Imported on first use: detect-secrets
    brings `requests` (~0.1 s), which commands that never redact (explain, --help) need not pay."""
    from detect_secrets.plugins.artifactory import ArtifactoryDetector
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.basic_auth import BasicAuthDetector
    from detect_secrets.plugins.discord import DiscordBotTokenDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.mailchimp import MailchimpDetector
    from detect_secrets.plugins.npm import NpmDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.square_oauth import SquareOAuthDetector
    from detect_secrets.plugins.stripe import StripeDetector
    from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
    from detect_secrets.plugins.twilio import TwilioKeyDetector

    shapes = (AWSKeyDetector, ArtifactoryDetector, AzureStorageKeyDetector, DiscordBotTokenDetector,
              GitHubTokenDetector, GitLabTokenDetector, JwtTokenDetector, MailchimpDetector, NpmDetector,
              OpenAIDetector, PypiTokenDetector, SendGridDetector, SlackDetector, SquareOAuthDetector,
              StripeDetector, TelegramBotTokenDetector, TwilioKeyDetector)
    kinds = {d: re.sub(r"[^a-z0-9]+", "_", d.secret_type.lower()).strip("_") for d in shapes}  # github_token
    return [(kinds[d], pattern) for d in shapes for pattern in d.denylist], BasicAuthDetector()


@lru_cache(maxsize=4096)  # a file repeats its keys: name, state, src...
def secret_name(name: str) -> bool:
    """Does a key, argument or flag with this name hold a secret? (`X-Api-Key`, `--password`,
    `url_password`, `PGPASSWORD`; not `password_file`, `token_type` or sudo's `NOPASSWD`)."""
    if len(name) > 128:  # not a name (a hostile run of letters would cost every pattern a scan)
        return False
    norm = snake(name)
    if not norm or is_allowed_password_field(name.strip("-").rstrip(":")):
        return False
    if norm.rsplit("_", 1)[-1] in _SETTING:
        return False
    return bool(SECRET_NAME.search(norm) or _GLUED.search(norm) or is_password_field_name(norm) and "key_name" not in norm)


def is_template(value: str) -> bool:
    return "{{" in value or "{%" in value


def secret_value(value: str) -> bool:
    """Can this value of a secret-named field be the secret itself? Not a template, a `$VAR`, a
    path (private_key: ~/.ssh/id_rsa, the anonymizer's test), or a choice word."""
    value = value.strip()
    return bool(value) and not is_template(value) and not _ENV_REF.match(value) and not is_path(value) \
        and value not in _NOT_SECRETS


@dataclass(frozen=True)
class Find:
    start: int
    end: int
    kind: str  # what to call the placeholder variable: the field's name or the token's kind

    def value(self, text: str) -> str:
        return text[self.start:self.end]


def _words(text: str) -> list[tuple[str, int, int]]:
    """Shell words with their spans in `text`; a word quoted whole is read (and spanned) inside
    its quotes. One linear regex, not shlex: shlex reads a character at a time (a hostile 2 MB
    line took minutes)."""
    words = []
    for match in _WORD.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        if len(word) >= 2 and word[0] in "'\"" and word[-1] == word[0]:
            word, start, end = word[1:-1], start + 1, end - 1
        words.append((word, start, end))
    return words


def _looks_secret(word: str) -> bool:
    """A word after "password" in a sentence: a secret if it has a digit or a symbol ("hunter2",
    "S3cr3t!"), not a plain word ("password for bob")."""
    return len(word) >= 4 and not word.isalpha() and not is_template(word)


def _trim(word: str, start: int, end: int) -> tuple[int, int]:
    """A value's span without a sentence's or a flow mapping's trailing punctuation."""
    while end > start and word[end - start - 1] in ",;.}])":
        end -= 1
    return start, end


def _word_finds(text: str) -> list[Find]:
    finds: list[Find] = []
    words = _words(text)
    commands = {w.rsplit("/", 1)[-1] for w, _, _ in words}
    i = 0
    while i < len(words):
        word, start, end = words[i]
        name, eq, value = word.partition("=")
        if eq and value and secret_name(name):  # password=x, --password='x y', PGPASSWORD=x
            start = end - len(value)
            if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:  # quoted: taken whole
                value, start, end = value[1:-1], start + 1, end - 1
            else:
                start, end = _trim(value, start, end)
            if secret_value(text[start:end]):
                finds.append(Find(start, end, snake(name)))
        elif not eq and commands & _MYSQL and word.startswith("-p") and len(word) > 2 and word[2] != "-":
            finds.append(Find(start + 2, end, "mysql_password"))
        elif not eq and word == "-p" and "sshpass" in commands and i + 1 < len(words):
            nxt = words[i + 1]
            finds.append(Find(nxt[1], nxt[2], "ssh_password"))
            i += 1
        elif not eq and (secret_name(word) or i + 1 < len(words) and not secret_name(words[i + 1][0])
                         and secret_name(word + "_" + words[i + 1][0])):
            # --password VALUE, "password is VALUE", "api key: VALUE" (a name of two words)
            j = i + 1 if secret_name(word) else i + 2
            flag = word.startswith("-") or words[j - 1][0].endswith(":")
            while j < len(words) and words[j][0].lower() in _CONNECTORS:
                j += 1
            if j < len(words):
                nxt, s, e = words[j]
                s, e = _trim(nxt, s, e)
                candidate = text[s:e]
                quoted = 0 < s and e < len(text) and text[s - 1] in "'\"" and text[e] == text[s - 1]
                if secret_value(candidate) and not candidate.startswith("-") \
                        and (flag or quoted or _looks_secret(candidate)):
                    finds.append(Find(s, e, snake("_".join(w for w, _, _ in words[i:j]).rstrip(":"))))
                    i = j
        i += 1
    return finds


def _url_finds(text: str) -> list[Find]:
    """`scheme://user:PASS@host`: detect-secrets' pattern, and urllib for passwords it cannot read."""
    passwords = {p for p in _detectors()[1].analyze_string(text) if not is_template(p)}
    for word, _, _ in _words(text) if "://" in text and "@" in text else []:
        at = begin = word.find("://")
        while begin > 0 and (word[begin - 1].isalnum() or word[begin - 1] in "+.-"):
            begin -= 1  # back to the scheme's start: `url=postgres://...` is read from `postgres`
        try:
            password = urlsplit(word[begin:]).password if at > 0 else None
        except ValueError:
            continue
        if password and not is_template(password):
            passwords.add(password)
    return [Find(m.start() + 1, m.end() - 1, "url_password")
            for value in passwords for m in re.finditer(":" + re.escape(value) + "@", text)]


def _shape_finds(text: str) -> list[Find]:
    """Tokens of a known shape. detect-secrets' patterns match some context with the token (a
    quote or `=` before it, `aws...key = '...'` around it): the span is the token alone, i.e. the
    pattern's long group where it has one, else the whole match less such delimiters."""
    finds = []
    for kind, pattern in _detectors()[0]:
        for match in pattern.finditer(text):
            groups = [i for i in range(1, pattern.groups + 1) if len(match.group(i) or "") >= 16]
            start, end = match.span(max(groups, key=lambda i: len(match.group(i)))) if groups else match.span()
            while start < end and text[start] in ' \t=:"':
                start += 1
            while end > start and text[end - 1] in ' \t"\n':
                end -= 1
            if end - start >= 8:
                finds.append(Find(start, end, kind))
    return finds


def has_shapes(text: str) -> bool:
    """Is there a token of a known shape anywhere in `text`? (One pass over a whole file lets
    each of its values skip the shapes when there is none.)"""
    return bool(_shape_finds(text))


def hints(text: str) -> list[int]:
    """Where a word that may introduce a secret starts (a whole file searched once, not each value)."""
    lower = text.lower()
    if len(lower) != len(text):  # a letter whose lower case is longer ("İ"): positions would shift
        return [m.start() for m in re.finditer(_HINT.pattern, text, re.I)]
    return [m.start() for m in _HINT.finditer(lower)]


def find_secrets(text: str, shapes: bool = True, words: bool | None = None) -> list[Find]:
    """Every secret found in `text`, as non-overlapping spans (the longest wins). shapes=False:
    no token shapes to look for; words: whether `text` has a hint word (None: search it)."""
    finds = _shape_finds(text) if shapes else []
    if (_HINT.search(text.lower()) if words is None else words) and not _ONE_TEMPLATE.match(text):
        finds += _url_finds(text) + _word_finds(text)
    kept: list[Find] = []
    for find in sorted(finds, key=lambda f: (f.start, -(f.end - f.start))):
        if find.end > find.start and (not kept or find.start >= kept[-1].end):
            kept.append(find)
    return kept
