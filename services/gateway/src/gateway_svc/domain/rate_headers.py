"""Rate-limit response headers: the classic X-RateLimit-* trio and the IETF RateLimit fields."""

import math

from .rate_window import WINDOW_MS, Verdict

WINDOW_SECONDS = WINDOW_MS // 1000


def rate_limit_headers(policy: str, verdict: Verdict, now: float) -> dict[str, str]:
    """Headers for a response to a rate-limited request; ``Retry-After`` too when it was refused."""
    until_reset = max(0, math.ceil(verdict.reset_at - now))
    headers = {
        "X-RateLimit-Limit": str(verdict.limit),
        "X-RateLimit-Remaining": str(verdict.remaining),
        "X-RateLimit-Reset": str(verdict.reset_at),
        "RateLimit-Policy": f'"{policy}";q={verdict.limit};w={WINDOW_SECONDS}',
        "RateLimit": f'"{policy}";r={verdict.remaining};t={until_reset}',
    }
    if not verdict.allowed and verdict.retry_after is not None:
        headers["Retry-After"] = str(verdict.retry_after)
    return headers
