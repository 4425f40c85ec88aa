"""The proof-of-work challenge (ALTCHA, self-hosted: no third-party service) a log-in, registration or
reset request must solve once its counts pass their limits (accounts.throttle).

The server signs a challenge with the `altcha` library: find the number n ≤ max_number for which
SHA-256(salt + n) is the given hash. The browser searches for it (static/challenge.js) and posts the
solution; the library checks the hash, the signature and the expiry, and this module makes each
solution good for one request. The work (max_number) doubles every CHALLENGE_STEP requests past the
limit, up to CHALLENGE_MAX_WORK: a person waits a few seconds once, a script pays for every guess.
"""
import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import altcha
from flask import current_app

from contest.accounts import throttle

LIFETIME = timedelta(minutes=10)


def _key() -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"altcha-challenge", hashlib.sha256).digest()


def work_for(excess: int) -> int:
    """The average number of hashes a challenge asks for, `excess` requests past the limit."""
    config = current_app.config
    doublings = min(excess // max(config["CHALLENGE_STEP"], 1), 30)
    return min(config["CHALLENGE_WORK"] * 2 ** doublings, config["CHALLENGE_MAX_WORK"])


def create(excess: int, now: datetime) -> dict:
    """A signed challenge as the page's script reads it (algorithm, challenge, maxNumber, salt, signature)."""
    expires = now.replace(tzinfo=timezone.utc) + LIFETIME if now.tzinfo is None else now + LIFETIME
    challenge = altcha.create_challenge_v1(altcha.ChallengeOptionsV1(
        algorithm="SHA-256", max_number=2 * work_for(excess), hmac_key=_key(), expires=expires))
    return challenge.to_dict()


def verify(payload: str | None, now: datetime) -> bool:
    """True if `payload` (base64 JSON of the solution) solves a challenge we signed, not yet expired and
    never used before; using it counts (in the caller's transaction)."""
    if not payload or len(payload) > 2000:
        return False
    try:
        solution = json.loads(base64.b64decode(payload, validate=True))
        if not isinstance(solution, dict) or not isinstance(solution.get("number"), int):
            return False
        is_valid, _ = altcha.verify_solution_v1(solution, _key(), check_expires=True)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, KeyError):
        return False
    return bool(is_valid) and throttle.claim_once(f"c|{solution['challenge']}", now)


def solve(challenge: dict) -> str:
    """Solve a challenge as the browser does (tests and benchmarks): the payload to post."""
    solution = altcha.solve_challenge_v1(challenge["challenge"], challenge["salt"], challenge["algorithm"],
                                         challenge["maxNumber"])
    return base64.b64encode(json.dumps({**{k: challenge[k] for k in ("algorithm", "challenge", "salt", "signature")},
                                        "number": solution.number}).encode()).decode()
