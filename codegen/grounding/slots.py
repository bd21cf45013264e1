"""What the request says each option of a module is: values read from the request with the
module's own documentation (option names, aliases, descriptions, choices), for modules the model
never saw.

The adapter was trained on public modules only. Given a private module's option names it fills them
from its training (`cluster: sessions` from the module's example while the request says "the cache
cluster main"; `name: service account`; `state: absent` for "disable the job"). A person reads the
request against the documentation instead: "the queue emails" names the queue, "in region
eu-central" the region, "keep it 7 days" the retention in days, "remove ..." `state: absent`. This
module does that reading, once per request; decoding then writes those values (GroundedValues) and
`fill` sets any the answer left out or changed.

How a value is found, strongest first:
- "<X> named/called <value>", where X is a word of the option;
- "<cue> <value>": a cue is a word of the option's name or aliases ("region eu-central", "max length
  of 10000"), or, for an option that names the thing the module manages ("Name of the queue", or the
  module's own name words), that thing's noun ("the queue emails", "service account ci-runner");
- "<value> <cue>": "the orders database", "the platform team", "7 days" (a unit word of the option);
- a word of the option's description followed by a value that is clearly a value (a path, a
  version, `user:*`): "runs /opt/bin/reindex" for "Command the job runs.";
- a required option nothing else fills takes the first clearly-a-value word no option claimed.
Choices come from the words of the request ("closed", "started") or, for the state option, from its
verbs ("remove" -> absent); booleans from the option's word and what stands before it ("enable
versioning", "disable the job", "non-durable").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

STOP = frozenset("""a an the and or of to in on for with from by as at into onto is are be been it its this that
these those all any some every each my our your their his her new existing current so then also please now only
should must can will would which who whose where when what how there here""".split())
VERBS = frozenset("""create add remove delete set make ensure enable disable turn start stop restart run take put get
give keep install uninstall deploy register unregister deregister configure update change switch open close
flush clear drop purge send ship store rotate issue revoke grant allow deny schedule pause resume use""".split())
# Between a cue and its value ("max length of 10000", "a snapshot named pre-upgrade").
CONNECTORS = frozenset({"of", "to", "=", ":", "is", "named", "called"})
# Words that end the article phrase before "<value> <cue>" ("the orders database", "keep it 7 days").
BEFORE_OK = frozenset({"the", "a", "an", "of", "for", "it", "keep", "after", "in", "on", "from", "to", "with", "and"})
UNITS = frozenset({"day", "days", "hour", "hours", "minute", "minutes", "second", "seconds", "week", "weeks",
                   "gb", "mb", "tb", "kb", "percent", "ms", "users", "connections", "replicas", "retries"})
ABSENT_VERBS = frozenset({"remove", "delete", "drop", "destroy", "uninstall", "purge", "deregister", "unregister",
                          "decommission", "revoke", "retire", "stop", "get rid"})
PRESENT_VERBS = frozenset({"create", "add", "ensure", "register", "install", "deploy", "set", "define", "provision"})
NEGATING = frozenset({"disable", "disabled", "no", "not", "without", "stop", "pause", "suspend", "deactivate",
                      "off", "turn off", "never", "non"})
AFFIRMING = frozenset({"enable", "enabled", "activate", "resume", "unpause", "with", "on", "turn on", "make"})
ENABLE_NAMES = ("enabled", "enable", "active", "activated")
_CRON_FIELD = re.compile(r"^[\d*/,-]+$")
_VALUEISH = re.compile(r"[\d_./:*@/-]|[a-z][A-Z]")
_INT = re.compile(r"^\d+$")
_FLOAT = re.compile(r"^\d+(\.\d+)?$")
_EDGE = ",;!?()[]"


def stem(word: str) -> str:
    """A crude stem, enough to match 'running'/'runs', 'expire'/'expires', 'scheduler'/'scheduled'."""
    w = word.lower()
    for suffix in ("ing", "ed", "er", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[:-len(suffix)]
            break
    if len(w) >= 4 and w[-1] == w[-2]:
        w = w[:-1]
    if len(w) >= 4 and w.endswith("e"):
        w = w[:-1]
    return w


@dataclass
class Token:
    text: str  # as written (quotes and edge punctuation off)
    low: str
    stem: str
    quoted: bool = False

    @property
    def word(self) -> bool:  # a plain word the request uses as language, not as a value
        return not self.quoted and (self.low in STOP or self.low in VERBS)

    @property
    def valueish(self) -> bool:
        return self.quoted or bool(_VALUEISH.search(self.text))


def tokens(request: str) -> list[Token]:
    """The request's words; a quoted string and a five-field cron schedule are one token each."""
    out: list[Token] = []
    for match in re.finditer(r"'([^']+)'|\"([^\"]+)\"|(\S+)", request):
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        plain = match.group(3)
        if quoted is not None:
            out.append(Token(quoted, quoted.lower(), quoted.lower(), quoted=True))
            continue
        text = plain.strip(_EDGE)
        if text.endswith(".") and len(text) > 1:
            text = text[:-1]  # a sentence's full stop: no value the request gives ends in one
        if text:
            out.append(Token(text, text.lower(), stem(text)))
    merged: list[Token] = []
    i = 0
    while i < len(out):  # "0 1 * * *": one schedule
        run = out[i:i + 5]
        if len(run) == 5 and all(_CRON_FIELD.match(t.text) for t in run) and any("*" in t.text for t in run):
            text = " ".join(t.text for t in run)
            merged.append(Token(text, text, text, quoted=True))
            i += 5
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
    written: set[str]  # the own and noun words as written, and their plurals ("the platform team")

    @property
    def type(self) -> str:
        return self.spec.get("type", "str")


def _options(doc) -> list[Option]:
    module_words = {stem(w) for w in _words(doc.name)}
    out = []
    for name, spec in doc.options.items():
        own = {stem(w) for n in [name, *(spec.get("aliases") or [])] for w in _words(n)}
        sentence = _first_sentence(spec.get("description"))
        described = {stem(w) for w in _words(sentence)} - {"name", "whether", "which", "how", "many", "much"}
        names_it = name == "name" or re.match(r"(?i)^\s*name of\b|^\s*\w+( \w+)? name\.?\s*$", sentence)
        # the thing named: the description's noun ("Name of the application"), else the module's name words
        noun = (described or (module_words if name == "name" else set())) - own if names_it else set()
        own = own - {"name"} if names_it and name != "name" else own
        written = {w for n in [name, *(spec.get("aliases") or [])] for w in _words(n)}
        written |= {w for w in _words(sentence) if stem(w) in noun} if noun else set()
        out.append(Option(name, spec, own, noun, described, written | {w + "s" for w in written}))
    return out


def _cue(token: Token, cue: set[str]) -> bool:
    """Is the token a word of this cue: its stem, or a short form of one ("app" for application)?"""
    if token.quoted or token.low in STOP:
        return False
    if token.stem in cue:
        return True
    return len(token.stem) >= 3 and token.low not in VERBS and any(c.startswith(token.stem) for c in cue)


def _fits(option: Option, token: Token) -> bool:
    """May this token be the option's value, by its type?"""
    kind = option.type
    if kind == "int":
        return bool(_INT.match(token.text.replace(",", "")))
    if kind == "float":
        return bool(_FLOAT.match(token.text))
    if kind == "path":
        return "/" in token.text or token.text.startswith("~")
    if kind in ("bool", "dict", "raw", "jsonarg", "json"):
        return False
    return True


def _value(option: Option, token: Token):
    if option.type == "int":
        return int(token.text.replace(",", ""))
    if option.type == "float":
        return float(token.text)
    return token.text


def read(doc, request: str) -> dict:
    """option -> the value the request gives it (only options the request clearly speaks of)."""
    return _read(doc, request)[0]


def named_by_cue(doc, request: str) -> set[str]:
    """The options whose value the request gives beside one of their words ("the queue emails",
    "region eu-central"), not only as a value left over: evidence that it speaks of this module."""
    return _read(doc, request)[1]


def _read(doc, request: str) -> tuple[dict, set[str]]:
    toks = tokens(request)
    options = [o for o in _options(doc) if not o.spec.get("no_log")]  # a secret is never read off a request
    every_cue = set().union(*(o.own | o.noun for o in options)) | {stem(w) for w in _words(doc.name)} if options else set()

    def value_at(j: int, option: Option, weak: bool) -> Token | None:
        if not 0 <= j < len(toks):
            return None
        t = toks[j]
        if t.word or (t.stem in every_cue and not t.quoted) or not _fits(option, t):
            return None
        if weak and not t.valueish:
            return None
        return t

    found: list[tuple[float, int, str, object]] = []  # (strength, token index, option, value)
    for option in options:
        if option.type == "bool" or option.spec.get("choices"):
            continue
        for kind, cue, strength_after, strength_before in (("own", option.own, 3.0, 2.0),
                                                             ("noun", option.noun, 2.0, 1.5),
                                                             ("described", option.described - option.own - option.noun, 1.0, 0.0)):
            if not cue:
                continue
            i = 0
            while i < len(toks):
                if not _cue(toks[i], cue):
                    i += 1
                    continue
                end = i
                while end + 1 < len(toks) and _cue(toks[end + 1], cue):
                    end += 1  # a cue of several words: "max length", "cache cluster"
                weak = kind == "described"
                j = end + 1
                skipped = 0
                while j < len(toks) and toks[j].low in CONNECTORS and skipped < 2:
                    j, skipped = j + 1, skipped + 1
                named = any(toks[k].low in ("named", "called") for k in range(end + 1, j))
                if option.type == "list":
                    items = []
                    while (t := value_at(j, option, weak)) is not None:
                        items.append(t.text)
                        j += 1
                        if j < len(toks) and toks[j].low in ("and", "or") or toks[j - 1].text.endswith(","):
                            j += toks[j].low in ("and", "or") if j < len(toks) else 0
                            continue
                        break
                    if items:
                        found.append((strength_after, end + 1, option.name, items))
                elif (t := value_at(j, option, weak)) is not None:
                    found.append((strength_after + (1.0 if named else 0.0), j, option.name, _value(option, t)))
                if strength_before and i >= 1:
                    t = value_at(i - 1, option, weak=False)
                    unit = kind == "own" and toks[i].low in UNITS
                    as_written = toks[end].low in option.written or toks[end].stem not in cue  # "app" for application
                    if t is not None and (as_written or unit) and (unit or i == 1 or toks[i - 2].low in BEFORE_OK) \
                            and (kind != "own" or unit or option.type != "int" or _INT.match(t.text)):
                        found.append((strength_before + (0.5 if unit else 0.0), i - 1, option.name, _value(option, t)))
                i = end + 1
    found.sort(key=lambda f: (-f[0], f[1]))
    slots: dict = {}
    claimed: set[int] = set()
    for _, index, name, value in found:
        if name in slots or index in claimed:
            continue
        slots[name] = value
        claimed.add(index)
    by_cue = set(slots)
    for option in options:  # a required option nothing named takes the first clear value left
        if option.name in slots or not option.spec.get("required") or option.type in ("bool", "list") \
                or option.spec.get("choices"):
            continue
        for j, t in enumerate(toks):
            if j not in claimed and t.valueish and not t.word and _fits(option, t) \
                    and (option.type == "path" or not t.text.startswith(("/", "~/"))) \
                    and (option.type != "str" or not _FLOAT.match(t.text)):  # a bare number names nothing
                slots[option.name] = _value(option, t)
                claimed.add(j)
                break
    paths = [o for o in options if o.type == "path" and o.name not in slots]
    left = [j for j, t in enumerate(toks) if j not in claimed and t.text.startswith(("/", "~/"))]
    if len(paths) == 1 and len(left) == 1:  # "under /srv/apps": the one path for the one path option
        slots[paths[0].name] = toks[left[0]].text
    slots.update(_choices(options, toks, slots))
    slots.update(_booleans(options, toks))
    return slots, by_cue


def _choices(options: list[Option], toks: list[Token], slots: dict) -> dict:
    out = {}
    lows = [t.low for t in toks]
    for option in options:
        choices = [str(c) for c in option.spec.get("choices") or []]
        if not choices or option.name in slots or option.type not in ("str", "raw"):
            continue
        by_stem = {stem(c): c for c in choices}
        hits = [by_stem[t.stem] for t in toks if not t.quoted and t.stem in by_stem and t.low not in STOP]
        if len(set(hits)) == 1:
            out[option.name] = hits[0]
        elif not hits and option.name == "state":
            if "absent" in choices and (ABSENT_VERBS & set(lows) or "get rid" in " ".join(lows)):
                out[option.name] = "absent"
    return out


def _booleans(options: list[Option], toks: list[Token]) -> dict:
    out = {}
    bools = [o for o in options if o.type == "bool"]
    lows = [t.low for t in toks]
    for option in bools:
        for i, t in enumerate(toks):
            words = t.low.split("-")
            if t.quoted or not (t.stem in option.own or (len(words) == 2 and words[0] == "non"
                                                           and stem(words[1]) in option.own)):
                continue
            if t.low in ENABLE_NAMES and option.name in ENABLE_NAMES:
                continue  # the verb itself: below
            before = set(lows[max(0, i - 2):i])
            negated = words[0] == "non" or bool(before & NEGATING) or " ".join(lows[max(0, i - 2):i]) == "turn off"
            out[option.name] = not negated
            break
    switch = next((o for o in bools if o.name in ENABLE_NAMES and o.name not in out), None)
    if switch is not None:
        for i, low in enumerate(lows):
            target = toks[i + 1] if i + 1 < len(toks) else None
            names_other = target is not None and any(target.stem in o.own for o in bools if o is not switch)
            if names_other:
                continue
            if low in ("disable", "deactivate", "pause", "suspend") or lows[i:i + 2] == ["turn", "off"]:
                out[switch.name] = False
                break
            if low in ("enable", "activate", "resume", "unpause") or lows[i:i + 2] == ["turn", "on"]:
                out[switch.name] = True
                break
    return out


def same(written, value) -> bool:
    """Does the value written equal the slot's value (YAML's or the text's form)?"""
    if isinstance(value, bool):
        return str(written).strip().lower() in (("true", "yes", "on") if value else ("false", "no", "off"))
    if isinstance(value, list):
        return isinstance(written, list) and [str(w) for w in written] == [str(v) for v in value]
    return str(written).strip().strip("'\"").lower() == str(value).lower()


def fill(task_args: dict, doc, slots: dict, known: set[str]) -> list[str]:
    """Set in the module's arguments what the request says (added or corrected), and drop options the
    request did not ask for whose value is invented: a template reading nothing the context defines
    (the model never saw this module: `max_length: '{{ item.length }}'` with no loop). Returns notes."""
    from codegen.ansible_files.template_vars import reads

    notes = []
    for name, value in slots.items():
        key = next((k for k in task_args if doc.canonical_option(k) == name), None)
        if key is not None and same(task_args[key], value):
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
        if name in slots or spec.get("required") or not isinstance(task_args[key], str) or "{{" not in task_args[key]:
            continue
        if not reads({"x": task_args[key]}) <= known:
            notes.append(f"removed {key}: {task_args[key]!r} (not asked for; it reads nothing the context defines)")
            del task_args[key]
    return notes
