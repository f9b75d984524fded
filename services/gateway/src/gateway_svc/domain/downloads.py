"""The headers of a file sent as a download: its type, an attachment name any client reads, its version."""

import re
import unicodedata
from urllib.parse import quote

from .uploads import OCTET_STREAM, clean_file_name, safe_media_type

_PLAIN = re.compile(r"^[\x20-\x7e]+$")
_NOT_IN_FALLBACK = re.compile(r'[^\x20-\x7e]|["\\%]')
# RFC 8187 attr-char beyond letters and digits
_ATTR_CHARS = "!#$&+-.^_`|~"


def content_disposition(file_name: str) -> str:
    """``attachment`` with the name (RFC 6266): quoted ASCII for every client, ``filename*`` for the rest."""
    name = clean_file_name(file_name)
    if _PLAIN.match(name) and not _NOT_IN_FALLBACK.search(name):
        return f'attachment; filename="{name}"'
    fallback = _NOT_IN_FALLBACK.sub("_", _ascii(name)).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"


def _ascii(name: str) -> str:
    """Letters without their accents (Ü → U); what has no ASCII form becomes ``_``."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c if c.isascii() else "_" for c in decomposed if not unicodedata.combining(c))


def entity_tag(sha256: str | None) -> str | None:
    return f'"{sha256}"' if sha256 else None


def download_headers(file_name: str, content_type: str, sha256: str | None) -> dict[str, str]:
    headers = {
        "Content-Type": safe_media_type(content_type) or OCTET_STREAM,
        "Content-Disposition": content_disposition(file_name),
        "X-Content-Type-Options": "nosniff",  # a stored file is never rendered as something else
    }
    etag = entity_tag(sha256)
    if etag is not None:
        headers["ETag"] = etag
    return headers
