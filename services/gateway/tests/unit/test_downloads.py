from urllib.parse import unquote

from gateway_svc.domain.downloads import content_disposition, download_headers


def test_a_plain_ascii_name_is_a_quoted_filename():
    assert content_disposition("people 2026.csv") == 'attachment; filename="people 2026.csv"'


def test_a_non_ascii_name_gets_an_ascii_fallback_and_an_encoded_filename_star():
    value = content_disposition("Übersicht €.csv")
    fallback, extended = value.split("; filename*=")
    assert fallback == 'attachment; filename="Ubersicht _.csv"'
    assert extended.startswith("UTF-8''") and unquote(extended.removeprefix("UTF-8''")) == "Übersicht €.csv"
    value.encode("latin-1")  # a header value must be


def test_quotes_backslashes_and_percent_signs_never_reach_the_quoted_name():
    value = content_disposition('a"b%41.csv')
    assert value == "attachment; filename=\"a_b_41.csv\"; filename*=UTF-8''a%22b%2541.csv"
    assert content_disposition("a\r\nSet-Cookie: x") == 'attachment; filename="aSet-Cookie: x"'


def test_what_has_no_ascii_form_is_an_underscore_in_the_fallback():
    assert content_disposition("出席者.csv").startswith('attachment; filename="___.csv"')


def test_download_headers_carry_type_name_and_a_quoted_digest():
    digest = "ab" * 32
    headers = download_headers("a.csv", "text/csv", digest)
    assert headers == {
        "Content-Type": "text/csv",
        "Content-Disposition": 'attachment; filename="a.csv"',
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{digest}"',
    }
    assert "ETag" not in download_headers("a", "bad type", None)
    assert download_headers("a", "bad type", None)["Content-Type"] == "application/octet-stream"
