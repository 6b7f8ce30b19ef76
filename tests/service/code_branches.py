"""The error codes a client's source branches on, read from the source itself.

A client holds the service's error code in something named ``code``: a variable, a
property ``.code``, ``["code"]`` or ``.get("code")``. The strings it compares that with (``==``,
``!=``, ``in``, ``===``), matches (``case``), or finds it among (a set, list or tuple of
strings, ``.has(code)``, ``.includes(code)``, ``.indexOf(code)``, ``.index(code)``, the keys
of a table it looks the code up in, inline or in a module constant) are the codes it branches
on. The empty string and None stand for "no code" and are not collected.

A use the reader cannot follow is reported rather than passed over, so a branch cannot hide
by its form: the code compared with or looked up in what is not a literal or a constant of
the module; renamed (``c = code``, ``{ code: c } = error``); a method or property of the code
(``code.startswith(...)``, ``code.lower()``); or the code handed to a function, unless in
Python a function of the module names its parameter ``code`` too (``str(code)`` is the code
itself).

This module holds the record and the Python reader (by the AST); code_branches_js.py holds
the JavaScript reader (by tokens).
"""

from __future__ import annotations

import ast
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


# The methods that find the code among their receiver's strings: ``WORDS.get(code)``.
_LOOKUPS = ("get", "index", "count")


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
    parameters = {
        node.name: [argument.arg for argument in node.args.posonlyargs + node.args.args]
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
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
        elif isinstance(node, ast.Attribute) and _is_code(node.value):
            found.add(None, place)  # code.startswith(...), code.lower(), code.value
        elif isinstance(node, ast.Call) and not _is_code(node):
            found.add(_py_call(node, constants, parameters), place)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and _renames(node):
            found.add(None, place)
    return found


def _is_code(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        func, first = node.func, node.args[0]
        if isinstance(func, ast.Name) and func.id == "str" and len(node.args) == 1:
            return _is_code(first)  # the same code, as a string
        is_get = isinstance(func, ast.Attribute) and func.attr == "get"
        return is_get and isinstance(first, ast.Constant) and first.value == "code"
    return (
        (isinstance(node, ast.Name) and node.id == "code")
        or (isinstance(node, ast.Attribute) and node.attr == "code")
        or (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == "code"
        )
    )


def _py_call(node: ast.Call, constants: dict, parameters: dict) -> tuple[str, ...] | None:
    """What a call given the code branches on: the strings ``WORDS.get(code)`` looks among;
    nothing when it hands the code on to a parameter named ``code``; else None."""
    given = [i for i, argument in enumerate(node.args) if _is_code(argument)]
    named = [k.arg for k in node.keywords if _is_code(k.value)]
    func = node.func
    if given == [0] and not named and isinstance(func, ast.Attribute) and func.attr in _LOOKUPS:
        return _py_strings(func.value, constants, keys=True)
    callee = None
    if isinstance(func, ast.Name):
        callee = parameters.get(func.id)
    elif isinstance(func, ast.Attribute) and getattr(func.value, "id", None) in ("self", "cls"):
        callee = parameters.get(func.attr, [])[1:]
    names = [callee[i] if callee and i < len(callee) else None for i in given] + named
    return () if all(name == "code" for name in names) else None


def _renames(node: ast.Assign | ast.AnnAssign | ast.NamedExpr) -> bool:
    """Whether the assignment gives the code another name: ``c = code``, ``c, m = code, x``."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    pairs: list[tuple[ast.AST, ast.AST | None]] = []
    for target in targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            pairs += zip(target.elts, node.value.elts, strict=False)
        else:
            pairs.append((target, node.value))
    return any(_is_code(value) and not _is_code(target) for target, value in pairs)


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
