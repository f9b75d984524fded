from gateway_svc.domain.rate_headers import rate_limit_headers
from gateway_svc.domain.rate_window import Verdict


def test_an_admitted_request_gets_the_original_and_the_ietf_headers():
    headers = rate_limit_headers("STANDARD", Verdict(True, 100, 99, 1_700_000_060), 1_700_000_000.2)
    assert headers == {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "99",
        "X-RateLimit-Reset": "1700000060",
        "RateLimit-Policy": '"STANDARD";q=100;w=60',
        "RateLimit": '"STANDARD";r=99;t=60',
    }


def test_a_refused_request_also_gets_retry_after():
    headers = rate_limit_headers("PUBLIC", Verdict(False, 60, 0, 1_700_000_030, retry_after=30), 1_700_000_000)
    assert headers["Retry-After"] == "30"
    assert headers["RateLimit"] == '"PUBLIC";r=0;t=30'
