"""Fault and latency injection, all off by default, switchable at run time.

Set over the admin route `PUT /_dmsemu/faults` with a JSON object:
  latency_ms     fixed latency added to every AWS request (slept per request thread,
                 so concurrent requests overlap)
  throttle_rate  share of requests answered with a throttling error (0..1)
  error_rate     share of requests answered with HTTP 503 (0..1)
  deny           operations answered with AccessDenied: "Operation", "service:Operation"
                 or "service:*" (service = signing name: dms, rds, kms, monitoring…)
  slow           when set, latency_ms applies only to the requests these selectors match
                 (same syntax as deny): a slow service among fast ones, for timeouts
  seed           seed for the random draws, so a run can be repeated
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field

from .protocol import Call


@dataclass
class Faults:
    latency_ms: int = 0
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    deny: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)
    seed: int | None = None


class FaultError(ValueError):
    pass


class Injector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.faults = Faults()
        self._random = random.Random()

    def get(self) -> dict:
        return asdict(self.faults)

    def set(self, doc: dict) -> dict:
        unknown = set(doc) - set(asdict(Faults()))
        if unknown:
            raise FaultError(f"unknown fault settings: {sorted(unknown)}")
        merged = {**asdict(self.faults), **doc}
        try:
            faults = Faults(
                latency_ms=int(merged["latency_ms"]),
                throttle_rate=float(merged["throttle_rate"]),
                error_rate=float(merged["error_rate"]),
                deny=[str(d) for d in merged["deny"] or []],
                slow=[str(d) for d in merged["slow"] or []],
                seed=None if merged["seed"] is None else int(merged["seed"]),
            )
        except (TypeError, ValueError) as err:
            raise FaultError(f"bad fault settings: {err}") from err
        if faults.latency_ms < 0 or not (0 <= faults.throttle_rate <= 1) or not (0 <= faults.error_rate <= 1):
            raise FaultError("latency_ms must be >= 0 and rates within 0..1")
        with self._lock:
            self.faults = faults
            self._random = random.Random(faults.seed)
        return self.get()

    def reset(self) -> None:
        self.set(asdict(Faults()))

    def decide(self, call: Call) -> tuple[float, tuple[int, str, str] | None]:
        """The latency to add (seconds) and the error to answer with, if any."""
        faults = self.faults
        names = {call.operation, f"{call.service}:{call.operation}", f"{call.service}:*"}
        latency = faults.latency_ms / 1000 if not faults.slow or names & set(faults.slow) else 0.0
        denied = names & set(faults.deny)
        if denied:
            code = "AccessDenied" if call.protocol == "query" else "AccessDeniedException"
            action = f"{call.service if call.service != 'monitoring' else 'cloudwatch'}:{call.operation}"
            return latency, (
                403 if call.protocol == "query" else 400,
                code,
                (
                    f"User: arn:aws:sts::{call.account}:assumed-role/dmsemu is not authorized to perform: {action} "
                    "because no identity-based policy allows the action"
                ),
            )
        with self._lock:
            throttle = self._random.random() < faults.throttle_rate
            fail = self._random.random() < faults.error_rate
        if throttle:
            # EC2 throttles with RequestLimitExceeded (EC2 API Reference, "Error codes");
            # other query services with Throttling, JSON ones with ThrottlingException.
            if call.service == "ec2":
                code = "RequestLimitExceeded"
            else:
                code = "Throttling" if call.protocol == "query" else "ThrottlingException"
            return latency, (400, code, "Rate exceeded")
        if fail:
            return latency, (503, "ServiceUnavailable", "Service is unavailable (injected)")
        return latency, None
