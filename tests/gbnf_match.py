"""Does a GBNF grammar admit a text? A small recogniser for the grammars codegen/grounding/grammar.py
writes (one rule a line; literals, character classes, groups, |, *, +, ?, {m,n}), so the grammar's tests can
ask what it admits without an engine. The engine itself (llama.cpp) is asked in tests/test_engines.py.

Each element maps a start position to the set of positions where it can end (memoised), which
covers ambiguity and empty repeats; the grammars have no left recursion.
"""
from __future__ import annotations

import sys

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "[": "[", "]": "]", "-": "-", "^": "^", "/": "/"}


class Grammar:
    def __init__(self, text: str):
        self.rules = {}
        for line in text.splitlines():
            if " ::= " in line:
                name, body = line.split(" ::= ", 1)
                self.rules[name.strip()] = _Parser(body).parse()
        self.memo: dict = {}

    def admits(self, text: str, rule: str = "root") -> bool:
        self.memo, self.text = {}, text
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20000))
        try:
            return len(text) in self._ref(rule, 0)
        finally:
            sys.setrecursionlimit(limit)

    def _ref(self, name: str, pos: int) -> frozenset:
        key = (name, pos)
        if key not in self.memo:
            self.memo[key] = frozenset()  # no left recursion: a re-entry finds nothing
            self.memo[key] = self._match(self.rules[name], pos)
        return self.memo[key]

    def _match(self, node, pos: int) -> frozenset:
        kind = node[0]
        text = self.text
        if kind == "lit":
            return frozenset([pos + len(node[1])]) if text.startswith(node[1], pos) else frozenset()
        if kind == "cls":
            if pos >= len(text):
                return frozenset()
            char = text[pos]
            inside = any(lo <= char <= hi for lo, hi in node[2])
            return frozenset([pos + 1]) if inside != node[1] else frozenset()
        if kind == "ref":
            return self._ref(node[1], pos)
        if kind == "seq":
            ends = {pos}
            for part in node[1]:
                ends = {e for s in ends for e in self._match(part, s)}
                if not ends:
                    break
            return frozenset(ends)
        if kind == "alt":
            return frozenset(e for part in node[1] for e in self._match(part, pos))
        if kind == "rep":  # high is None when unbounded
            _, part, low, high = node
            if high is not None:  # counted: the ends after exactly n repeats, for n up to high
                level, reached = {pos}, {pos} if low == 0 else set()
                for count in range(1, high + 1):
                    level = {e for s in level for e in self._match(part, s)}
                    if not level:
                        break
                    if count >= low:
                        reached |= level
                return frozenset(reached)
            ends = {pos}
            for _ in range(low):
                ends = {e for s in ends for e in self._match(part, s)}
            reached, seen, frontier = set(ends), set(ends), set(ends)
            while frontier:
                new = {e for s in frontier for e in self._match(part, s)}
                frontier = new - seen
                seen |= new
                reached |= new
            return frozenset(reached)
        raise ValueError(kind)


class _Parser:
    def __init__(self, body: str):
        self.s, self.i = body, 0

    def parse(self):
        node = self._alt()
        self._space()
        if self.i != len(self.s):
            raise ValueError(f"unparsed: {self.s[self.i:]!r}")
        return node

    def _space(self):
        while self.i < len(self.s) and self.s[self.i] == " ":
            self.i += 1

    def _alt(self):
        parts = [self._seq()]
        while self.i < len(self.s) and self.s[self.i] == "|":
            self.i += 1
            parts.append(self._seq())
        return parts[0] if len(parts) == 1 else ("alt", parts)

    def _seq(self):
        items = []
        while True:
            self._space()
            if self.i >= len(self.s) or self.s[self.i] in "|)":
                return ("seq", items)
            items.append(self._postfix(self._atom()))

    def _postfix(self, node):
        if self.i < len(self.s) and self.s[self.i] in "*+?":
            op = self.s[self.i]
            self.i += 1
            return ("rep", node, 1 if op == "+" else 0, 1 if op == "?" else None)
        if self.i < len(self.s) and self.s[self.i] == "{":  # {m}, {m,}, {m,n}
            end = self.s.index("}", self.i)
            low, comma, high = self.s[self.i + 1:end].partition(",")
            self.i = end + 1
            return ("rep", node, int(low), (int(high) if high else None) if comma else int(low))
        return node

    def _char(self, quote: str) -> str:
        char = self.s[self.i]
        self.i += 1
        if char == "\\":
            esc = self.s[self.i]
            self.i += 1
            if esc == "x":
                value = chr(int(self.s[self.i:self.i + 2], 16))
                self.i += 2
                return value
            return _ESCAPES[esc]
        return char

    def _atom(self):
        char = self.s[self.i]
        if char == '"':
            self.i += 1
            out = []
            while self.s[self.i] != '"':
                out.append(self._char('"'))
            self.i += 1
            return ("lit", "".join(out))
        if char == "[":
            self.i += 1
            negate = self.s[self.i] == "^"
            self.i += negate
            ranges = []
            while self.s[self.i] != "]":
                lo = self._char("]")
                if self.s[self.i] == "-" and self.s[self.i + 1] != "]":
                    self.i += 1
                    ranges.append((lo, self._char("]")))
                else:
                    ranges.append((lo, lo))
            self.i += 1
            return ("cls", negate, ranges)
        if char == "(":
            self.i += 1
            node = self._alt()
            self._space()
            assert self.s[self.i] == ")", self.s[self.i:]
            self.i += 1
            return node
        start = self.i
        while self.i < len(self.s) and (self.s[self.i].isalnum() or self.s[self.i] in "-_"):
            self.i += 1
        if start == self.i:
            raise ValueError(f"unexpected {self.s[self.i:]!r}")
        return ("ref", self.s[start:self.i])


# Characters a sampled negated class draws from: the ones YAML and Jinja give a meaning to, and some plain.
_ALPHABET = "aZ9_ .-/'\"{}()[]:#|\\,=<>!~+*%&?@`\n"


class Sampler:
    """Random texts the grammar admits (for checking that everything admitted passes the local checks).
    Past `depth` nested rules an alternative without rule references is preferred, so texts stay short;
    a text over `budget` characters is abandoned (None)."""

    def __init__(self, grammar: Grammar, rng, depth: int = 6, budget: int = 3000):
        self.g, self.rng, self.depth, self.budget = grammar, rng, depth, budget
        # the height of each rule's shortest derivation, to steer deep samples home
        self.height = dict.fromkeys(grammar.rules, float("inf"))
        changed = True
        while changed:
            changed = False
            for name, node in grammar.rules.items():
                value = self._cost(node)
                if value < self.height[name]:
                    self.height[name], changed = value, True

    def _cost(self, node) -> float:
        kind = node[0]
        if kind == "ref":
            return self.height[node[1]] + 1
        if kind == "seq":
            return max((self._cost(n) for n in node[1]), default=0)
        if kind == "alt":
            return min(self._cost(n) for n in node[1])
        if kind == "rep":
            return 0 if node[2] == 0 else self._cost(node[1])
        return 0

    def sample(self, rule: str = "root") -> str | None:
        out: list[str] = []
        self.size = 0
        try:
            self._emit(("ref", rule), 0, out)
        except OverflowError:
            return None
        return "".join(out)

    def _emit(self, node, depth: int, out: list[str]) -> None:
        if depth > 200 or self.size > self.budget:
            raise OverflowError
        kind = node[0]
        if kind == "lit":
            out.append(node[1])
            self.size += len(node[1])
        elif kind == "cls":
            negate, ranges = node[1], node[2]
            if negate:
                chars = [c for c in _ALPHABET if not any(lo <= c <= hi for lo, hi in ranges)]
            else:
                chars = [chr(code) for lo, hi in ranges for code in range(ord(lo), min(ord(hi), ord(lo) + 40) + 1)]
            out.append(self.rng.choice(chars))
            self.size += 1
        elif kind == "ref":
            self._emit(self.g.rules[node[1]], depth + 1, out)
        elif kind == "seq":
            for part in node[1]:
                self._emit(part, depth, out)
        elif kind == "alt":
            options = node[1]
            if depth > self.depth:
                least = min(self._cost(o) for o in options)
                options = [o for o in options if self._cost(o) == least]
            self._emit(self.rng.choice(options), depth, out)
        elif kind == "rep":
            _, part, low, high = node
            most = min(high, 2) if high is not None else 2
            most = 1 if depth > self.depth else most
            least = low if depth <= self.depth else min(low, 1)
            most = max(most, least)
            for _ in range(self.rng.randint(least, most) if depth <= self.depth else least):
                self._emit(part, depth, out)

