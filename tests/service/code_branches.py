"""The error codes a client's source branches on, read from the source itself.

A client holds the service's error code in something named ``code``: a variable, a
property ``.code``, or ``["code"]`` in Python. The strings it compares that with (``==``,
``!=``, ``in``, ``===``), matches (``case``), or finds it among (a set, list or tuple of
strings, ``.has(code)``, ``.includes(code)``, the keys of a table it looks the code up in,
inline or in a module constant) are the codes it branches on. The empty string and None
stand for "no code" and are not collected.

A use the reader cannot follow is reported rather than passed over, so a branch cannot hide
by its form: the code compared with or looked up in what is not a literal or a constant of
the module, or renamed (``c = code``, or in JS a method called on it). The code handed to a
function is followed only if the function names it ``code`` too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Branches:
    """Each code branched on, with where (``file:line``); each use not followed, with where."""

    codes: dict[str, list[str]] = field(default_factory=dict)
    unfollowed: list[str] = field(default_factory=list)

    def add(self, strings: Iterable[str] | None, place: str) -> None:
        if strings is None:
            self.unfollowed.append(place)
            return
        for string in strings:
            if string:
                self.codes.setdefault(string, []).append(place)

    def update(self, other: Branches) -> None:
        for code, places in other.codes.items():
            self.codes.setdefault(code, []).extend(places)
        self.unfollowed += other.unfollowed


# Python


def python_branches(source: str, where: str) -> Branches:
    tree = ast.parse(source)
    constants = {
        target.id: strings
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
        and (strings := _py_strings(node.value, {}, keys=True)) is not None
    }
    found = Branches()
    for node in ast.walk(tree):
        place = f"{where}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Compare) and any(map(_is_code, [node.left, *node.comparators])):
            for operand in [node.left, *node.comparators]:
                if not _is_code(operand):
                    found.add(_py_strings(operand, constants), place)
        elif isinstance(node, ast.Match) and _is_code(node.subject):
            for case in node.cases:
                found.add(_case_strings(case.pattern), f"{where}:{case.pattern.lineno}")
        elif isinstance(node, ast.Subscript) and _is_code(node.slice):
            found.add(_py_strings(node.value, constants, keys=True), place)
        elif isinstance(node, ast.Call) and node.args and _is_code(node.args[0]):
            if isinstance(node.func, ast.Attribute) and node.func.attr == "get":
                found.add(_py_strings(node.func.value, constants, keys=True), place)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and _is_code(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not all(map(_is_code, targets)):
                found.add(None, place)
    return found


def _is_code(node: ast.AST | None) -> bool:
    return (
        (isinstance(node, ast.Name) and node.id == "code")
        or (isinstance(node, ast.Attribute) and node.attr == "code")
        or (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == "code"
        )
    )


def _py_strings(node: ast.AST, constants: dict, keys: bool = False) -> tuple[str, ...] | None:
    """The strings ``node`` stands for, or None when it is not a literal or a constant."""
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
        return (node.value or "",)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.Dict) and keys and None not in node.keys:
        return _all_strings([_py_strings(k, constants) for k in node.keys])
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return _all_strings([_py_strings(item, constants) for item in node.elts])
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        builds = isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set", "tuple")
        return _py_strings(node.args[0], constants) if builds else None
    return None


def _case_strings(pattern: ast.pattern) -> tuple[str, ...] | None:
    if isinstance(pattern, ast.MatchAs) and pattern.pattern is None:
        return ()  # the wildcard: no code of its own
    if isinstance(pattern, ast.MatchValue):
        return _py_strings(pattern.value, {})
    if isinstance(pattern, ast.MatchOr):
        return _all_strings([_case_strings(p) for p in pattern.patterns])
    return None


def _all_strings(parts: list[tuple[str, ...] | None]) -> tuple[str, ...] | None:
    return None if None in parts else tuple(s for part in parts for s in part or ())


# JavaScript: tokens are enough for the forms above; comments and strings are skipped whole.

_JS_TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<comment>//[^\n]*|/\*.*?\*/)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)
    |(?P<name>[A-Za-z_$][\w$]*)|(?P<number>\.?\d[\w.]*)
    |(?P<punct>===|!==|==|!=|=>|\?\.|\.\.\.|&&|\|\||\?\?|[^\s\w])""",
    re.DOTALL | re.VERBOSE,
)
_JS_REGEX = re.compile(r"/(?:[^/\\\n\[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
# After a token ending so a "/" divides (but for the keywords); elsewhere it opens a regex.
_DIVIDES_AFTER = re.compile(r"[\w$)\]}\"'`]$")
_KEYWORDS_BEFORE_VALUE = {"return", "typeof", "case", "in", "of", "delete", "void", "new"}
_COMPARE = {"===", "!==", "==", "!="}
_DOTS = (".", "?.")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    line: int


def js_branches(source: str, where: str) -> Branches:
    tokens = _js_tokens(source)
    constants = _js_constants(tokens)
    found = Branches()
    for i, token in enumerate(tokens):
        if token.kind != "name" or token.text != "code":
            continue
        start = i  # of the chain ``body.error.code`` that ends in this code
        while start >= 2 and tokens[start - 1].text in _DOTS and tokens[start - 2].kind == "name":
            start -= 2
        before = [t.text for t in tokens[max(0, start - 4) : start]]
        before = [""] * (4 - len(before)) + before
        after = tokens[i + 1].text if i + 1 < len(tokens) else ""
        place = f"{where}:{token.line}"
        if after in _COMPARE:
            found.add(_js_operand(tokens, i + 2, constants), place)
        elif before[-1] in _COMPARE:
            is_property = before[-3] in _DOTS
            found.add(None if is_property else _js_operand(tokens, start - 2, constants), place)
        elif after == "in":
            found.add(_js_operand(tokens, i + 2, constants, keys=True), place)
        elif before[-1] == "(" and after == ")" and before[-2] == "switch":
            found.add(_js_cases(tokens, i + 2), place)
        elif before[-1] == "(" and after == ")" and before[-2] in ("has", "includes"):
            is_method = before[-3] in _DOTS
            found.add(_js_receiver(tokens, start - 4, constants) if is_method else None, place)
        elif before[-1] == "[" and after == "]" and _is_subscript(before[-2]):
            found.add(_js_receiver(tokens, start - 2, constants, keys=True), place)
        elif before[-1] == "=" or after in _DOTS:
            found.add(None, place)
    return found


def _js_tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, line = 0, 1
    while position < len(source):
        last = tokens[-1].text if tokens else ""
        starts_value = not _DIVIDES_AFTER.search(last) or last in _KEYWORDS_BEFORE_VALUE
        regex = None
        if (
            source[position] == "/"
            and starts_value
            and source[position + 1 : position + 2] not in "/*"
        ):
            regex = _JS_REGEX.match(source, position)
        match = regex or _JS_TOKEN.match(source, position)
        assert match is not None, f"cannot read the JavaScript at line {line}"
        kind = "regex" if regex else match.lastgroup or ""
        if kind not in ("space", "comment"):
            tokens.append(_Token(kind, match.group(), line))
        line += match.group().count("\n")
        position = match.end()
    return tokens


def _js_string(token: _Token) -> str | None:
    if token.kind != "string" or (token.text[0] == "`" and "${" in token.text):
        return None
    return token.text[1:-1]


def _is_subscript(before: str) -> bool:
    """Whether a "[" after ``before`` indexes it (else it opens an array)."""
    return bool(_DIVIDES_AFTER.search(before)) and before not in _KEYWORDS_BEFORE_VALUE


def _js_operand(tokens: list[_Token], i: int, constants: dict, keys: bool = False):
    """The strings of the operand at ``tokens[i]``: a literal or constant, not a part of a
    longer expression (``NAME.x``, ``NAME(...)``); else None."""
    following = tokens[i + 1].text if i + 1 < len(tokens) else ""
    if following in (".", "?.", "(", "["):
        return None
    return _js_value(tokens, i, constants, keys)


def _js_value(tokens: list[_Token], i: int, constants: dict, keys: bool = False):
    """The strings the literal or constant at ``tokens[i]`` stands for, else None."""
    if not 0 <= i < len(tokens):
        return None
    token = tokens[i]
    if token.text in ("null", "undefined"):
        return ()
    if token.kind == "name":
        value = constants.get(token.text, (None, None))
        return value[1] if keys else value[0]
    string = _js_string(token)
    return None if string is None or keys else (string,)


def _js_receiver(tokens: list[_Token], end: int, constants: dict, keys: bool = False):
    """The strings of the constant or literal ending at ``tokens[end]``: ``[...]`` or a name."""
    if end >= 0 and tokens[end].text == "]":
        start = _opening(tokens, end)
        return None if start is None or keys else _js_list(tokens, start)
    return _js_value(tokens, end, constants, keys)


def _js_constants(tokens: list[_Token]) -> dict[str, tuple]:
    """For each ``const NAME = `` a string, ``[...]``, ``new Set([...])`` or object literal:
    its strings (as a value) and its keys (``in``, ``[code]``), None where it has none."""
    constants = {}
    for i in range(len(tokens) - 4):
        if tokens[i].text not in ("const", "let", "var") or tokens[i + 2].text != "=":
            continue
        j = i + 3
        if [t.text for t in tokens[j : j + 4]] == ["new", "Set", "(", "["]:
            j += 3
        if [t.text for t in tokens[j : j + 4]] == ["Object", ".", "freeze", "("]:
            j += 4
        start = tokens[min(j, len(tokens) - 1)]
        if start.text == "[":
            constants[tokens[i + 1].text] = (_js_list(tokens, j), None)
        elif start.text == "{":
            constants[tokens[i + 1].text] = (None, _js_keys(tokens, j))
        elif (string := _js_string(start)) is not None:
            constants[tokens[i + 1].text] = ((string,), None)
    return constants


def _js_list(tokens: list[_Token], start: int) -> tuple[str, ...] | None:
    strings = []
    for token in tokens[start + 1 :]:
        if token.text == "]":
            return tuple(strings)
        if token.text != ",":
            string = _js_string(token)
            if string is None:
                return None
            strings.append(string)
    return None


def _js_keys(tokens: list[_Token], start: int) -> tuple[str, ...]:
    keys, depth = [], 0
    for i in range(start, len(tokens) - 1):
        text = tokens[i].text
        depth += (text in "([{") - (text in ")]}") if len(text) == 1 else 0
        if depth == 0:
            break
        if depth == 1 and tokens[i - 1].text in ("{", ",") and tokens[i + 1].text in (":", ","):
            keys.append(_js_string(tokens[i]) or tokens[i].text)
    return tuple(keys)


def _js_cases(tokens: list[_Token], i: int) -> tuple[str, ...] | None:
    """The ``case`` labels of the switch whose block opens at ``tokens[i]``."""
    strings, depth = [], 0
    for j in range(i, len(tokens) - 1):
        text = tokens[j].text
        depth += (text == "{") - (text == "}")
        if depth == 0:
            return tuple(strings)
        if depth == 1 and text == "case":
            string = _js_string(tokens[j + 1])
            if string is None or tokens[j + 2].text != ":":
                return None
            strings.append(string)
    return None


def _opening(tokens: list[_Token], end: int) -> int | None:
    depth = 0
    for j in range(end, -1, -1):
        depth += (tokens[j].text == "]") - (tokens[j].text == "[")
        if depth == 0:
            return j
    return None
