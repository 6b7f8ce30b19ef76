"""Whether a C2PA store's signatures and hashes still hold, and what a failure means.

Three kinds of failure mean different things, so each is said apart:
- a content hash that no longer matches (``assertion.dataHash.mismatch``, bmffHash,
  boxHash, collectionHash): the file was changed after it was signed, an edit no manifest
  declares;
- a problem with the signing certificate (expired, revoked, outside its validity, its time
  stamp): who signed it is in doubt, not what it declares, and the pixels are as signed.
  Generators' certificates expire like any other, so their pictures must still read as
  generated; this is reported, and weighs nothing;
- anything else (an assertion or claim altered, an ingredient's manifest replaced): the
  credentials are broken, weighing as today's invalid credentials.
"Untrusted" is never reported: no trust list is loaded offline, so every signer is
untrusted here, and the code says nothing about this file.

Failures come from the store's ``validation_status`` list and its ``validation_results``
(the active manifest's failures and the ingredients' deltas), and from the status each
ingredient recorded when it was added; a failure's URL names the manifest it concerns.
"""

from __future__ import annotations

import re
from typing import Any

from model.signals.provenance.chain import Link, as_list, as_text
from model.signals.provenance.source_types import Evidence

INVALID = 0.5  # credentials present but broken, or changed after signing
_CONTENT_HASH = re.compile(r"assertion\.\w+Hash\.mismatch")
_CERTIFICATE_WORDS = {
    "signingCredential.expired": "the certificate has expired",
    "signingCredential.revoked": "the certificate has been revoked",
    "signingCredential.ocsp.revoked": "the certificate has been revoked",
    "signingCredential.invalid": "the certificate is not one allowed to sign them",
    "claimSignature.outsideValidity": "the certificate was not valid when they were signed",
}
_CERTIFICATE_PREFIXES = ("signingCredential.", "timeStamp.")
_MANIFEST_IN_URL = re.compile(r"/c2pa/([^/]+)")


def validation_evidence(store: dict[str, Any], links: list[Link]) -> list[Evidence]:
    """What the validation failures of the manifests in ``links`` say, manifest by manifest."""
    failures: dict[str, dict[str, None]] = {}  # manifest label -> its codes, in order
    holders = [(store, links[0].label)] + [(link.ingredient, link.label) for link in links[1:]]
    for holder, label in holders:
        for code, url in _failures(holder):
            named = _MANIFEST_IN_URL.search(url)
            failures.setdefault(named[1] if named else label, {})[code] = None
    by_label = {link.label: link for link in links}
    found = []
    for label, codes in failures.items():
        link = by_label.get(label, Link(label, {}, "an earlier version", {}))
        found += _judge(list(codes), link)
    if not found and store.get("validation_state") == "Invalid":
        found.append(Evidence("The Content Credentials fail validation (no reason given)", INVALID))
    return found


def _failures(holder: dict[str, Any]) -> list[tuple[str, str]]:
    """(code, url) of each failure ``holder`` records, "untrusted" left out."""
    results = holder.get("validation_results")
    results = results if isinstance(results, dict) else {}
    active = results.get("activeManifest")
    entries = [*as_list(holder.get("validation_status"))]
    if isinstance(active, dict):
        entries += as_list(active.get("failure"))
    for delta in as_list(results.get("ingredientDeltas")):
        deltas = delta.get("validationDeltas") if isinstance(delta, dict) else None
        if isinstance(deltas, dict):
            entries += as_list(deltas.get("failure"))
    found = []
    for entry in entries:
        code = entry.get("code") if isinstance(entry, dict) else None
        if isinstance(code, str) and code and not code.endswith(".untrusted"):
            url = entry.get("url")
            found.append((code, url if isinstance(url, str) else ""))
    return found


def _judge(codes: list[str], link: Link) -> list[Evidence]:
    """One manifest's failures, each kind in its own sentence (the module's docstring)."""
    changed = [code for code in codes if _CONTENT_HASH.fullmatch(code)]
    certificate = [
        code
        for code in codes
        if code in _CERTIFICATE_WORDS or code.startswith(_CERTIFICATE_PREFIXES)
    ]
    broken = [code for code in codes if code not in changed and code not in certificate]
    credentials = "The Content Credentials" + (f" of {link.subject}" if link.subject else "")
    found = []
    if changed:
        what = link.subject[:1].upper() + link.subject[1:] if link.subject else "The file"
        found.append(
            Evidence(f"{what} was changed after its Content Credentials were signed", INVALID)
        )
    if certificate:
        problems = "; ".join(
            dict.fromkeys(
                _CERTIFICATE_WORDS.get(code, f"{_checked(code)} fails a check ({code})")
                for code in certificate
            )
        )
        signer = _signer(link.manifest)
        said = f"{credentials} were signed by {signer}; " if signer else f"{credentials}: "
        found.append(Evidence(said + problems, 0.0))
    if broken:
        found.append(Evidence(f"{credentials} fail validation ({', '.join(broken)})", INVALID))
    return found


def _checked(code: str) -> str:
    return "the time stamp" if code.startswith("timeStamp.") else "the certificate"


def _signer(manifest: dict[str, Any]) -> str:
    """Who signed, as ``signature_info`` names them: the organisation the certificate was
    issued to (c2pa calls it ``issuer``), then its common name."""
    info = manifest.get("signature_info")
    info = info if isinstance(info, dict) else {}
    organisation, name = (as_text(info.get(key)) for key in ("issuer", "common_name"))
    if organisation and name and organisation != name:
        return f"{organisation} ({name})"
    return organisation or name
