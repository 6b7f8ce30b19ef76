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
from tests.service.code_branches import Branches, python_branches
from tests.service.code_branches_js import js_branches

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


# Each of the detector's errors with the status it has answered with since before the catalogue.
IMAGE_STATUS = {
    model_errors.EmptyImage: 400,
    model_errors.UnsupportedFormat: 415,
    model_errors.ImageTooLarge: 413,
    model_errors.CorruptImage: 422,
    model_errors.TruncatedImage: 422,
    model_errors.ImageError: 422,
}


@pytest.mark.parametrize("kind", image_errors(), ids=lambda kind: kind.__name__)
def test_each_image_error_of_the_detector_keeps_its_code_and_status(kind):
    error = from_image_error(kind("The image is odd."))
    assert error.code == Code(kind.code) and error.status == IMAGE_STATUS[kind]


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


HIDDEN_PYTHON_BRANCHES = """
import re
def handle(error, code):
    if error.get("code") == "image_gne" or ("in_a_tuple",).index(code):
        return str(code) == "as_a_string", _down(500, code), log(code)
    if code.startswith("imag_") or re.fullmatch("fetch_faild", code):
        return code.lower() == "lowered", error["code"].upper()
    c, m = error.get("code"), error["message"]
def _down(status, code):
    return code == "unavailble"
"""
HIDDEN_JS_BRANCHES = """
const ORDER = ["in_order"];
function check(error, body) {
  if (error["code"] === "imag_gone" || body.error?.["code"] === "bracketed") return 1;
  if (error.get("code") !== "got_it" || ["in_a_literal"].indexOf(code) >= 0) return 2;
  if (new Set(["in_new_set"]).has(code) || ORDER.indexOf(code) !== -1) return 3;
  const { code: c } = body.error;
  const { error: { "code": renamed } } = body;
  const { code } = body.error;
  if (code === "destructured" || (code) === "in_parens") return c === renamed;
  return /fetch_faild/.test(code) || String(code) === "stringed" || log(body.error.code);
}
function handle({ code: c }) {}
const answer = { code: c, status: 0 };
"""


def test_the_readers_see_or_flag_the_forms_a_branch_could_hide_in():
    """``.get("code")``, ``["code"]``, ``str(code)``, a lookup in a literal and a function
    naming its parameter ``code`` are followed; a method of the code, the code handed to
    another function, and a destructuring that renames it are flagged, each at its line."""
    python = python_branches(HIDDEN_PYTHON_BRANCHES, "bot/example.py")
    assert python.codes == {
        "image_gne": ["bot/example.py:4"],
        "in_a_tuple": ["bot/example.py:4"],
        "as_a_string": ["bot/example.py:5"],
        "unavailble": ["bot/example.py:10"],  # in _down, which names what it is given code
    }
    # log(code); code.startswith, re.fullmatch; code.lower(), ["code"].upper(); c = ...
    assert sorted(python.unfollowed) == [f"bot/example.py:{n}" for n in (5, 6, 6, 7, 7, 8)]
    js = js_branches(HIDDEN_JS_BRANCHES, "extension/example.js")
    assert js.codes == {
        code: [f"extension/example.js:{line}"]
        for line, codes in {
            4: ("imag_gone", "bracketed"),
            5: ("got_it", "in_a_literal"),
            6: ("in_new_set", "in_order"),
            10: ("destructured", "in_parens"),  # { code } keeps the name: followed
        }.items()
        for code in codes
    }
    # { code: c }, { "code": renamed }; .test(code), String(code), log(...); ({ code: c })
    assert js.unfollowed == [f"extension/example.js:{n}" for n in (7, 8, 11, 11, 11, 13)]
