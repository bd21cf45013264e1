"""A plain request -> the steps it asks for, split by code.

Split at list items, sentences, ';', ',', 'and', 'then' — but only where the next part starts a
new action (a verb, "make sure X is running", or an object after an elided verb: "create a
database and a user"). "Install htop and tmux" stays one step. Pronouns take the object of the
step before ("start it" -> "start nginx"). A request the code finds no concrete action in ("set
up a web server") is vague: the model outlines it (codegen/authoring/steps.py plan_steps), and
its habit steps ("local facts") are then dropped.
"""
from __future__ import annotations

import re

from codegen.authoring.families import SERVICE, families_for

VERBS = frozenset("""
install remove uninstall purge upgrade update start stop restart reload enable disable keep open allow deny close
block copy deploy upload write put place push template create add delete set configure change edit tune download
fetch unpack extract unarchive untar unzip clone checkout run execute schedule mount unmount reboot wait pull give
grant append replace insert link symlink generate register apply build compile harden secure ensure make bounce
rotate bind move rename archive backup chown chmod sync import export restore flush truncate kill
""".split())
# Verbs too vague to generate from on their own ("set up a web server"): the model outlines those.
VAGUE = frozenset({"set up", "setup", "provision", "prepare", "harden", "secure", "build", "make", "deploy",
                   "configure", "bootstrap"})
_FILLERS = re.compile(r"^(?:and\s+|then\s+|also\s+|finally\s+|after that,?\s+|afterwards,?\s+|next,?\s+|please\s+|"
                      r"lastly\s+|first,?\s+|,\s*)+", re.IGNORECASE)
_ENSURE = re.compile(r"^(?:make sure|ensure|check)(?:\s+that)?\s+(?P<what>.+?)\s+(?:(?:is|are|stays?|keeps?)\s+)?"
                     r"(?P<state>running|started|enabled|stopped|disabled|restarted|installed|present|absent|"
                     r"up|active|exists?)\b(?P<rest>.*)$", re.IGNORECASE)
_OBJECT_WORDS = re.compile(r"\b(user|users|database|databases|group|groups|directory|folder|key|keys|container|"
                           r"image|repository|repo|cron job|symlink|link|file)\b", re.IGNORECASE)
_PREPOSITION = re.compile(r"\s+(?:to|in|into|from|with|on|at|for|by|as|using|via|every|under|onto|so|that|"
                          r"and|then|if|when|owned|pointing|publishing|listening|running)\b.*$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+(?P<text>.+?)\s*$")
_INLINE_NUMBERS = re.compile(r"(?:^|\s)\d{1,2}[.)]\s+")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s*;\s*")
_CLAUSE = re.compile(r"(\s*,\s*(?:and\s+|then\s+)?|\s+and\s+then\s+|\s+then\s+|\s+and\s+|\s*&\s*)", re.IGNORECASE)
_HABIT = re.compile(r"\blocal facts?\b|\bfacts\.d\b|\bansible_local\b|\bsave \S+ (local )?facts\b", re.IGNORECASE)
_OBJECT_VERBS = frozenset({"install", "create", "add", "download", "fetch", "clone", "pull", "copy", "deploy",
                           "upload", "write", "put", "place", "unpack", "extract", "make", "build"})
MAX_STEPS = 12
MAX_REQUEST = 4000  # characters: a request is a sentence or a short list, not a file


def first_word(text: str) -> str:
    match = re.match(r"[A-Za-z]+", text)
    return match.group(0).lower() if match else ""


def _starts_action(text: str) -> bool:
    if _ENSURE.match(text):
        return True
    word = first_word(text)
    return word in VERBS and word not in ("make", "ensure") or text.lower().startswith("set up")


def object_of(step: str) -> str:
    """What a step acts on, for a later 'it': "Install nginx" -> nginx; "Create a user named deploy" -> deploy."""
    match = _ENSURE.match(step)
    text = match.group("what") if match else re.sub(r"^\S+\s+", "", step.strip())
    named = re.search(r"\b(?:named|called)\s+(\S+)", text)
    if named:
        return named.group(1).strip(",.")
    text = _PREPOSITION.sub("", text)
    text = re.sub(r"^(?:the|a|an|its|their|his|her)\s+", "", text.strip(), flags=re.IGNORECASE)
    return text.strip(" ,.")


_PRONOUN = re.compile(r"^(?P<verb>\w+(?:\s+and\s+\w+)?)\s+(?:it|them)\b|\b(?P<own>its|their)\b", re.IGNORECASE)
_ENSURE_PRONOUN = re.compile(r"^(?P<lead>(?:make sure|ensure)(?:\s+that)?)\s+(?:it|they)\b", re.IGNORECASE)


def _resolve(text: str, obj: str) -> tuple[str, bool]:
    """'start it' -> 'start nginx'; 'its config' -> 'the nginx config'; 'make sure it is running'.
    Only the object position is resolved: 'a link pointing to it' is left to the task context.
    (text, whether a pronoun was replaced)."""
    if not obj:
        return text, False
    new = _ENSURE_PRONOUN.sub(lambda m: f"{m.group('lead')} {obj}", text)
    new = _PRONOUN.sub(lambda m: f"the {obj}" if m.group("own") else f"{m.group('verb')} {obj}", new)
    return new, new != text


def _items(request: str) -> list[str]:
    """Numbered or bulleted list items, list lines or inline ('1. a 2. b'); else sentences."""
    lines = [line for line in request.splitlines() if line.strip()]
    listed = [m.group("text") for m in map(_LIST_ITEM.match, lines) if m]
    if len(listed) >= 2:
        return listed
    flat = " ".join(request.split())
    if re.match(r"^1[.)]\s", flat):
        return [p for p in _INLINE_NUMBERS.split(flat) if p.strip()]
    return [s for s in _SENTENCE.split(flat) if s.strip(" .")]


def _clauses(sentence: str) -> list[str]:
    """A sentence cut where a new action starts; other cuts stay in the part before."""
    pieces = _CLAUSE.split(sentence)
    parts: list[str] = [pieces[0]]
    verb_before = first_word(_FILLERS.sub("", pieces[0]))
    for separator, piece in zip(pieces[1::2], pieces[2::2]):
        stripped = _FILLERS.sub("", piece).strip()
        elided = (re.match(r"^(?:a|an|the)\s", stripped, re.IGNORECASE) and _OBJECT_WORDS.search(stripped)
                  and verb_before in ("create", "add", "remove", "delete") and _OBJECT_WORDS.search(parts[-1])
                  and _OBJECT_WORDS.search(stripped).group(1).lower() != _OBJECT_WORDS.search(parts[-1]).group(1).lower())
        if _starts_action(stripped) and _FILLERS.sub("", parts[-1]).strip().lower() in VERBS:
            parts[-1] += " and " + stripped  # "start and enable nginx": one action on one object
            verb_before = first_word(stripped)
        elif _starts_action(stripped):
            parts.append(stripped)
            verb_before = first_word(stripped)
        elif elided:  # "create a database called x and a user named y": the verb is said once
            parts.append(f"{verb_before} {stripped}")
        else:
            parts[-1] += separator + piece
    return parts


def tidy(text: str) -> str:
    text = " ".join(_FILLERS.sub("", text).split()).strip(" .,;")
    return text[:1].upper() + text[1:]


def _service_pair(a: str, b: str) -> str | None:
    """'Start nginx' + 'Enable nginx at boot' -> 'Start and enable nginx at boot': one service step."""
    fa, fb = families_for(a), families_for(b)
    if fa != SERVICE or fb != SERVICE or _ENSURE.match(a) or _ENSURE.match(b):
        return None
    va, vb = first_word(a), first_word(b)
    rest_a, rest_b = a.split(None, 1)[1:] or [""], b.split(None, 1)[1:] or [""]
    if object_of(a).lower() != object_of(b).lower() or va == vb:
        return None
    rest = rest_b[0] if len(rest_b[0]) >= len(rest_a[0]) else rest_a[0]
    return f"{va.capitalize()} and {vb} {rest}".strip()


def split_request(request: str) -> list[str]:
    """The steps a plain request asks for, in its order; [] for an empty request."""
    request = request[:MAX_REQUEST]
    steps: list[str] = []
    previous_object = ""
    for item in _items(request):
        for clause in _clauses(item.strip()):
            clause = tidy(clause)
            if not clause:
                continue
            if steps and not _starts_action(clause) and not re.search(r"[A-Za-z]{3}", clause):
                continue
            clause, resolved = _resolve(clause, previous_object)
            ensure = _ENSURE.match(clause)
            if ensure:  # "make sure it is running" -> "Ensure nginx is running"
                state = ensure.group("state")
                verb = "" if state.lower().startswith("exist") else "is "  # "Ensure /var/log/app exists"
                clause = f"Ensure {ensure.group('what')} {verb}{state}{ensure.group('rest')}"
            merged = _service_pair(steps[-1], clause) if steps else None
            if merged:
                steps[-1] = merged
            else:
                steps.append(tidy(clause))
            # 'it' is the last thing brought in (installed, created, downloaded, copied...), not a
            # setting ('set bind to x and restart it') nor a pronoun's own referent ('keep it running')
            if not resolved and (first_word(steps[-1]) in _OBJECT_VERBS or not previous_object):
                previous_object = object_of(steps[-1]) or previous_object
    return steps[:MAX_STEPS]


def vague(steps: list[str], request: str) -> bool:
    """Too vague for code: one step whose action no rule knows, or a vague verb ('set up a LAMP stack')."""
    if len(steps) != 1:
        return False
    step = steps[0]
    lowered = step.lower()
    if lowered.startswith(("set up", "setup")) or first_word(step) in VAGUE and not re.search(
            r"/|\.\w{1,5}\b|\b(file|template|config|configuration|unit|key|script)\b", lowered):
        return True
    return families_for(step, request) is None


def habit(step: str) -> bool:
    """A step the outline model learned from one project's habits, not from the request."""
    return bool(_HABIT.search(step))
