"""GBNF rules for the values of a task: YAML scalars whose templates are Jinja that parses, and
conditions that are Jinja expressions (codegen/grounding/grammar.py uses them).

Measured on llama.cpp (issue 19), the grammar's failures were all here: brackets closed in the
wrong order inside a `when:`, a condition ending in a dangling `and`, a `>-` given as a list item.
The local check (codegen/validate/jinja_check.py) parses every string holding `{{` as a template
and every condition as an expression, and YAML must read the text first; so a value is one of:
- a plain scalar (no leading indicator, no `: `, no `#`, `{{ ... }}` templates inside);
- a double-quoted scalar (no YAML escapes but a few simple ones; Jinja strings inside single-quoted);
- a single-quoted scalar (Jinja strings inside double-quoted);
- a flow sequence of quoted or simple words; a block scalar (`|`, `>`) of template-safe lines;
- a free-form command: quotes balanced on each line, no backslashes (ansible splits it into words
  and refuses an open quote or a stray escape: found by the fuzz test).
Templates are `{{ expr }}` with the spaces ansible-lint's jinja[spacing] wants; `{%` and `{#` are
not offered. An expression is Jinja's grammar without operator precedence (which only decides
meaning, not whether it parses): operands joined by operators, `not` only where Jinja takes it,
brackets and quotes balanced by construction. Strings inside take the quote the surrounding YAML
leaves free, so the YAML around them never ends early.
"""
from __future__ import annotations

from codegen.grounding.schema.text import MAX_BLOCK_LINES

# mode -> (whitespace inside an expression, the Jinja string forms, whether the text is a YAML plain
# scalar: there `: ` and `#` would end or cut the value, so strings and dict/slice colons avoid them)
#   c: a condition written as a plain scalar (may fold onto indented lines);
#   p: a template inside a plain scalar; d: inside "..."; s: inside '...'; b: inside a block scalar
#   (a template there may go on over lines indented 6 or more); f: a condition as a block scalar.
_PLAIN_SQ = r"""("'" ([^'\n\\:#] | ":"+ [^ '\n\\:#])* ":"* "'")"""
_PLAIN_DQ = r"""("\"" ([^"\n\\:#] | ":"+ [^ "\n\\:#])* ":"* "\"")"""
MODES = {
    "c": (r'" "+ | "\n      "', f"{_PLAIN_SQ} | {_PLAIN_DQ}", True),
    "p": ('" "+', f"{_PLAIN_SQ} | {_PLAIN_DQ}", True),
    "d": ('" "+', r"""("'" [^'"\n\\]* "'")""", False),
    "s": ('" "+', r'''("\"" [^"'\n\\]* "\"")''', False),
    "b": (r'" "+ | "\n      " " "*', r"""("'" [^'\n\\]* "'") | ("\"" [^"\n\\]* "\"")""", False),
    "f": (r'" "+ | "\n    " " "*', r"""("'" [^'\n\\]* "'") | ("\"" [^"\n\\]* "\"")""", False),
}
OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "**", "/", "//", "%", "~")


def expression_rules(mode: str) -> list[str]:
    """The rules `j<mode>-expr` (any expression) and, for conditions, `jc-top` (one a plain scalar may
    start with: not a quote, bracket or brace, which YAML would read as its own syntax)."""
    ws, strings, plain = MODES[mode]
    j = f"j{mode}"
    colon = '":"' if plain else f'{j}-w? ":" {j}-w?'  # `: ` would end a plain scalar's key
    ops = " | ".join(f'"{op}"' for op in OPERATORS)
    seq = f'{j}-expr ({j}-w? "," {j}-w? {j}-expr)* ","?'
    rules = [
        f"{j}-w ::= {ws}",
        f"{j}-str ::= {strings}",
        # `x is test` without brackets takes the next name as its argument (`if`, `not`...): so it
        # ends an operand, and no `if` follows it (found by the fuzz test). Left-factored: an engine
        # follows every reading of a prefix at once, and two readings per nesting level cost it 2^depth.
        f'{j}-expr ::= {j}-not0 ({j}-ended ({j}-w ("and" | "or") {j}-w {j}-expr)?'
        f' | {j}-w ("and" | "or") {j}-w {j}-expr | {j}-w "if" {j}-w {j}-or ({j}-w "else" {j}-w {j}-expr)?)?',
        f'{j}-ended ::= {j}-w "is" {j}-w ("not" {j}-w)? ident',
        f'{j}-or ::= {j}-not ({j}-w ("and" | "or") {j}-w {j}-not)*',
        f'{j}-not ::= {j}-not0 {j}-ended?',
        f'{j}-not0 ::= ("not" {j}-w)* {j}-un {j}-op*',
        f'{j}-op ::= {j}-w? ({ops}) {j}-w? {j}-un | {j}-w ("not" {j}-w)? "in" {j}-w {j}-un'
        f' | {j}-w "is" {j}-w ("not" {j}-w)? ident {j}-args',
        f'{j}-un ::= "-"? {j}-atom {j}-tail',
        # after a filter Jinja takes more filters, tests and calls, not `.x` or `[x]` (found by the fuzz test)
        f'{j}-tail ::= {j}-tr* ({j}-w? "|" {j}-w? ident {j}-args?)*',
        f'{j}-tr ::= "." ident | "." [0-9]+ | "[" {j}-w? {j}-sub {j}-w? "]" | {j}-args',
        f"{j}-sub ::= {j}-expr ({colon} {j}-expr?)? | {colon} {j}-expr?",
        f'{j}-args ::= "(" {j}-w? ({j}-arg ({j}-w? "," {j}-w? {j}-arg)*)? {j}-w? ")"',
        f'{j}-arg ::= (ident {j}-w? "=" {j}-w?)? {j}-expr',
        f'{j}-group ::= "(" {j}-w? ({seq})? {j}-w? ")"',
        f'{j}-atom ::= ident | num | {j}-str | {j}-group | "[" {j}-w? ({seq})? {j}-w? "]"'
        f' | "{{" {j}-w? ({j}-pair ({j}-w? "," {j}-w? {j}-pair)*)? {j}-w? "}}"',
        f"{j}-pair ::= {j}-expr {colon} {j}-expr",
    ]
    if mode == "c":
        # the same chain, its first operand restricted to a name, number or parenthesis
        rules += [
            'jc-top ::= jc-not0-h (jc-ended (jc-w ("and" | "or") jc-w jc-expr)?'
            ' | jc-w ("and" | "or") jc-w jc-expr | jc-w "if" jc-w jc-or (jc-w "else" jc-w jc-expr)?)?',
            'jc-not0-h ::= ("not" jc-w)* (ident | num | jc-group) jc-tail jc-op*',
        ]
    return rules


# A small model that repeats itself ("- cert.pem" thirty times, a template per line) runs out of its
# 200-token budget and leaves no task (measured on llama.cpp, issue 19). GBNF counts repeats
# ({m,n}), so lists and mappings end after this many entries (block scalars after MAX_BLOCK_LINES,
# the local decoder's bound): more than real tasks write within the token budget, few enough that
# the task can still end within it.
MAX_ENTRIES = 12

VALUE_RULES = r"""
ident ::= [A-Za-z_] [A-Za-z0-9_]*
num ::= [0-9]+ ("." [0-9]+)?
tp ::= "{{ " jp-expr " }}"
td ::= "{{ " jd-expr " }}"
ts ::= "{{ " js-expr " }}"
tb ::= "{{ " jb-expr " }}"
plain ::= [A-Za-z0-9_./~$(+^\\<] p-rest* | "-" [A-Za-z0-9_./~$(] p-rest*
p-rest ::= [^\n#:{] | ":"+ [^ \n#:{] | "{" [^{%#\n:] | tp
dq ::= "\"" ([^"\\\n{] | "\\" [nt"\\/ ] | "{" [^{%#"\n\\] | td)* "\""
sq ::= "'" ([^'\n{] | "''" | "{" [^{%#'\n] | ts)* "'"
fitem ::= dq | sq | [A-Za-z0-9_./] [A-Za-z0-9_./-]*
fpair ::= (key | dq | sq) ": " fitem
fseq ::= "[" " "? (fitem ("," " "? fitem)* " "?)? "]"
fmap ::= "{" " "? (fpair ("," " "? fpair)* " "?)? "}"
text ::= plain | dq | sq
scalar ::= text | fseq | fmap
btext ::= ([^\n{] | "{" [^{%#\n] | tb)+
btext1 ::= ([^ \n{] | "{" [^{%#\n] | tb) ([^\n{] | "{" [^{%#\n] | tb)*
tmpl ::= "\"{{ " jd-expr " }}\"" | "'{{ " js-expr " }}'"
cond ::= jc-top | "\"" jd-expr "\"" | "'" js-expr "'"
cond-block ::= [>|] "-"? "\n    " jf-expr "\n"
key ::= [A-Za-z_] [A-Za-z0-9_.-]*
cmd-q ::= "'" ([^'\n#:{\\] | ts)* "'" | "\"" ([^"\n#:{\\] | td)* "\""
cmdline ::= [A-Za-z_./$(+^<] ([^\n#:{'"\\] | ":"+ [^ \n#:{'"\\] | tp | cmd-q)*
cmd-bq ::= "'" ([^'\n{\\] | ts)* "'" | "\"" ([^"\n{\\] | td)* "\""
cmd-text ::= ([^ \n{'"\\] | "{" [^{%#\n'"\\] | tb | cmd-bq) ([^\n{'"\\] | "{" [^{%#\n'"\\] | tb | cmd-bq)* "\n"
"""


NEST_DEPTH = 5  # nested levels under a key (2 spaces each); deeper structure is not offered


def nested_rules(indent: int) -> list[str]:
    """`blk<indent>`: a block mapping or sequence at this indent, its own children indented 2 more,
    so YAML reads one structure (the fuzz test found free indentation reading as no YAML at all);
    `seq<n>`/`map<n>` alone and `bs<n>` (a block scalar whose lines are indented n) too."""
    rules = []
    last = indent + 2 * NEST_DEPTH
    for n in range(indent, last + 1, 2):
        sp, inner = literal_spaces(n), n + 2
        value = r'" " scalar "\n" | "\n"'
        if inner <= last:
            value += rf' | "\n" blk{inner} | "\n" seq{n}'
        if inner <= 6:  # a template in a block scalar may go on over lines indented 6 or more
            value += f' | " " bs{inner}'
        rules += [
            # the first line sets a block scalar's indent: it starts with text, not spaces
            f"bs{n} ::= [|>] [-+]? \"\\n\" {sp} btext1 \"\\n\" ({sp} btext \"\\n\"){{0,{MAX_BLOCK_LINES - 1}}}",
            f"kv{n} ::= key \":\" ({value})",
            f"map{n} ::= ({sp} kv{n}){{1,{MAX_ENTRIES}}}",
            f'seq{n} ::= ({sp} "- " (scalar "\\n"' + (f" | kv{inner} ({literal_spaces(inner)} kv{inner}){{0,{MAX_ENTRIES - 1}}}" if inner <= last else "") + f")){{1,{MAX_ENTRIES}}}",
            f"blk{n} ::= map{n} | seq{n}",
        ]
    return rules


# Words YAML 1.1 reads as a boolean or null, not as a string (`register: true` registers nothing).
YAML_WORDS = ("y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
              "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL")
_NAME_FIRST = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["_"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
_NAME_NEXT = _NAME_FIRST + [str(d) for d in range(10)]


def _class(chars: list[str]) -> str:
    return "[" + "".join(chars) + "]"


def name_rules(words=YAML_WORDS) -> list[str]:
    """`name`: an identifier that is not one of `words`: the complement of a word list, spelled out
    over its trie (each node: end here unless the node is a word; leave the trie by a character no
    word continues with; or follow a word's next character)."""
    trie: dict[str, set[str]] = {"": set()}
    for word in words:
        for i in range(len(word)):
            trie.setdefault(word[:i], set()).add(word[i])
            trie.setdefault(word[:i + 1], set())
    rules, ids = [], {}

    def rule(prefix: str) -> str:
        if prefix not in ids:
            ids[prefix] = f"name-{len(ids)}"
            nexts = trie[prefix]
            allowed = _NAME_FIRST if prefix == "" else _NAME_NEXT
            alts = [] if prefix == "" or prefix in words else ['""']
            leave = [c for c in allowed if c not in nexts]
            alts.append(f"{_class(leave)} name-rest")
            alts += [f'"{c}" {rule(prefix + c)}' for c in sorted(nexts)]
            rules.append(f"{ids[prefix]} ::= " + " | ".join(alts))
        return ids[prefix]

    rules.append(f"name ::= {rule('')}")
    rules.append(f"name-rest ::= {_class(_NAME_NEXT)}*")
    return rules


def literal_spaces(n: int) -> str:
    return '"' + " " * n + '"'


def value_rules() -> str:
    """Every rule above, as GBNF text."""
    lines = [VALUE_RULES.strip(), *nested_rules(4), *name_rules()]
    lines += [f'cmd-block{n} ::= [|>] [-+]? "\\n" ({literal_spaces(n)} cmd-text){{1,{MAX_BLOCK_LINES}}}' for n in (4, 6)]
    for mode in MODES:
        lines += expression_rules(mode)
    return "\n".join(lines)
