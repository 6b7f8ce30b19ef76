"""The error codes a JavaScript client branches on, read by its tokens: what counts as a
branch, and what is reported as not followed, is said in code_branches.py.

Tokens are enough for these forms; comments, strings and regexes are one token each. The code
is ``code`` (alone or ending a chain, ``body?.error.code``), ``x["code"]`` or ``x.get("code")``.
Destructuring that keeps the name (``{ code }``) binds ``code`` and is followed so; one that
renames it (``{ code: c }``) is reported. It stays one module past 300 lines: every helper
serves only this reading of tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.service.code_branches import Branches

_TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<comment>//[^\n]*|/\*.*?\*/)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)
    |(?P<name>[A-Za-z_$][\w$]*)|(?P<number>\.?\d[\w.]*)
    |(?P<punct>===|!==|==|!=|=>|\?\.|\.\.\.|&&|\|\||\?\?|[^\s\w])""",
    re.DOTALL | re.VERBOSE,
)
_REGEX = re.compile(r"/(?:[^/\\\n\[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
# After a token ending so a "/" divides (but for the keywords); elsewhere it opens a regex.
_DIVIDES_AFTER = re.compile(r"[\w$)\]}\"'`]$")
_KEYWORDS = {
    *("return", "typeof", "case", "in", "of", "delete", "void", "new", "await", "yield"),
    *("throw", "else", "do", "instanceof", "if", "while", "for", "switch", "with", "catch"),
    "function",
}
_STATEMENTS = ("if", "while", "for", "switch", "with")  # whose "(" holds no arguments
# The methods that find the code among their receiver's strings: ``UNREADABLE.has(code)``.
_LOOKUPS = ("has", "includes", "indexOf")
_COMPARE = {"===", "!==", "==", "!="}
_DOTS = (".", "?.")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    line: int


def js_branches(source: str, where: str) -> Branches:
    tokens = _tokens(source)
    constants = _constants(tokens)
    found = Branches()
    for i, token in enumerate(tokens):
        place = f"{where}:{token.line}"
        if _is_code_key(tokens, i):  # { code: c }: a rename, where the braces destructure
            if _text(tokens, i + 2) != "code" and _in_pattern(tokens, _enclosing(tokens, i)):
                found.add(None, place)
        elif (end := _code_end(tokens, i)) is not None:
            found.add(_use(tokens, _chain_start(tokens, end), end, constants), place)
    return found


def _code_end(tokens: list[_Token], i: int) -> int | None:
    """Where the code named at ``tokens[i]`` ends: ``code``, ``x["code"]``, ``x.get("code")``."""
    token = tokens[i]
    if token.kind == "name":
        return i if token.text == "code" else None
    if _string(token) != "code":
        return None
    before = _text(tokens, i - 2)
    if _text(tokens, i - 1) == "[" and _text(tokens, i + 1) == "]":
        return i + 1 if before == "?." or _ends_value(tokens, i - 2) else None
    if _text(tokens, i - 1) == "(" and before == "get" and _text(tokens, i - 3) in _DOTS:
        return _closing(tokens, i - 1)
    return None


def _use(tokens: list[_Token], start: int, end: int, constants: dict) -> tuple[str, ...] | None:
    """The strings the code at ``tokens[start:end + 1]`` is branched on here: () where it is
    not branched on, None where the branch cannot be followed."""
    while _text(tokens, start - 1) == "(" and _paren(tokens, start - 1) == "group":
        if _text(tokens, end + 1) != ")":
            break
        start, end = start - 1, end + 1
    before, after = _text(tokens, start - 1), _text(tokens, end + 1)
    if after in _COMPARE:
        return _operand(tokens, end + 2, constants)
    if before in _COMPARE:
        return _operand(tokens, start - 2, constants)
    if after == "in":
        return _operand(tokens, end + 2, constants, keys=True)
    if after in (*_DOTS, "[") or before == "=":
        return None  # a method or property of the code (code.startsWith), or renamed
    if before == "[" and after == "]" and _ends_value(tokens, start - 2):
        return _receiver(tokens, start - 2, constants, keys=True)
    opener = _enclosing(tokens, start)
    is_argument = before in ("(", ",") and after in (")", ",")
    if opener is None or tokens[opener].text != "(" or not is_argument:
        return ()
    alone, kind = before == "(" and after == ")", _paren(tokens, opener)
    if kind == "switch" and alone:
        return _cases(tokens, end + 2)
    if kind != "call":
        return ()
    if alone and _text(tokens, opener - 1) in _LOOKUPS and _text(tokens, opener - 2) in _DOTS:
        return _receiver(tokens, opener - 3, constants)
    return None  # handed to a function


def _operand(tokens: list[_Token], i: int, constants: dict, keys: bool = False):
    """The strings of the operand at ``tokens[i]``: a literal or constant, not a part of a
    longer expression (``NAME.x``, ``NAME(...)``, ``x.NAME``); else None."""
    alone = _text(tokens, i + 1) not in (*_DOTS, "(", "[") and _text(tokens, i - 1) not in _DOTS
    return _value(tokens, i, constants, keys) if alone else None


def _value(tokens: list[_Token], i: int, constants: dict, keys: bool = False):
    """The strings the literal or constant at ``tokens[i]`` stands for, else None."""
    if not 0 <= i < len(tokens):
        return None
    token = tokens[i]
    if token.text in ("null", "undefined"):
        return ()
    if token.kind == "name":
        value = constants.get(token.text, (None, None))
        return value[1] if keys else value[0]
    string = _string(token)
    return None if string is None or keys else (string,)


def _receiver(tokens: list[_Token], end: int, constants: dict, keys: bool = False):
    """The strings of what ends at ``tokens[end]`` and is looked in: a constant, or (but for
    keys) ``[...]`` or ``new Set([...])``; else None."""
    start = _chain_start(tokens, end)
    if start == end:
        return _value(tokens, end, constants, keys)
    if keys:
        return None
    if tokens[start].text == "[" and _closing(tokens, start) == end:
        return _list(tokens, start)
    is_set = [t.text for t in tokens[start - 1 : start + 3]] == ["new", "Set", "(", "["]
    if is_set and _closing(tokens, start + 2) == end - 1:
        return _list(tokens, start + 2)
    return None


def _is_code_key(tokens: list[_Token], i: int) -> bool:
    """Whether ``tokens[i]`` is ``code`` as the key of braces: ``{ code: x }``."""
    is_code = tokens[i].text == "code" or _string(tokens[i]) == "code"
    return is_code and _text(tokens, i - 1) in ("{", ",") and _text(tokens, i + 1) == ":"


def _in_pattern(tokens: list[_Token], opener: int | None) -> bool:
    """Whether the braces or brackets opening at ``tokens[opener]`` destructure (``const {…}
    =``, ``({…}) =>``, ``[{…}] =``) rather than build an object or array."""
    while opener is not None and tokens[opener].text in ("{", "["):
        if _text(tokens, opener - 1) in ("const", "let", "var"):
            return True
        if _text(tokens, _closing(tokens, opener) + 1) == "=":
            return True
        opener = _enclosing(tokens, opener)
    return opener is not None and _paren(tokens, opener) == "parameters"


def _paren(tokens: list[_Token], i: int) -> str:
    """What the "(" at ``tokens[i]`` opens: "parameters", a "call", "group", or the keyword of
    the statement it follows (``switch``)."""
    before, after = _text(tokens, i - 1), _text(tokens, _closing(tokens, i) + 1)
    if before in _STATEMENTS:
        return before
    if after in ("=>", "{") or "function" in (before, _text(tokens, i - 2)) or before == "catch":
        return "parameters"
    return "call" if before == "?." or _ends_value(tokens, i - 1) else "group"


def _chain_start(tokens: list[_Token], end: int) -> int:
    """The first token of the chain ending at ``tokens[end]``: ``body?.error["code"]``,
    ``f(x).code``, ``new Set([...])``."""
    j = end
    while True:
        if tokens[j].text in (")", "]"):
            j = _opening(tokens, j)
            value = j - 2 if _text(tokens, j - 1) == "?." else j - 1
            if not _ends_value(tokens, value):
                return j
            j = value
        elif _text(tokens, j - 1) in _DOTS and _ends_value(tokens, j - 2):
            j -= 2
        else:
            return j


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, line = 0, 1
    while position < len(source):
        last = tokens[-1].text if tokens else ""
        starts_value = not _DIVIDES_AFTER.search(last) or last in _KEYWORDS
        regex = None
        if (
            source[position] == "/"
            and starts_value
            and source[position + 1 : position + 2] not in "/*"
        ):
            regex = _REGEX.match(source, position)
        match = regex or _TOKEN.match(source, position)
        assert match is not None, f"cannot read the JavaScript at line {line}"
        kind = "regex" if regex else match.lastgroup or ""
        if kind not in ("space", "comment"):
            tokens.append(_Token(kind, match.group(), line))
        line += match.group().count("\n")
        position = match.end()
    return tokens


def _text(tokens: list[_Token], i: int) -> str:
    return tokens[i].text if 0 <= i < len(tokens) else ""


def _string(token: _Token) -> str | None:
    if token.kind != "string" or (token.text[0] == "`" and "${" in token.text):
        return None
    return token.text[1:-1]


def _ends_value(tokens: list[_Token], i: int) -> bool:
    """Whether ``tokens[i]`` ends a value, so a "[" after it indexes it and a "(" calls it."""
    token = tokens[i] if 0 <= i < len(tokens) else _Token("", "", 0)
    if token.kind == "name":
        return token.text not in _KEYWORDS
    return token.kind in ("string", "number", "regex") or token.text in (")", "]")


def _constants(tokens: list[_Token]) -> dict[str, tuple]:
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
            constants[tokens[i + 1].text] = (_list(tokens, j), None)
        elif start.text == "{":
            constants[tokens[i + 1].text] = (None, _keys(tokens, j))
        elif (string := _string(start)) is not None:
            constants[tokens[i + 1].text] = ((string,), None)
    return constants


def _list(tokens: list[_Token], start: int) -> tuple[str, ...] | None:
    strings = []
    for token in tokens[start + 1 :]:
        if token.text == "]":
            return tuple(strings)
        if token.text != ",":
            string = _string(token)
            if string is None:
                return None
            strings.append(string)
    return None


def _keys(tokens: list[_Token], start: int) -> tuple[str, ...]:
    keys, depth = [], 0
    for i in range(start, len(tokens) - 1):
        depth += _depth(tokens[i].text)
        if depth == 0:
            break
        if depth == 1 and tokens[i - 1].text in ("{", ",") and tokens[i + 1].text in (":", ","):
            keys.append(_string(tokens[i]) or tokens[i].text)
    return tuple(keys)


def _cases(tokens: list[_Token], i: int) -> tuple[str, ...] | None:
    """The ``case`` labels of the switch whose block opens at ``tokens[i]``."""
    strings, depth = [], 0
    for j in range(i, len(tokens) - 1):
        text = tokens[j].text
        depth += (text == "{") - (text == "}")
        if depth == 0:
            return tuple(strings)
        if depth == 1 and text == "case":
            string = _string(tokens[j + 1])
            if string is None or tokens[j + 2].text != ":":
                return None
            strings.append(string)
    return None


def _depth(text: str) -> int:
    return (text in ("(", "[", "{")) - (text in (")", "]", "}"))


def _opening(tokens: list[_Token], end: int) -> int:
    """The bracket that the one at ``tokens[end]`` closes."""
    depth = 0
    for j in range(end, -1, -1):
        depth -= _depth(tokens[j].text)
        if depth == 0:
            return j
    return 0


def _closing(tokens: list[_Token], start: int) -> int:
    """The bracket that closes the one at ``tokens[start]``."""
    depth = 0
    for j in range(start, len(tokens)):
        depth += _depth(tokens[j].text)
        if depth == 0:
            return j
    return len(tokens)


def _enclosing(tokens: list[_Token], i: int) -> int | None:
    """The bracket that holds ``tokens[i]``, if any."""
    depth = 0
    for j in range(i - 1, -1, -1):
        depth += _depth(tokens[j].text)
        if depth == 1:
            return j
    return None
