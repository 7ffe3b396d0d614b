"""KMS Sign/Verify done as AWS does them, on moto 5.2.5's keys.

moto 5.2.5 ignores MessageType=DIGEST (it hashes the digest again, so signatures
fail independent verification) and signs RSASSA-PSS with the maximum salt length
instead of the digest length. A real KMS signer must send DIGEST (RAW messages are
limited to 4096 bytes), so this layer signs and verifies every asymmetric request
itself with the key moto generated. It also marks keys behind `alias/aws/*` as
AWS-managed (moto says CUSTOMER), and answers GetPublicKey with the key ARN.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

from .protocol import Call, Forward, Handler, Response, Service, error_response, json_response

RAW_LIMIT = 4096
Sha2 = hashes.SHA256 | hashes.SHA384 | hashes.SHA512
HASHES: dict[str, type[Sha2]] = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}


class KmsError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _key(call: Call, key_id: str, usage: str | None = "SIGN_VERIFY"):
    from moto.kms.models import kms_backends

    backend = kms_backends[call.account][call.region]
    try:
        key = backend.describe_key(key_id)
    except Exception as err:  # moto raises KeyError and friends
        raise KmsError("NotFoundException", f"Key '{key_id}' does not exist") from err
    if key.key_state != "Enabled":
        raise KmsError("DisabledException", f"{key.arn} is {key.key_state}")
    if usage and key.key_usage != usage:
        raise KmsError("InvalidKeyUsageException", f"{key.arn} key usage is {key.key_usage} which is not valid for signing")
    return key


def _digest(req: dict, algorithm: str, key) -> bytes:
    if algorithm not in key.signing_algorithms:
        raise KmsError(
            "InvalidKeyUsageException",
            f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}.",
        )
    hash_cls = _hash(algorithm)
    try:
        message = base64.b64decode(req.get("Message", ""), validate=True)
    except ValueError as err:
        raise KmsError("ValidationException", "Message is not valid base64") from err
    if not message:
        raise KmsError("ValidationException", "Message must have length greater than or equal to 1")
    message_type = req.get("MessageType") or "RAW"
    if message_type == "RAW":
        if len(message) > RAW_LIMIT:
            raise KmsError("ValidationException", "Message must have length less than or equal to 4096")
        return hashlib.new(hash_cls.name, message).digest()
    if message_type == "DIGEST":
        if len(message) != hash_cls.digest_size:
            raise KmsError("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")
        return message
    raise KmsError("ValidationException", f"MessageType {message_type} is not valid")


def _hash(algorithm: str) -> type[Sha2]:
    try:
        return HASHES["SHA_" + algorithm.rsplit("_", 1)[-1]]
    except KeyError as err:
        raise KmsError("ValidationException", f"SigningAlgorithm {algorithm} is not supported") from err


def _scheme(algorithm: str) -> tuple[ec.ECDSA] | tuple[padding.AsymmetricPadding, utils.Prehashed]:
    """The arguments after the digest that the key's sign() and verify() take."""
    hash_alg = _hash(algorithm)()
    prehashed = utils.Prehashed(hash_alg)
    if algorithm.startswith("ECDSA"):
        return (ec.ECDSA(prehashed),)
    if algorithm.startswith("RSASSA_PSS"):
        return padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=hash_alg.digest_size), prehashed
    return padding.PKCS1v15(), prehashed


def sign(call: Call, req: dict) -> dict:
    key = _key(call, req.get("KeyId", ""))
    algorithm = req.get("SigningAlgorithm", "")
    digest = _digest(req, algorithm, key)
    signature = key.private_key.private_key.sign(digest, *_scheme(algorithm))
    return {"KeyId": key.arn, "Signature": base64.b64encode(signature).decode(), "SigningAlgorithm": algorithm}


def verify(call: Call, req: dict) -> dict:
    key = _key(call, req.get("KeyId", ""))
    algorithm = req.get("SigningAlgorithm", "")
    digest = _digest(req, algorithm, key)
    public = key.private_key.private_key.public_key()
    signature = base64.b64decode(req.get("Signature", ""))
    try:
        public.verify(signature, digest, *_scheme(algorithm))
    except InvalidSignature as err:
        raise KmsError("KMSInvalidSignatureException", "The signature is not valid") from err
    return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm}


def _mark_aws_managed(call: Call, payload: dict) -> None:
    meta = payload.get("KeyMetadata")
    if not meta:
        return
    from moto.kms.models import kms_backends

    backend = kms_backends[call.account][call.region]
    key = backend.keys.get(meta.get("KeyId", ""))
    if key is not None and any(a.startswith("alias/aws/") for a in key.aliases):
        key.key_manager = "AWS"
        meta["KeyManager"] = "AWS"


def _own(operation: Callable[[Call, dict], dict]) -> Handler:
    """Serves an operation the layer does itself, on moto's keys."""

    def handler(call: Call, forward: Forward) -> Response:
        try:
            return json_response(operation(call, call.json_body()))
        except KmsError as err:
            return error_response(call, 400, err.code, err.message)

    return handler


def _describe_key(call: Call, forward: Forward) -> Response:
    response = forward(call.body)
    if response.status != 200:
        return response
    payload = json.loads(response.body)
    _mark_aws_managed(call, payload)
    return json_response(payload)


def _get_public_key(call: Call, forward: Forward) -> Response:
    """moto 5.2.5 answers the bare key id; AWS answers the key ARN."""
    response = forward(call.body)
    if response.status != 200:
        return response
    payload = json.loads(response.body)
    payload["KeyId"] = _key(call, payload.get("KeyId", ""), usage=None).arn
    return json_response(payload)


OPERATIONS: dict[str, Handler] = {
    "Sign": _own(sign),
    "Verify": _own(verify),
    "DescribeKey": _describe_key,
    "GetPublicKey": _get_public_key,
}
SERVICE = Service(OPERATIONS)
