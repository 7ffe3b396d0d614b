"""Bundles made by dms-evidence verify with other people's tools: securesystemslib's
DSSE Envelope.verify (Ed25519 and ECDSA P-256), and the `cryptography` library's ECDSA
over the DSSE pre-authentication encoding for a KMS-signed bundle."""

from __future__ import annotations

import base64
import hashlib
import json
import tomllib
from pathlib import Path

import boto3
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import SSlibKey

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "fixtures" / "case-studies" / "exemplary.toml"


def pae(payload_type: str, payload: bytes) -> bytes:
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type.encode(), len(payload), payload)


def keyid(public_pem: bytes) -> str:
    der = serialization.load_pem_public_key(public_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def test_ed25519_bundle_verifies_with_securesystemslib(run, tmp_path):
    private, public, bundle = tmp_path / "k.pem", tmp_path / "k.pub", tmp_path / "bundle.json"
    assert run("keygen", "--private-key", str(private), "--public-key", str(public)).returncode == 0
    out = run("collect", "--case-study", str(CASE), "--key", str(private), "--out", str(bundle))
    assert out.returncode == 0, out.stderr
    envelope = Envelope.from_dict(json.loads(bundle.read_text()))
    key = SSlibKey.from_crypto(serialization.load_pem_public_key(public.read_bytes()), keyid=keyid(public.read_bytes()))
    verified = envelope.verify([key], 1)
    assert list(verified) == [key.keyid]
    statement = json.loads(envelope.pae().split(b" ", 4)[4])
    published = json.loads((ROOT / "docs" / "bundle.schema.json").read_text())["$defs"]["statement"]["properties"]
    assert statement["_type"] == published["_type"]["const"]
    assert statement["predicateType"] == published["predicateType"]["const"]
    findings = statement["predicate"]["findings"]
    items = tomllib.loads((ROOT / "policies" / "checklist-dms-2018.toml").read_text())["items"]
    assert [f["item"] for f in findings] == [i["id"] for i in items]
    assert all("verdict" in f for f in findings)
    # The payload is canonical JSON: re-serialising it the RFC 8785 way changes nothing.
    payload = base64.b64decode(json.loads(bundle.read_text())["payload"])
    assert json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == payload

    # A changed byte fails securesystemslib's verification too.
    tampered = json.loads(bundle.read_text())
    tampered["payload"] = base64.b64encode(payload.replace(b'"verdict":"met"', b'"verdict":"xet"', 1)).decode()
    with pytest.raises(VerificationError, match="threshold"):
        Envelope.from_dict(tampered).verify([key], 1)


def test_kms_bundle_verifies_with_an_independent_ecdsa(run, endpoint, tmp_path):
    kms = boto3.client("kms", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="interop", aws_secret_access_key="interop")
    key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]
    bundle, kms_pub = tmp_path / "bundle.json", tmp_path / "kms.pub"
    out = run("collect", "--case-study", str(CASE), "--kms-key-id", key["Arn"], "--kms-public-key-out", str(kms_pub),
              "--out", str(bundle))
    assert out.returncode == 0, out.stderr
    doc = json.loads(bundle.read_text())
    payload = base64.b64decode(doc["payload"])
    assert len(payload) > 4096, "KMS RAW would refuse this; the tool sends a DIGEST"
    signature = base64.b64decode(doc["signatures"][0]["sig"])
    # The public key KMS holds (not the one the tool wrote) verifies the signature.
    kms_key = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    kms_key.verify(signature, pae(doc["payloadType"], payload), ec.ECDSA(hashes.SHA256()))
    assert doc["signatures"][0]["keyid"] == keyid(kms_pub.read_bytes())
    ssl_key = SSlibKey.from_crypto(kms_key, keyid=doc["signatures"][0]["keyid"])
    assert list(Envelope.from_dict(doc).verify([ssl_key], 1)) == [ssl_key.keyid]


def test_bundle_matches_the_published_json_schema(run, tmp_path):
    import jsonschema

    schema = json.loads((ROOT / "docs" / "bundle.schema.json").read_text())
    private, public, bundle = tmp_path / "k.pem", tmp_path / "k.pub", tmp_path / "bundle.json"
    assert run("keygen", "--private-key", str(private), "--public-key", str(public)).returncode == 0
    assert run("collect", "--case-study", str(CASE), "--key", str(private), "--out", str(bundle)).returncode == 0
    envelope = json.loads(bundle.read_text())
    jsonschema.Draft202012Validator(schema).validate(envelope)
    statement = json.loads(base64.b64decode(envelope["payload"]))
    inner = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/statement"}
    jsonschema.Draft202012Validator(inner).validate(statement)
    statement["predicate"]["findings"][0]["verdict"] = "maybe"
    try:
        jsonschema.Draft202012Validator(inner).validate(statement)
        raise AssertionError("an unknown verdict passed the schema")
    except jsonschema.ValidationError:
        pass


def test_a_renewal_names_the_previous_bundle_by_its_sha256_and_matches_the_schema(run, tmp_path):
    import jsonschema

    schema = json.loads((ROOT / "docs" / "bundle.schema.json").read_text())
    private, public = tmp_path / "k.pem", tmp_path / "k.pub"
    last, this = tmp_path / "last.json", tmp_path / "this.json"
    assert run("keygen", "--private-key", str(private), "--public-key", str(public)).returncode == 0
    assert run("collect", "--case-study", str(CASE), "--key", str(private), "--out", str(last)).returncode == 0
    out = run("collect", "--case-study", str(CASE), "--key", str(private), "--previous", str(last), "--out", str(this))
    assert out.returncode == 0, out.stderr
    envelope = json.loads(this.read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    inner = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/statement"}
    jsonschema.Draft202012Validator(inner).validate(statement)
    renewal = statement["predicate"]["renewal"]
    # The digest is of last year's file as written, computed here independently.
    assert renewal["previous"]["sha256"] == hashlib.sha256(last.read_bytes()).hexdigest()
    assert renewal["previous"]["signatures"] == json.loads(last.read_text())["signatures"]
    assert renewal["regressions"] == 0 and renewal["changes"] == []
    assert "aws-account/111111111111/renewal" in [s["name"] for s in statement["subject"]]
    chained = run("verify", str(this), "--public-key", str(public), "--previous", str(last))
    assert chained.returncode == 0, chained.stdout + chained.stderr


def test_keygen_private_keys_are_read_by_openssl_and_cryptography(run, tmp_path):
    # PKCS#8 v1 (RFC 8410), which both read; v2 with the public key embedded was not.
    import shutil
    import subprocess

    private, public = tmp_path / "k.pem", tmp_path / "k.pub"
    assert run("keygen", "--private-key", str(private), "--public-key", str(public)).returncode == 0
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    derived = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert derived == public.read_bytes()
    openssl = shutil.which("openssl")
    if openssl:
        out = subprocess.run([openssl, "pkey", "-in", str(private), "-pubout"], capture_output=True, check=False)
        assert out.returncode == 0, out.stderr
        assert out.stdout == public.read_bytes()


def test_a_verifier_written_from_the_docs_alone_agrees_with_the_tool(run, tmp_path):
    """tests/interop/verify_from_docs.py reads only docs/bundle-format.md: it verifies what
    the tool writes (a bundle, a renewal, the v0.1.0 fixtures) and refuses what the tool
    refuses."""
    from verify_from_docs import NotVerified, verify

    private, public = tmp_path / "k.pem", tmp_path / "k.pub"
    last, this = tmp_path / "last.json", tmp_path / "this.json"
    assert run("keygen", "--private-key", str(private), "--public-key", str(public)).returncode == 0
    assert run("collect", "--case-study", str(CASE), "--key", str(private), "--out", str(last)).returncode == 0
    out = run("collect", "--case-study", str(CASE), "--key", str(private), "--previous", str(last), "--out", str(this))
    assert out.returncode == 0, out.stderr
    for bundle in (last, this):
        statement = verify(bundle.read_bytes(), [public.read_bytes()])
        assert "expiry" in statement["predicate"], "exemplary's evaluation dates its expiring evidence"
    fixtures = ROOT / "fixtures" / "bundles"
    for old in ("exemplary-v0.1.0.json", "weak-v0.1.0.json"):
        verify((fixtures / old).read_bytes(), [(fixtures / "signer.pub").read_bytes()])
    # A changed capture body, re-signed by the key holder: the digests no longer hold.
    envelope = json.loads(last.read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["expiry"] = []
    with pytest.raises(NotVerified, match="subject digests"):
        import rfc8785
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        payload = rfc8785.dumps(statement)
        key = load_pem_private_key(private.read_bytes(), password=None)
        envelope["payload"] = base64.b64encode(payload).decode()
        envelope["signatures"] = [{"keyid": keyid(public.read_bytes()),
                                   "sig": base64.b64encode(key.sign(pae(envelope["payloadType"], payload))).decode()}]
        verify(json.dumps(envelope).encode(), [public.read_bytes()])
    with pytest.raises(NotVerified, match="trusted signature"):
        verify(last.read_bytes(), [(fixtures / "signer.pub").read_bytes()])
