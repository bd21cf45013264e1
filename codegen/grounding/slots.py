"""What the request says each option of a module is: values read from the request with the
module's own documentation (option names, aliases, descriptions, choices), for modules the model
never saw.

The adapter was trained on public modules only. Given a private module's option names it fills them
from its training (`cluster: sessions` from the module's example while the request says "the cache
cluster main"; `name: service account`; `state: absent` for "disable the job"). A person reads the
request against the documentation instead: "the queue emails" names the queue, "in region
eu-central" the region, "keep it 7 days" the retention in days, "from 10.1.0.0/16" the source,
"billing's log level" the service, "remove ..." `state: absent`. This module does that reading,
once per request; decoding then writes those values (GroundedValues) and `fill` sets any the
answer left out or changed.

Each way of finding a value proposes (strength, option, value); the strongest proposals are taken
first, each option and each word of the request used once:
- "<cue> <value>": a cue is a word of the option's name or aliases ("region eu-central", "max length
  of 10000", "a snapshot named pre-upgrade"), or, for an option that names the thing the module
  manages ("Name of the queue", or the module's own name words), that thing's noun ("the queue
  emails"); "<value> <cue>": "the orders database", "billing's log level", "7 days";
- the shape of a value and the option's name: an address, a network, a host name, an e-mail, a
  URL, `host:port`, a path, a version, a cron schedule, a quoted sentence ("owner netops@x.example"
  for `owner_email`, "out of 10.42.8.0/22" for `subnet`);
- direction words for source and destination options ("from 10.1.0.0/16 to 10.2.0.0/16");
- "set ... to <value>" / "= <value>" for an option named `value`; "tcp 22" / "open 443" for a port;
- a word of the option's description followed by a value that is clearly one ("runs /opt/x");
- a required option nothing else fills takes, in turn, a possessive ("mkowalski's VPN"), the word
  before the module's noun ("the storefront cache"), the first clear value left, the word after "for".
Choices come from the words of the request or their usual synonyms ("closed", "block" -> deny,
"remove" -> absent or released); booleans from the option's word and what stands before it
("enable versioning", "without MFA", "don't wait", "non-durable").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

STOP = frozenset("""a an the and or of to in on for with from by as at into onto is are be been it its this that
these those all any some every each my our your their his her new existing current so then also please now only
should must can will would which who whose where when what how there here
them they we us me him you i out off up down over back away rid no not yes go goes
everything anything nothing something has have had during while""".split())
VERBS = frozenset("""create add remove delete set make ensure enable disable turn start stop restart run take put get
give keep install uninstall deploy register unregister deregister configure update change switch open close
flush clear drop purge send ship store rotate issue revoke grant allow deny schedule pause resume use bump
allocate deallocate reserve release grab block suspend point forward route file assign
enroll enrol kick bring pull roll book cancel lock unlock mark map unmap link unlink attach detach wipe retire
archive restore promote demote tag label flag approve reject pin unpin move migrate import export sync upload
download publish renew reset scale resize limit cap throttle silence mute unmute ack acknowledge page notify
provision deprovision decommission onboard offboard quarantine replay hook bin raise lower extend expire
whitelist allowlist ban unban repoint reroute redirect call""".split())
# Between a cue and its value ("max length of 10000", "a snapshot named pre-upgrade").
CONNECTORS = frozenset({"of", "to", "=", ":", "is", "named", "called", "titled", "it", "them", "up",  # "up to 5"
                        *"be become has must should".split()})  # "the version has to become 3.14.0"
MODAL = frozenset({"be", "become", "has", "must", "should"})  # after these only a clear value: not "should be notified"
# After an option's own word only: "owned by akhan", "listening on 6661" (after a word of its
# description, "messages on results-to-ice" names the place, not the option).
OWN_CONNECTORS = frozenset({"by", "on"})
CHOICE_PARTICLES = frozenset({"up", "down", "off", "out", "over", "back", "away", "yes", "no"})  # may be a choice
PARTICLES = frozenset({"back", "up", "down", "out"})  # "roll back X", "spin up X" ("switch off" is followed by its thing)
# Words that end the article phrase before "<value> <cue>" ("the orders database", "keep it 7 days").
BEFORE_OK = frozenset({"the", "a", "an", "of", "for", "it", "keep", "after", "in", "on", "from", "to", "with", "and",
                       "than"})
UNITS = frozenset({"day", "days", "hour", "hours", "minute", "minutes", "second", "seconds", "week", "weeks",
                   "gb", "mb", "tb", "kb", "percent", "ms", "users", "connections", "replicas", "retries"})
ABSENT_VERBS = frozenset({"remove", "delete", "drop", "destroy", "uninstall", "purge", "deregister", "unregister",
                          "decommission", "revoke", "retire", "stop", "deallocate", "release", "unassign",
                          "cancel", "scrap", "erase", "offboard", "deprovision"})
# The state an absent-verb asks for, whichever of these the option offers (first found).
REMOVED_STATES = ("absent", "removed", "released", "revoked", "deleted", "deallocated", "unassigned")
# Usual words for choice values (the choice itself and its stem match too).
CHOICE_SYNONYMS = {"deny": {"block", "reject", "refuse", "forbid"}, "allow": {"permit", "accept", "let"},
                   "released": {"deallocate", "free"}, "suspended": {"suspend"}, "warning": {"warnings"},
                   "wiped": {"wipe", "erase", "factory"}, "purged": {"bin", "empty"},
                   "frozen": {"freeze"}, "hidden": {"hide"}, "lifted": {"lift", "unban"}, "chosen": {"choose"}}
# "turn off X" / "switch on X": the choice that says so, where the option offers it.
OFF_CHOICES, ON_CHOICES = ("disabled", "off", "stopped", "inactive"), ("enabled", "on", "started", "active")
BE = frozenset({"be", "been"})  # "... should be deleted", "has been decommissioned" (not "are released nightly")
NEGATING = frozenset({"disable", "disabled", "no", "not", "without", "stop", "pause", "suspend", "deactivate",
                      "off", "never", "non", "don't", "dont", "doesn't", "skip"})
ENABLE_NAMES = ("enabled", "enable", "active", "activated")
# Direction words for options named for a source or a destination.
DIRECTIONS = {"src": {"from"}, "source": {"from"}, "dst": {"to", "into", "towards", "toward", "reach"},
              "dest": {"to", "into", "towards", "toward", "reach"},
              "destination": {"to", "into", "towards", "toward", "reach"}}
_CRON_FIELD = re.compile(r"^[\d*/,-]+$")
_DATE, _CLOCK = re.compile(r"^\d{4}-\d{2}-\d{2}$"), re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
_VALUEISH = re.compile(r"[\d_./:*@/-]|[a-z][A-Z]")
_INT = re.compile(r"^\d+$")
_FLOAT = re.compile(r"^\d+(\.\d+)?$")
_EDGE = ",;!?()[]"
# Shapes of values, and the words of option names that take them.
SHAPES = (
    ("datetime", re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?$"),
     {"start", "starts", "time", "date", "until", "expires", "expire", "expiry", "begin", "end", "when", "deadline"}),
    ("cron", re.compile(r"^(@\w+|[\d*/,-]+( [\d*/,-]+){4})$"), {"schedule", "cron", "when", "time", "timing"}),
    ("email", re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$"), {"email", "mail", "owner", "contact", "notify"}),
    ("phone", re.compile(r"^\+\d{7,15}$"), {"phone", "mobile", "sms", "tel", "telephone", "msisdn", "number"}),
    ("url", re.compile(r"^https?://\S+$"), {"url", "uri", "endpoint", "link", "webhook"}),
    ("cidr", re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$"), {"cidr", "subnet", "network", "networks", "prefix",
                                                             "range", "net", "cidrs", "subnets"}),
    ("ip", re.compile(r"^\d{1,3}(\.\d{1,3}){3}$"), {"address", "ip", "addr", "ipv4", "host", "server", "target",
                                                    "servers", "hosts"}),
    ("hostport", re.compile(r"^(?=[^:]*[a-z.])[a-z0-9][\w.-]*:\d{2,5}$", re.I), {"upstream", "backend", "target", "endpoint",
                                                                  "server", "host", "address"}),
    ("fqdn", re.compile(r"^(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+){2,}$", re.I),
     {"fqdn", "hostname", "host", "server", "domain", "target", "servers", "hosts", "record"}),
    ("path", re.compile(r"^(/|~/)\S*$"), {"path", "dir", "directory", "file", "dest", "src", "route", "prefix",
                                          "location", "paths", "files", "bundle"}),
    ("version", re.compile(r"^v?\d+(\.\d+)+$"), {"version", "release", "tag"}),
    ("sentence", re.compile(r"\s"), {"summary", "title", "message", "description", "comment", "text", "reason",
                                     "note", "subject", "msg"}),
)


SHAPE_WORDS = {name: option_words for name, _, option_words in SHAPES}
GENERIC_SHAPES = ("path", "version", "sentence")
# An option named for its unit (`bitrate_kbps`, `ttl_s`, `duration_min`) takes "<N> <unit>" or "<N><unit>".
UNIT_WORDS = {"s": ("s", "sec", "secs", "second", "seconds"), "sec": ("s", "sec", "secs", "second", "seconds"),
              "seconds": ("s", "sec", "secs", "second", "seconds"), "ms": ("ms", "millisecond", "milliseconds"),
              "min": ("min", "mins", "minute", "minutes"), "minutes": ("min", "mins", "minute", "minutes"),
              "h": ("h", "hr", "hrs", "hour", "hours"), "hours": ("h", "hr", "hrs", "hour", "hours"),
              "d": ("d", "day", "days"), "days": ("d", "day", "days"), "kbps": ("kbps", "kbit"), "mbps": ("mbps",),
              "gb": ("gb", "gib", "g"), "mb": ("mb", "mib", "m"), "tb": ("tb", "tib"), "pct": ("%", "percent"),
              "percent": ("%", "percent", "pct"), "multiplier": ("x",)}
SECONDS = {"s": 1, "sec": 1, "seconds": 1, "min": 60, "minutes": 60, "h": 3600, "hours": 3600, "d": 86400, "days": 86400}
NUMBER_WORDS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}  # shapes too common to say which module a request means


def stem(word: str) -> str:
    """A crude stem, enough to match 'running'/'runs', 'expire'/'expires', 'warnings'/'warning'."""
    w = word.lower()
    if w.endswith("ies") and len(w) > 5:  # "retries" / "retry", "policies" / "policy"
        w = w[:-3] + "y"
    for suffixes in (("ing", "ed", "er", "es", "s"), ("ing", "er")):  # "warnings", "servers", "runners"
        for suffix in suffixes:
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                w = w[:-len(suffix)]
                break
        else:
            break
    if len(w) >= 4 and w[-1] == w[-2]:
        w = w[:-1]
    if len(w) >= 4 and w.endswith("e"):
        w = w[:-1]
    return w


@dataclass
class Token:
    text: str  # as written (quotes, edge punctuation and a possessive 's off)
    low: str
    stem: str
    quoted: bool = False
    possessive: bool = False  # written "X's"
    comma: bool = False  # a comma (or ; : ...) ends it: what follows starts a new phrase
    label: bool = False  # written "reason:": what follows is its value
    letter: bool = False  # one capital letter inside the request ("zone B", "H and L"): a value, not "a"
    template: bool = False  # inside "{{ ... }}": the value of the option a cue names, never a leftover

    @property
    def joined(self) -> str:  # "on-call" as one word: "oncall"
        return stem(self.low.replace("-", "")) if "-" in self.low else self.stem

    @property
    def word(self) -> bool:  # a plain word the request uses as language, not as a value
        return not self.quoted and not self.letter and (self.low in STOP or self.low in VERBS)

    @property
    def valueish(self) -> bool:
        return self.quoted or self.letter or bool(_VALUEISH.search(self.text))

    @property
    def clear(self) -> bool:  # surely a value: "ch-sports-3", "BRS1", "F", "'uhd'"; not "re-warm" or a quoted sentence
        return self.letter or (self.quoted and " " not in self.text) or bool(re.search(r"[\d_./:@]", self.text))

    @property
    def shape(self) -> str | None:
        return next((name for name, pattern, _ in SHAPES if pattern.search(self.text)
                     and (name != "sentence" or self.quoted)), None)


def tokens(request: str) -> list[Token]:
    """The request's words; a quoted string and a five-field cron schedule are one token each."""
    out: list[Token] = []
    previous = ""  # the text before this match: does it end a sentence?
    for match in re.finditer(r"(\{\{.*?\}\})|(?<![\w])'([^']+)'|\"([^\"]+)\"|(\S+)", request):
        sentence_end, previous = previous.rstrip("'\")]").endswith((".", "!", "?")), match.group(0)
        if match.group(1):  # "{{ vault_key }}": one value, the option its cue names takes it whole
            text = match.group(1)
            out.append(Token(text, text.lower(), text.lower(), quoted=True, template=True))
            continue
        quoted = match.group(2) if match.group(2) is not None else match.group(3)
        plain = match.group(4)
        if quoted is not None:
            out.append(Token(quoted, quoted.lower(), quoted.lower(), quoted=True))
            continue
        text = plain.strip(_EDGE)
        if text in ("-", "\u2013", "\u2014") and out:  # "... in the skip - take it out": a new phrase
            out[-1].comma = True
            continue
        comma = plain.rstrip(")]").endswith((",", ";", ":", "\u2014")) or text.endswith(":")
        label = plain.endswith(":") and not text.rstrip(":").endswith(("'", '"'))
        if text.endswith((".", ":")) and len(text) > 1:
            text = text[:-1]  # a sentence's full stop or a colon: no value the request gives ends in one
        possessive = text.lower().endswith(("'s", "\u2019s")) and len(text) > 2
        if possessive:
            text = text[:-2]
        if re.search(r"[A-Za-z0-9=/~*]", text):  # an arrow or a lone sign is no value
            letter = len(text) == 1 and text.isupper() and text != "I" and bool(out) and not sentence_end
            out.append(Token(text, text.lower(), stem(text), possessive=possessive, comma=comma, letter=letter,
                             template="{{" in plain or "}}" in plain, label=label))
    merged: list[Token] = []
    i = 0
    while i < len(out):  # "0 1 * * *": one schedule; "2025-02-14 18:00": one time
        run = out[i:i + 5]
        if len(run) == 5 and all(_CRON_FIELD.match(t.text) for t in run) and any("*" in t.text for t in run):
            text = " ".join(t.text for t in run)
            merged.append(Token(text, text, text, quoted=True))
            i += 5
        elif len(run) >= 2 and _DATE.match(run[0].text) and _CLOCK.match(run[1].text):
            text = f"{run[0].text} {run[1].text}"
            merged.append(Token(text, text.lower(), text.lower(), quoted=True, comma=run[1].comma))
            i += 2
        else:
            merged.append(out[i])
            i += 1
    return merged


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower().replace("_", " ")) if w not in STOP]


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[a-z0-9)])\.\s", str(text or "") + " ", maxsplit=1)[0]


@dataclass
class Option:
    name: str
    spec: dict
    own: set[str]  # stems of the option's name and aliases
    noun: set[str]  # stems naming the thing the option names ("Name of the queue" -> queue)
    described: set[str]  # stems of its description's first sentence
    written: set[str]  # the own and noun words as written, their singular and plural ("the platform team")
    name_words: set[str]  # the words of its name and aliases as written (for shapes and directions)

    @property
    def type(self) -> str:
        return self.spec.get("type", "str")

    @property
    def required(self) -> bool:
        return bool(self.spec.get("required"))


def _options(doc) -> list[Option]:
    module_words = {stem(w) for w in _words(doc.name)}
    out = []
    for name, spec in doc.options.items():
        names = [name, *(spec.get("aliases") or [])]
        name_words = {w for n in names for w in _words(n)}
        own = {stem(w) for w in name_words}
        sentence = _first_sentence(spec.get("description"))
        described = {stem(w) for w in _words(sentence)} - {"name", "whether", "which", "how", "many", "much"}
        names_it = name == "name" or re.match(r"(?i)^\s*name of\b|^\s*\w+( \w+)? name\.?\s*$", sentence)
        # the thing named: the description's noun ("Name of the application"), else the module's name words
        noun = (described or (module_words if name == "name" else set())) - own if names_it else set()
        own = own - {"name"} if names_it and name != "name" else own
        written = set(name_words) | ({w for w in _words(sentence) if stem(w) in noun} if noun else set())
        written |= {w + "s" for w in written} | {w[:-1] for w in written if w.endswith("s")}
        out.append(Option(name, spec, own, noun, described, written, name_words))
    return out


def _cue(token: Token, cue: set[str]) -> bool:
    """Is the token a word of this cue: its stem, or a short form of one ("app" for application)?"""
    if token.quoted or token.low in STOP:
        return False
    if token.stem in cue or token.joined in cue:
        return True
    # a short form as written ("app" for application), not a stem's prefix ("coming" is no "comment")
    return len(token.low) >= 3 and any(c.startswith(token.low) and (token.low not in VERBS or len(c) - len(token.low) <= 2)
                                       for c in cue)


def _fits(option: Option, token: Token) -> bool:
    """May this token be the option's value, by its type (and an identifier's: no spaces)?"""
    kind = option.type if option.type != "list" else option.spec.get("elements", "str")
    if kind == "int":
        return bool(_INT.match(token.text.replace(",", "")))
    if kind == "float":
        return bool(_FLOAT.match(token.text))
    if kind == "path":
        return "/" in token.text or token.text.startswith("~")
    if kind in ("bool", "dict", "raw", "jsonarg", "json"):
        return False
    if " " in token.text and ({"id", "key"} & option.name_words or option.required and token.shape != "sentence"
                              and not _shape_fits(option, token)):
        return False  # "'checkout returning 502'" is no identifier
    return True


def _shape_words(option: Option) -> bool:
    """Is the option named for free text (`reason`, `comment`, `message`)?"""
    return bool(SHAPE_WORDS["sentence"] & option.name_words)


def _shape_fits(option: Option, token: Token) -> bool:
    shape = token.shape
    return shape is not None and bool(SHAPE_WORDS[shape] & option.name_words)


def _value(option: Option, token: Token):
    kind = option.type if option.type != "list" else option.spec.get("elements", "str")
    if kind == "int":
        return int(token.text.replace(",", ""))
    if kind == "float":
        return float(token.text)
    return token.text


class _Proposals:
    """(strength, token indices, option, value) proposals, taken strongest first; each says whether
    it is evidence that the request speaks of this module (a path in a path option is not: paths
    are in every other request)."""

    def __init__(self):
        self.items: list[tuple[float, tuple[int, ...], str, object, bool]] = []

    def add(self, strength: float, indices, option: Option, value, evidence: bool = True) -> None:
        self.items.append((strength, tuple(indices), option.name, value, evidence))

    def take(self, slots: dict, claimed: set[int]) -> set[str]:
        """Fill `slots`; the names filled by evidence."""
        evident = set()
        for _, indices, name, value, evidence in sorted(self.items, key=lambda p: (-p[0], p[1])):
            if name in slots or claimed & set(indices):
                continue
            slots[name] = value
            claimed.update(indices)
            if evidence:
                evident.add(name)
        return evident


def read(doc, request: str) -> dict:
    """option -> the value the request gives it (only options the request clearly speaks of)."""
    return _read(doc, request)[0]


def named_by_cue(doc, request: str) -> set[str]:
    """The options whose value the request gives beside one of their words or by its shape ("the
    queue emails", "region eu-central", "out of 10.42.8.0/22"), not only as a value left over:
    evidence that it speaks of this module."""
    return _read(doc, request)[1]


def _read(doc, request: str) -> tuple[dict, set[str]]:
    toks = tokens(request)
    options = _options(doc)  # a secret the request gives is its value too (the task gets `no_log: true`)
    module_words = {stem(w) for w in _words(doc.name)}
    every_cue = set().union(*(o.own | o.noun for o in options)) | module_words if options else set()
    choice_words = {str(c).lower() for o in options for c in o.spec.get("choices") or []}

    def value_at(j: int, option: Option, weak: bool = False) -> Token | None:
        if not 0 <= j < len(toks):
            return None
        t = toks[j]
        if t.word or (t.stem in every_cue and not t.quoted) or not _fits(option, t) or t.low in choice_words:
            return None
        if weak and not t.valueish:
            return None
        if not t.valueish and any(t.stem in o.described for o in options if o is not option):
            return None  # a word another option's description uses is no value
        return t

    def foreign(t: Token, option: Option) -> bool:
        """A value shaped for another option ("the address of old-03.x.internal" beside `fqdn`)."""
        return bool(t.shape) and not _shape_fits(option, t) and not (option.type == "path" and t.shape == "path") \
            and any(_shape_fits(o, t) for o in options if o is not option)

    namer = next((o for o in options if o.name == "name" or "name" in o.name_words), None)
    proposals = _Proposals()
    for option in options:
        if option.type == "bool" or option.spec.get("choices"):
            continue
        _by_cues(option, toks, value_at, foreign, proposals, names_other=namer is not None and namer is not option,
                 choice_words=choice_words)
        _by_shape(option, toks, proposals)
        _by_direction(option, toks, value_at, proposals)
        if option.type == "str":
            _compound(option, toks, value_at, proposals)
    _by_phrase(options, toks, value_at, proposals, namer)
    slots: dict = {}
    claimed: set[int] = set()
    by_cue = proposals.take(slots, claimed)
    _leftovers(options, toks, module_words, every_cue, choice_words, slots, claimed)
    by_cue |= {name for name, value in slots.items() if any(t.possessive and t.text == value for t in toks)}
    paths = [o for o in options if o.type == "path" and o.name not in slots]
    left = [j for j, t in enumerate(toks) if j not in claimed and t.text.startswith(("/", "~/"))]
    if len(paths) == 1 and len(left) == 1:  # "under /srv/apps": the one path for the one path option
        slots[paths[0].name] = toks[left[0]].text
    chosen = _choices(options, toks, slots)
    slots.update(chosen)
    by_cue |= set(chosen)  # a choice the request names ("to warn") speaks of the option too
    slots.update(_booleans(options, toks))
    return slots, by_cue


def _by_cues(option: Option, toks: list[Token], value_at, foreign, proposals: _Proposals,
             names_other: bool = False, choice_words: frozenset | set = frozenset()) -> None:
    """"<cue> <value>" and "<value> <cue>", for the option's own words, its noun, its description.
    names_other: another option holds the name ("named X" is its value, not this one's)."""
    for kind, cue, after, before in (("own", option.own, 3.0, 2.0), ("noun", option.noun, 2.0, 1.5),
                                     ("described", option.described - option.own - option.noun, 1.0, 0.0)):
        if not cue:
            continue
        weak = kind == "described"
        i = 0
        while i < len(toks):
            if not _cue(toks[i], cue):
                i += 1
                continue
            end = i
            while end + 1 < len(toks) and not toks[end].possessive and _cue(toks[end + 1], cue):
                end += 1  # a cue of several words: "max length", "cache cluster"
            j, skipped = end + 1, 0
            own_connectors = OWN_CONNECTORS if option.type in ("int", "float", "list") else {"by"}  # "alert on db-02": a place
            while j < len(toks) and (toks[j].low in CONNECTORS or kind == "own" and toks[j].low in own_connectors) \
                    and skipped < 3:
                j, skipped = j + 1, skipped + 1
            named = any(toks[k].low in ("named", "called", "titled") for k in range(end + 1, j))
            if any(toks[k].low in MODAL for k in range(end + 1, j)) and not (j < len(toks) and toks[j].clear):
                j = len(toks)
            label = kind == "own" and toks[end].label and j == end + 1
            if label and option.type == "str" and _shape_words(option) and j < len(toks):
                # "reason: quarter-end close": a text option's label takes the phrase up to the next comma
                k = j
                while k < len(toks) - 1 and not toks[k].comma:
                    k += 1
                proposals.add(3.5, list(range(j, k + 1)), option, " ".join(t.text for t in toks[j:k + 1]))
            if not label and (toks[end].comma or any(toks[k].comma for k in range(end + 1, j))):
                j = len(toks)  # "the legacy-flash profile, nothing uses it": no value across a comma
            if named and names_other:
                named, j = False, len(toks)  # "an origin named X": X is the name, not the origin
            if option.type == "list":
                items = _list_after(j, option, toks, value_at, weak)
                if items:
                    proposals.add(after, [k for k, _ in items], option, [t.text for _, t in items])
                at = _as_before(toks, i)  # "mlee and okoroma as reviewers": plain words are values there
                items = _list_before(at, option, toks, value_at, plain=at != i - 1) if before else []
                if items:
                    proposals.add(before, [k for k, _ in items], option, [t.text for _, t in items])
            else:
                t = value_at(j, option, weak) if not toks[end].possessive else None  # "app's X": X is not the app
                if t is not None and _other_unit(option, toks, j):
                    t = None  # "older than 3 days" for `older_than_h`: _by_unit converts it
                if t is not None:
                    # a plain word after the cue is often a noun before the real value ("app setting x.y")
                    plain_word = not t.valueish and not named
                    introduces = plain_word and j + 1 < len(toks) and toks[j + 1].valueish
                    strength = after + (1.0 if named else 0.0) - (0.75 if plain_word else 0.0) \
                        - (0.5 if introduces else 0.0) - (1.5 if foreign(t, option) else 0.0)
                    proposals.add(strength, [j], option, _value(option, t))
                    if introduces and (u := value_at(j + 1, option, weak)) is not None:
                        # "dock door D07": the value after the noun, just above the noun itself, and
                        # below a value before the cue ("the loyalty app setting points.x": loyalty)
                        proposals.add(after - 1.2 - (1.5 if foreign(u, option) else 0.0), [j + 1], option, _value(option, u))
                if before and i >= 1:
                    _before(option, toks, i, end, kind, before, value_at, proposals, choice_words)
                at = _as_before(toks, i)
                if toks[i - 1:i] and toks[i - 1].low in ("in", "into") or i >= 2 and toks[i - 2].low in ("in", "into"):
                    ends = end + 1 >= len(toks) or toks[end].comma or toks[end + 1].low in STOP
                    at = at if ends else i - 1  # 'put "TS-9120" in the note', not "emails in the vhost shop"
                if before and at != i - 1 and (t := value_at(at, option)) is not None:  # "10.0.0.1 as the gateway"
                    proposals.add(before + 0.5, [at], option, _value(option, t))
            i = end + 1


def _compound(option: Option, toks: list[Token], value_at, proposals: _Proposals) -> None:
    """A name built on the option's own word is its value: "checkout-pool" for `pool`, "web_vhost" for `vhost`."""
    for j, t in enumerate(toks):
        parts = re.split(r"[-_]", t.low)
        if len(parts) > 1 and any(stem(p) in option.own for p in parts if p) and value_at(j, option) is not None:
            proposals.add(2.3, [j], option, _value(option, t))


def _before(option, toks, i, end, kind, strength, value_at, proposals, choice_words=frozenset()) -> None:
    t = value_at(i - 1, option)
    if t is None:
        return
    if _INT.match(t.text) and _time_unit(toks[i].low) and not _time_unit(option.name.rsplit("_", 1)[-1].lower()):
        return  # "after 5 min" is a time, not `min_players: 5`
    unit = kind == "own" and toks[i].low in UNITS
    as_written = toks[end].low in option.written or toks[end].stem not in (option.own | option.noun)  # "app"
    # "the ps5 live channel": a choice of another option may stand before the value too
    opened = i == 1 or toks[i - 2].low in BEFORE_OK or t.possessive or toks[i - 2].low in choice_words
    if (as_written or unit) and (unit or opened) and (kind != "own" or unit or option.type != "int" or _INT.match(t.text)):
        plain = not (t.valueish or t.possessive or unit)
        if plain and kind == "noun":
            strength = 1.0  # "the message queue orders": a plain word before the noun is a modifier first
        bonus = (0.5 if unit else 0.0) + (0.5 if not plain else 0.0)
        proposals.add(strength + bonus, [i - 1], option, _value(option, t))


def _as_before(toks: list[Token], i: int) -> int:
    """Where a value before the cue at i ends, past an "as (the)" ("mlee and okoroma as reviewers")
    or an "in(to) the" ('put "TS-9120" in the note')."""
    j = i - 1
    if j >= 1 and toks[j].low in ("the", "a", "an") and toks[j - 1].low in ("as", "in", "into"):
        return j - 2
    return j - 1 if j >= 1 and toks[j].low == "as" else j


def _list_after(j, option, toks, value_at, weak) -> list[tuple[int, Token]]:
    items = []
    while (t := value_at(j, option, weak)) is not None:
        items.append((j, t))
        j += 1
        if j < len(toks) and toks[j].low in ("and", "or"):
            j += 1
            continue
        if not toks[j - 1].comma and not (j < len(toks) and value_at(j, option, weak) and toks[j].valueish
                                                           and toks[j].shape == t.shape and t.shape):
            break
    return items


def _list_before(j, option, toks, value_at, plain: bool = False) -> list[tuple[int, Token]]:
    items = []
    while (t := value_at(j, option)) is not None and (t.valueish or plain):
        items.insert(0, (j, t))
        j -= 1
        if j >= 0 and toks[j].low in ("and", "or"):
            j -= 1
        elif not (j >= 0 and toks[j].valueish) or plain:
            break
    return items


def _by_shape(option: Option, toks: list[Token], proposals: _Proposals) -> None:
    """A value whose shape the option's name asks for: `subnet` takes a network, `owner_email` an e-mail."""
    shaped = [(j, t) for j, t in enumerate(toks) if _shape_fits(option, t) and _fits(option, t)]
    if not shaped:
        return
    if option.type == "list":
        seen, items = set(), []
        for j, t in shaped:
            if t.low not in seen:
                seen.add(t.low)
                items.append((j, t))
        proposals.add(2.2, [j for j, _ in items], option, [_value(option, t) for _, t in items],
                      evidence=items[0][1].shape not in GENERIC_SHAPES)
        return
    for j, t in shaped:
        proposals.add(2.2, [j], option, _value(option, t), evidence=t.shape not in GENERIC_SHAPES)


def _by_direction(option: Option, toks: list[Token], value_at, proposals: _Proposals) -> None:
    """"from X" for a source option, "to X" / "into X" for a destination one."""
    words = set().union(*(DIRECTIONS.get(w, set()) for w in option.name_words))
    for j, t in enumerate(toks[:-1]):
        if t.low in words:
            value = value_at(j + 1, option, weak=True)
            if value is not None:
                proposals.add(2.6, [j + 1], option, _value(option, value))


def _by_phrase(options: list[Option], toks: list[Token], value_at, proposals: _Proposals, namer: Option | None) -> None:
    """Phrases for two common options: `value` ("set X to 5", "X = 5") and a port ("tcp 22", "open 443")."""
    lows = [t.low for t in toks]
    value = next((o for o in options if o.name in ("value", "val")), None)
    if value is not None:
        if "=" in lows:
            t = value_at(lows.index("=") + 1, value)
            if t is not None:
                proposals.add(3.5, [lows.index("=") + 1], value, _value(value, t))
        for j in range(len(lows) - 2):  # "a CNAME pointing to pages.corp.example"
            if stem(lows[j]) == "point" and lows[j + 1] in ("to", "at"):
                t = value_at(j + 2, value)
                if t is not None:
                    proposals.add(3.0, [j + 2], value, _value(value, t))
        if {"set", "change", "update", "bump"} & set(lows) and "to" in lows:
            j = len(lows) - 1 - lows[::-1].index("to") + 1
            t = value_at(j, value)
            if t is not None:
                proposals.add(1.6, [j], value, _value(value, t))
    if namer is not None:  # "... named X", "... called X": the option that holds the name
        for j, t in enumerate(toks[:-1]):
            if t.low in ("named", "called") and (value := value_at(j + 1, namer)) is not None:
                proposals.add(3.5, [j + 1], namer, _value(namer, value))
    _by_unit(options, toks, proposals)
    _by_range(options, toks, proposals)
    port = next((o for o in options if o.type == "int" and {"port"} & o.name_words), None)
    host = next((o for o in options if o.type == "str" and {"host", "hostname", "server", "address"} & o.name_words), None)
    if host is not None:  # the port beside that host: `remote_port` for `remote_host`, not `listen_port`
        ports = [o for o in options if o.type == "int" and "port" in o.name_words]
        port = next((o for o in ports if o.name_words & host.name_words), ports[0] if ports else None)
    if port is not None and host is not None:  # "to ice-gw.x.local:2575" with `remote_host` and `remote_port`
        for j, t in enumerate(toks):
            if t.shape == "hostport":
                name, number = t.text.rsplit(":", 1)
                # both halves come from one token: the port's claim is a position no token has
                proposals.add(2.8, [j], host, name)
                proposals.add(2.8, [-1 - j], port, int(number))
    if port is not None:
        for j, t in enumerate(toks[1:], 1):
            if _INT.match(t.text) and lows[j - 1] in ("tcp", "udp", "sctp", "open", "port"):
                proposals.add(2.5, [j], port, int(t.text))


RANGE_ENDS = (("min", "max"), ("low", "high"), ("lower", "upper"), ("minimum", "maximum"))


def _by_range(options: list[Option], toks: list[Token], proposals: _Proposals) -> None:
    """"between 2 and 60 servers" / "from 3.5 to 5.3" for a pair of options named for a range's ends
    (`min_servers` and `max_servers`, `low` and `high`)."""
    by_name = {o.name: o for o in options if o.type in ("int", "float")}
    pairs = []
    for name, option in by_name.items():
        parts = name.split("_")
        for k, part in enumerate(parts):
            high = dict(RANGE_ENDS).get(part)
            partner = "_".join(parts[:k] + [high] + parts[k + 1:]) if high else None
            if partner in by_name:
                pairs.append((option, by_name[partner]))
    lows = [t.low for t in toks]
    for j in range(len(toks) - 3):
        if (lows[j], lows[j + 2]) not in (("between", "and"), ("from", "to")):
            continue
        for first, second in pairs:
            a, b = toks[j + 1], toks[j + 3]
            if _fits(first, a) and _fits(second, b):
                proposals.add(3.2, [j + 1], first, _value(first, a))
                proposals.add(3.2, [j + 3], second, _value(second, b))
                break


def _by_unit(options: list[Option], toks: list[Token], proposals: _Proposals) -> None:
    """"900 kbps" or "18000kbps" for `bitrate_kbps`; with two options of one unit, the one whose
    other words stand just before ("keyframe every 4 seconds" for `keyframe_interval_s`)."""
    for option in options:
        last = option.name.rsplit("_", 1)[-1].lower()
        if option.type not in ("int", "float") or "_" not in option.name or last not in UNIT_WORDS:
            continue
        number_shape = _INT if option.type == "int" else _FLOAT
        others = option.own - {stem(last)}
        for j, t in enumerate(toks):
            glued = re.match(r"^(\d+(?:\.\d+)?)([a-z%]+)$", t.low)
            number, unit = (glued.group(1), glued.group(2)) if glued else (t.low, toks[j + 1].low if j + 1 < len(toks) else "")
            number = str(NUMBER_WORDS[number]) if number in NUMBER_WORDS else number
            if not number_shape.match(number):
                continue
            value = _value(option, Token(number, number, number)) if unit in UNIT_WORDS[last] \
                else _converted(int(number), unit, last) if _INT.match(number) else None
            if value is None:
                continue
            near = any(toks[k].stem in others for k in range(max(0, j - 4), j))
            indices = [j] if glued else [j, j + 1]
            exact = unit in UNIT_WORDS[last]  # "3 days" for `older_than_h` is 72, but weaker than "72 h"
            proposals.add((2.4 if exact else 2.0) + (0.5 if near else 0.0), indices, option, value)


def _time_unit(word: str) -> bool:
    return any(word in UNIT_WORDS[u] for u in SECONDS)


def _other_unit(option: Option, toks: list[Token], j: int) -> bool:
    """Is the number at j followed by a unit other than the one the option's name ends in?"""
    last = option.name.rsplit("_", 1)[-1].lower()
    if last not in UNIT_WORDS or j + 1 >= len(toks):
        return False
    unit = toks[j + 1].low
    return unit not in UNIT_WORDS[last] and any(unit in words for words in UNIT_WORDS.values())


def _converted(number: int, unit: str, want: str) -> int | None:
    """`number` `unit` ("3 days") in the time unit `want` ("h": 72), when both are time units and it is whole."""
    have = next((SECONDS[u] for u, words in UNIT_WORDS.items() if u in SECONDS and unit in words), None)
    if have is None or want not in SECONDS or (number * have) % SECONDS[want]:
        return None
    return number * have // SECONDS[want]


def _clause_start(toks: list[Token], j: int) -> bool:
    """Does token j start a clause (where an imperative verb stands)?"""
    return j == 0 or toks[j - 1].comma or toks[j - 1].low in ("and", "then", "please", "to", "also", "just")


def _leftovers(options, toks, module_words, cues: set[str], choice_words: set[str], slots: dict,
               claimed: set[int]) -> None:
    """A required option nothing named takes, in this order, a possessive, the object of a verb
    that starts a clause or the word before the module's noun when it is clearly a value, any
    clear value left, then such an object or word that is a plain word ("add mwong to", "the
    storefront cache"), the word after "for", or the request's first word."""
    order = [j for j, t in enumerate(toks) if t.possessive]
    near = [j + 1 + (toks[j + 1].low in PARTICLES and j + 2 < len(toks))  # "add mwong to", "roll back checkout"
            for j, t in enumerate(toks[:-1]) if t.low in VERBS and _clause_start(toks, j)]
    near += [j - 1 for j, t in enumerate(toks) if j >= 1 and t.stem in module_words
             and (j == 1 or toks[j - 2].low in BEFORE_OK)]
    order += [j for j in near if toks[j].clear]  # "the ingest key for ch-sports-3": the value, not "ingest"
    order += [j for j, t in enumerate(toks) if t.clear]
    order += near
    order += [j for j, t in enumerate(toks) if t.valueish]
    order += [j + 1 for j, t in enumerate(toks[:-1]) if t.low == "for"]
    order += [0] if toks and toks[0].low not in VERBS else []  # "tsmith left, remove them from ..."

    def free(j: int, option: Option) -> bool:
        t = toks[j]
        return j not in claimed and not t.word and not t.template and _fits(option, t) and t.low not in choice_words \
            and (t.quoted or t.stem not in cues) \
            and (option.type == "path" or not t.text.startswith(("/", "~/"))) \
            and (option.type != "str" or not _FLOAT.match(t.text))  # a bare number names nothing

    for option in options:
        if option.name in slots or not option.required or option.type in ("bool", "list") \
                or option.spec.get("choices") or option.spec.get("no_log"):  # a secret only beside its word
            continue
        for j in order:
            if free(j, option):
                slots[option.name] = _value(option, toks[j])
                claimed.add(j)
                break


def _choices(options: list[Option], toks: list[Token], slots: dict) -> dict:
    out = {}
    lows = [t.low for t in toks]
    for option in options:
        choices = [str(c) for c in option.spec.get("choices") or []]
        if choices and option.name not in slots and option.type == "int":  # "a 300 dpi one": a number beside its cue
            hits = [int(t.text) for j, t in enumerate(toks) if t.text in choices
                    and any(0 <= k < len(toks) and _cue(toks[k], option.own) for k in (j - 1, j + 1))]
            if len(set(hits)) == 1:
                out[option.name] = hits[0]
            continue
        if not choices or option.name in slots or option.type not in ("str", "raw", "list"):
            continue
        by_word = {stem(c): c for c in choices}
        periodic = {stem(c[:-2]): c for c in choices if c.endswith("ly") and len(c) > 5}  # "every month": monthly
        for choice in choices:
            by_word.update({w: choice for w in CHOICE_SYNONYMS.get(choice, ())})
        hits = [by_word.get(t.stem, by_word.get(t.low)) for t in toks
                if not t.quoted and (t.low not in STOP or t.letter or t.low in CHOICE_PARTICLES and t.low in choices)
                and (t.stem in by_word or t.low in by_word)]
        hits += [periodic[t.stem] for j, t in enumerate(toks)  # not "the last 48 hours"
                 if t.stem in periodic and j and toks[j - 1].low in ("every", "each", "per", "a")]
        if option.type == "list":  # "widevine and fairplay", "cancelled and abandoned pick lists"
            if hits:
                out[option.name] = list(dict.fromkeys(hits))
        elif len(set(hits)) == 1:
            out[option.name] = hits[0]
        elif not hits and option.name == "state":
            state = _state_by_verb(choices, toks, lows)
            if state:
                out[option.name] = state
    return out


def _state_by_verb(choices: list[str], toks: list[Token], lows: list[str]) -> str | None:
    """The state a verb asks for: a removed one for "remove ...", "... should be deleted", "take it
    out of ...", "get rid of ..."; an off or on one for "turn off" / "switch on"."""
    said = {t.low for j, t in enumerate(toks) if _clause_start(toks, j)  # verbs, not nouns ("the release directory")
            and (t.low != "stop" or j + 1 < len(toks) and toks[j + 1].low.endswith("ing"))}  # "stop sending", not "stop the sync"
    passive = {toks[j].stem for j in range(1, len(toks)) if lows[j - 1] in BE}
    taken_out = any(low == "take" and _clause_start(toks, j) and {"out", "off"} & set(lows[j + 1:j + 7])
                    or low == "pull" and _clause_start(toks, j) and "from" in lows[j + 1:j + 5]  # "pull X from the lineup"
                    for j, low in enumerate(lows))
    removed = next((s for s in REMOVED_STATES if s in choices), None)
    if removed and (ABSENT_VERBS & said or {stem(v) for v in ABSENT_VERBS} & passive or taken_out
                    or "get rid" in " ".join(lows)):
        return removed
    for word, states in (("off", OFF_CHOICES), ("on", ON_CHOICES)):  # "turn off X", "turn lecture capture on"
        if any(lows[j] in ("turn", "switch") and _clause_start(toks, j) and any(
                lows[k] == word and (k == j + 1 or k + 1 == len(lows) or toks[k].comma or lows[k + 1] in STOP)  # not "on host-2"
                for k in range(j + 1, min(j + 5, len(lows)))) for j in range(len(lows) - 1)):
            return next((s for s in states if s in choices), None)
    return None


def _booleans(options: list[Option], toks: list[Token]) -> dict:
    out = {}
    bools = [o for o in options if o.type == "bool"]
    lows = [t.low for t in toks]
    for option in bools:
        for i, t in enumerate(toks):
            words = t.low.split("-")
            if t.quoted or not (t.stem in option.own or t.joined in option.own or (len(words) == 2 and words[0] == "non"
                                                           and stem(words[1]) in option.own)):
                continue
            if t.low in ENABLE_NAMES and option.name in ENABLE_NAMES:
                continue  # the verb itself: below
            before = lows[max(0, i - 3):i]  # "don't email an invite"
            negated = words[0] == "non" or bool(set(before) & NEGATING) or before == ["turn", "off"] \
                or " ".join(before[-2:]) == "do not"
            out[option.name] = not negated
            break
    switch = next((o for o in bools if o.name in ENABLE_NAMES and o.name not in out), None)
    if switch is not None:
        for i, low in enumerate(lows):
            target = toks[i + 1] if i + 1 < len(toks) else None
            names_other = target is not None and any(target.stem in o.own for o in bools if o is not switch)
            if names_other:
                continue
            if low in ("disable", "deactivate", "pause", "suspend") or lows[i:i + 2] in (["turn", "off"], ["switch", "off"]):
                out[switch.name] = False
                break
            if low in ("enable", "activate", "resume", "unpause") or lows[i:i + 2] in (["turn", "on"], ["switch", "on"]):
                out[switch.name] = True
                break
    return out


def same(written, value) -> bool:
    """Does the value written equal the slot's value (YAML's or the text's form)?"""
    if isinstance(value, bool):
        return str(written).strip().lower() in (("true", "yes", "on") if value else ("false", "no", "off"))
    if isinstance(value, list):
        return isinstance(written, list) and [str(w) for w in written] == [str(v) for v in value]
    return str(written).strip().strip("'\"") == str(value)  # as the request writes it, case and all


def _invented(value, request: str, slots: dict, kind: str = "str") -> bool:
    """Is a value (or every item of a list) not the request's for this option: a word the request
    never says, or says otherwise spelled (`id_file: h`, `owners: [akha]`, `title: j.park@ashgrovE...`),
    a function word (`build_id: during`), a value the request gives another option (`path_prefix:
    old-archive` beside `name: old-archive`, `hours: 5` beside `max_devices: 5`) or a phrase around
    one (`reason: zt0098 should be allowed`), or a structure a plain option cannot hold?"""
    items = value if isinstance(value, list) else [value]
    if any(isinstance(v, (dict, list)) for v in items):
        return kind not in ("dict", "list", "raw", "json", "jsonarg")  # `title: [{name: ..., url: ...}]`
    if not items or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in items):
        return False
    if any(isinstance(v, str) and "{{" in v for v in items):
        return False  # a template: judged by what it reads (below)
    given = {str(v) for slot in slots.values() for v in (slot if isinstance(slot, list) else [slot])}
    given_low, grammar = {g.lower() for g in given}, STOP | VERBS
    said = {t.text for t in tokens(request)} | {str(n) for w, n in NUMBER_WORDS.items() if w in request.lower().split()}

    def invented(item) -> bool:
        text = str(item).strip()
        if text.lower() in given_low or text.lower() in grammar:
            return True
        if " " in text and any(g in text for g in given if len(g) > 2):
            return True
        if isinstance(item, int) and item in converted:
            return False  # "2 hours" as `duration_min: 120`
        return text not in said and not _run_of_words(text, request)

    numbers = [int(t) for t in said if _INT.match(t)]
    converted = {n * f for n in numbers for f in (60, 24, 3600, 1440, 86400, 1000)} | \
                {n // f for n in numbers for f in (60, 24, 3600, 1000) if n % f == 0}
    return all(invented(v) for v in items)


def _run_of_words(value: str, request: str) -> bool:
    """Is `value` a run of whole words of the request, spelled as the request spells it?"""
    return bool(value) and re.search(r"(?<![\w.-])" + re.escape(value) + r"(?![\w-]|\.\w)", request) is not None


def fill(task_args: dict, doc, slots: dict, known: set[str], request: str = "") -> list[str]:
    """Set in the module's arguments what the request says (added or corrected), and drop options the
    request did not ask for whose value is invented: a template reading nothing the context defines
    (the model never saw this module: `max_length: '{{ item.length }}'` with no loop), a value the
    request never gives or gives another option. Returns notes."""
    from codegen.ansible_files.template_vars import reads

    notes = []
    for name, value in slots.items():
        key = next((k for k in task_args if doc.canonical_option(k) == name), None)
        if key is not None and same(task_args[key], value):
            if isinstance(value, (bool, int, float)) and isinstance(task_args[key], str):
                task_args[key] = value  # 'no' or "12" quoted is a string: written as YAML's boolean or number
                notes.append(f"{name}: {value!r} written as a {'boolean' if isinstance(value, bool) else 'number'}, "
                             "not a string")
            continue
        if key is not None:
            notes.append(f"{name}: {value!r} instead of {task_args[key]!r} (the request says so)")
            task_args[key] = value
        else:
            notes.append(f"added {name}: {value!r} (the request says so)")
            task_args[name] = value
    for key in list(task_args):
        name = doc.canonical_option(key)
        spec = doc.options.get(name or "", {})
        value = task_args[key]
        if name in slots or spec.get("required"):
            continue
        if isinstance(value, str) and "{{" in value and (not reads({"x": value}) <= known or not reads({"x": value})):
            notes.append(f"removed {key}: {value!r} (not asked for; it reads nothing the context defines)")
            del task_args[key]
        elif request and not spec.get("choices") and not same(value, spec.get("default")) \
                and _invented(value, request, slots, spec.get("type", "str")):
            notes.append(f"removed {key}: {value!r} (not asked for; the request does not give it)")
            del task_args[key]
        elif (spec.get("choices") or spec.get("type") == "bool") and "default" in spec \
                and not (isinstance(value, str) and "{{" in value) and not same(value, spec["default"]):
            # a choice or switch the request does not speak of keeps the module's default
            # (`state: absent` on "take a snapshot"): the model cannot know this module's habits
            notes.append(f"removed {key}: {value!r} (not asked for; the module's default is {spec['default']!r})")
            del task_args[key]
    return notes
