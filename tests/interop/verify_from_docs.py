"""A verifier of dms-evidence bundles written from docs/bundle-format.md alone (no code of the
tool read): the DSSE envelope, the PAE, Ed25519 / ECDSA P-256 signatures, the in-toto
Statement, the subject digests over RFC 8785 forms, and every capture's SHA-256.

If the documentation and the tool disagree, this verifier fails where the tool succeeds:
the test in test_interop.py runs both on the same bundles.
"""

from __future__ import annotations

import base64
import hashlib
import json

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://dms-evidence.dev/attestations/dms-usage/v1"
# "the evaluation: the object of the predicate's checklist, as_of, findings, claims,
# peer_checks, summary and expiry members (expiry only when the predicate has it)".
EVALUATION_MEMBERS = ("checklist", "as_of", "findings", "claims", "peer_checks", "summary", "expiry")


class NotVerified(Exception):
    pass


def pae(payload_type: str, payload: bytes) -> bytes:
    """PAE = "DSSEv1" SP LEN(payloadType) SP payloadType SP LEN(payload) SP payload."""
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type.encode(), len(payload), payload)


def keyid(public_pem: bytes) -> str:
    """Lower-case hex SHA-256 of the public key in DER SubjectPublicKeyInfo form."""
    der = serialization.load_pem_public_key(public_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def _signature_holds(public_pem: bytes, sig: bytes, message: bytes) -> bool:
    key = serialization.load_pem_public_key(public_pem)
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(sig, message)  # the 64-byte signature over the PAE
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(sig, message, ec.ECDSA(hashes.SHA256()))  # DER signature over SHA-256(PAE)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _digest(value: object) -> str:
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()


def verify(bundle: bytes, trusted: list[bytes], threshold: int = 1) -> dict:
    """The statement of a bundle that verifies with `threshold` of the `trusted` PEM keys;
    NotVerified (with the reason) otherwise."""
    envelope = json.loads(bundle)
    if envelope.get("payloadType") != PAYLOAD_TYPE:
        raise NotVerified("payloadType")
    payload = base64.b64decode(envelope["payload"], validate=True)
    message = pae(PAYLOAD_TYPE, payload)
    keys = {keyid(pem): pem for pem in trusted}
    good = {
        s["keyid"]
        for s in envelope.get("signatures", [])
        if s.get("keyid") in keys and _signature_holds(keys[s["keyid"]], base64.b64decode(s["sig"]), message)
    }
    if len(good) < threshold:
        raise NotVerified(f"{len(good)} trusted signature(s), {threshold} needed")
    statement = json.loads(payload)
    if rfc8785.dumps(statement) != payload:
        raise NotVerified("the payload is not RFC 8785 canonical JSON")
    if statement.get("_type") != STATEMENT_TYPE or statement.get("predicateType") != PREDICATE_TYPE:
        raise NotVerified("statement types")
    predicate = statement["predicate"]
    account = predicate["collection"]["caller"]["account"]
    evaluation = (
        {k: predicate[k] for k in EVALUATION_MEMBERS if k in predicate} if "findings" in predicate else None
    )
    expected = {
        f"aws-account/{account}/captures": _digest(predicate["captures"]),
        f"aws-account/{account}/facts": _digest(predicate["facts"]),
        f"aws-account/{account}/evaluation": _digest(evaluation),
    }
    if "renewal" in predicate:
        expected[f"aws-account/{account}/renewal"] = _digest(predicate["renewal"])
    stated = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    if stated != expected:
        wrong = sorted(n for n in set(stated) | set(expected) if stated.get(n) != expected.get(n))
        raise NotVerified(f"subject digests differ: {wrong}")
    for capture in predicate["captures"]:
        body = capture["body"].encode()
        if capture.get("body_encoding") == "base64":
            body = base64.b64decode(body)
        if hashlib.sha256(body).hexdigest() != capture["sha256"]:
            raise NotVerified(f"capture {capture.get('id')} does not have its SHA-256")
    return statement
