"""KMS Sign/Verify: DIGEST messages signed as AWS does, verified with an independent library."""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils


@pytest.mark.parametrize("message_type", ["DIGEST", "RAW"])
def test_ecdsa_p256_signature_verifies_independently(client, message_type):
    kms = client("kms")
    key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]
    payload = b"dsse payload " * 1000  # over 4 KB: real KMS would refuse it RAW
    digest = hashlib.sha256(payload).digest()
    message = digest if message_type == "DIGEST" else payload[:4096]
    signed = kms.sign(KeyId=key["KeyId"], Message=message, MessageType=message_type, SigningAlgorithm="ECDSA_SHA_256")
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert isinstance(public, ec.EllipticCurvePublicKey)
    if message_type == "DIGEST":
        public.verify(signed["Signature"], digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    else:
        public.verify(signed["Signature"], payload[:4096], ec.ECDSA(hashes.SHA256()))
    assert kms.verify(KeyId=key["KeyId"], Message=message, MessageType=message_type, Signature=signed["Signature"],
                      SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"]


def test_rsa_pss_uses_digest_length_salt(client):
    kms = client("kms")
    key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]
    digest = hashlib.sha256(b"x").digest()
    sig = kms.sign(KeyId=key["KeyId"], Message=digest, MessageType="DIGEST", SigningAlgorithm="RSASSA_PSS_SHA_256")
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(sig["Signature"], digest, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                  utils.Prehashed(hashes.SHA256()))


def test_digest_and_raw_limits_as_aws(client):
    kms = client("kms")
    key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]
    for message, message_type in ((b"short", "DIGEST"), (b"x" * 4097, "RAW")):
        with pytest.raises(ClientError) as err:
            kms.sign(KeyId=key["KeyId"], Message=message, MessageType=message_type, SigningAlgorithm="ECDSA_SHA_256")
        assert err.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as err:
        kms.verify(KeyId=key["KeyId"], Message=b"\0" * 32, MessageType="DIGEST", Signature=b"\0" * 70,
                   SigningAlgorithm="ECDSA_SHA_256")
    assert err.value.response["Error"]["Code"] == "KMSInvalidSignatureException"


def test_encrypt_keys_cannot_sign(client):
    kms = client("kms")
    key = kms.create_key()["KeyMetadata"]
    with pytest.raises(ClientError) as err:
        kms.sign(KeyId=key["KeyId"], Message=b"\0" * 32, MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256")
    assert err.value.response["Error"]["Code"] == "InvalidKeyUsageException"


def test_get_public_key_names_the_key_arn(client):
    kms = client("kms")
    key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]
    assert kms.get_public_key(KeyId=key["KeyId"])["KeyId"] == key["Arn"]
