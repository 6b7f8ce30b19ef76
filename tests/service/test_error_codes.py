"""One catalogue of error codes (``service.errors.Code``): openapi.json lists exactly its codes,
every code the bots and the extension branch on is in it, every code in it is answered
somewhere or reserved with a reason, and the detector's and aiohttp's errors find their
codes in it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from aiohttp import web

from model import errors as model_errors
from service.errors import RESERVED, Code, from_http_exception, from_image_error
from service.views import OPENAPI_FILE
from tests.service.code_branches import Branches, js_branches, python_branches

ROOT = Path(__file__).resolve().parents[2]


def branches(folder: str, pattern: str, read) -> Branches:
    """The codes every source file under ``folder`` (tests aside) branches on."""
    found = Branches()
    for path in sorted((ROOT / folder).rglob(pattern)):
        if "test" not in path.relative_to(ROOT / folder).parts:
            found.update(read(path.read_text(), str(path.relative_to(ROOT))))
    return found


def image_errors() -> list[type[model_errors.ImageError]]:
    kinds, found = [model_errors.ImageError], []
    while kinds:
        kind = kinds.pop()
        found.append(kind)
        kinds += kind.__subclasses__()
    return found


def statements(folder: Path, skip: str = "") -> list[ast.stmt]:
    """The top-level statements of every module under ``folder``, but assignments to ``skip``."""
    return [
        statement
        for path in folder.rglob("*.py")
        for statement in ast.parse(path.read_text()).body
        if not isinstance(statement, ast.Assign)
        or skip not in [getattr(target, "id", None) for target in statement.targets]
    ]


def codes_named(folder: Path, skip: str = "") -> set[Code]:
    """Every ``Code.X`` (or ``errors.Code.X``) the modules under ``folder`` name."""
    return {
        Code[node.attr]
        for statement in statements(folder, skip)
        for node in ast.walk(statement)
        if isinstance(node, ast.Attribute)
        and "Code" in (getattr(node.value, "id", None), getattr(node.value, "attr", None))
    }


def names_called(folder: Path) -> set[str]:
    """Every function or class the modules under ``folder`` call, by its name."""
    return {
        getattr(node.func, "id", None) or getattr(node.func, "attr", "")
        for statement in statements(folder)
        for node in ast.walk(statement)
        if isinstance(node, ast.Call)
    }


def test_openapi_lists_exactly_the_catalogues_codes():
    schema = json.loads(OPENAPI_FILE.read_text())["components"]["schemas"]["Error"]
    assert schema["properties"]["error"]["properties"]["code"]["enum"] == [c.value for c in Code]


def test_each_code_has_an_error_status_and_says_something():
    for code in Code:
        assert 400 <= code.status < 600 and re.fullmatch(r"[a-z]+(_[a-z]+)*", code), code
        assert code.message is None or code.message.endswith("."), code
    # Never a 500 for anything a client sent: only the service's own failure.
    assert [code for code in Code if code.status == 500] == [Code.INTERNAL_ERROR]


def test_every_code_is_answered_somewhere_or_reserved_with_a_reason():
    made = names_called(ROOT / "model")
    from_detector = {Code(kind.code) for kind in image_errors() if kind.__name__ in made}
    assert "from_image_error" in names_called(ROOT / "service")
    answered = codes_named(ROOT / "service", skip="RESERVED") | from_detector
    assert set(Code) - answered == set(RESERVED), "answer each code, or reserve it with a reason"
    assert all(reason.strip() for reason in RESERVED.values())


@pytest.mark.parametrize("kind", image_errors(), ids=lambda kind: kind.__name__)
def test_each_image_error_of_the_detector_has_its_code_in_the_catalogue(kind):
    error = from_image_error(kind("The image is odd."))
    assert error.code == Code(kind.code) and error.status == Code(kind.code).status < 500


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (web.HTTPBadRequest(), Code.BAD_REQUEST),
        (web.HTTPNotFound(), Code.NOT_FOUND),
        (web.HTTPMethodNotAllowed("PUT", ["GET"]), Code.METHOD_NOT_ALLOWED),
        (web.HTTPRequestEntityTooLarge(10, 11), Code.BODY_TOO_LARGE),
        (web.HTTPUnsupportedMediaType(), Code.UNSUPPORTED_MEDIA_TYPE),
        (web.HTTPLengthRequired(), Code.BAD_REQUEST),  # another 4xx keeps its own status
        (web.HTTPGatewayTimeout(), Code.UNAVAILABLE),  # so does a 5xx
    ],
)
def test_aiohttps_own_errors_have_catalogue_codes_and_keep_their_status(error, code):
    answer = from_http_exception(error)
    assert answer.code is code and answer.status == error.status and answer.message


def test_the_codes_the_bots_branch_on_are_in_the_catalogue():
    found = branches("bot", "*.py", python_branches)
    assert found.codes, "bot/service_client.py branches on codes: the reader should see them"
    assert not found.unfollowed, "compare the error's code with literals or module constants"
    assert {c: p for c, p in found.codes.items() if c not in set(Code)} == {}


def test_the_codes_the_extension_branches_on_are_in_the_catalogue():
    found = branches("extension", "*.*js", js_branches)
    assert found.codes, "extension/lib/format.js branches on codes: the reader should see them"
    assert not found.unfollowed, "compare the error's code with literals or module constants"
    assert {c: p for c, p in found.codes.items() if c not in set(Code)} == {}


PYTHON_BRANCHES = """
GIVE_UP = frozenset({"too_late"})
WORDS = {"in_words": "..."}
def handle(status, code, error):
    if code == "rate_limted" or "swapped" != error["code"] or code in ("a_tuple", ""):
        return WORDS[code], WORDS.get(code), code in GIVE_UP, error.code is None
    match code:
        case "matched" | "or_this":
            pass
        case _:
            pass
    renamed = code
    return code == renamed, status == 200, not code
"""
JS_BRANCHES = """
const UNREADABLE = new Set(["in_a_set"]);
const WORDS = Object.freeze({ in_words: "…", "quoted_key": "…" });
export function errorMessage({ status, code, message }) {
  // code === "in_a_comment"
  if (code === "rate_limted" || "swapped" !== body.error.code) return "/ not a regex";
  if (UNREADABLE.has(code) || ["in_a_list"].includes(code) || code in WORDS) return WORDS[code];
  switch (code) { case "cased": return `${code}`; }
  const renamed = code;
  return code === renamed || status === 200 || code?.startsWith("image_") || /code/.test(message);
}
"""


def test_the_readers_find_every_form_of_branch_and_flag_what_they_cannot_follow():
    """A new branch on a misspelt code is found whatever its form, so the tests above fail."""
    python = python_branches(PYTHON_BRANCHES, "bot/example.py")
    assert set(python.codes) == {
        *("rate_limted", "swapped", "a_tuple", "in_words", "too_late", "matched", "or_this"),
    }
    assert python.codes["rate_limted"] == ["bot/example.py:5"]
    assert python.unfollowed == ["bot/example.py:12", "bot/example.py:13"]  # renamed, compared
    js = js_branches(JS_BRANCHES, "extension/example.js")
    assert set(js.codes) == {
        *("rate_limted", "swapped", "in_a_set", "in_a_list", "in_words", "quoted_key", "cased"),
    }
    assert js.codes["rate_limted"] == ["extension/example.js:6"]
    assert js.unfollowed == [f"extension/example.js:{line}" for line in (9, 10, 10)]
