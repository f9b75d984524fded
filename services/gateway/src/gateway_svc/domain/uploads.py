"""An uploaded file as the request body: raw (any type) or ``multipart/form-data`` with one ``file`` part.

Its name comes from the ``fileName`` query parameter, else a Content-Disposition ``filename``, else
``upload``; it is cleaned so it can be stored, logged and later sent back in a header. Its type is the
one declared, unless that says nothing (``application/octet-stream``, a form encoding, none), when the
name's extension decides.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState

FILE_PART = "file"
DEFAULT_NAME = "upload"
OCTET_STREAM = "application/octet-stream"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_NAME_LENGTH = 255
MAX_MEDIA_TYPE_LENGTH = 200

BY_EXTENSION = {
    "csv": CSV,
    "tsv": "text/tab-separated-values",
    "txt": "text/plain",
    "xlsx": XLSX,
    "xls": "application/vnd.ms-excel",
    "json": "application/json",
}
_SAYS_NOTHING = {"", OCTET_STREAM, "binary/octet-stream", "application/x-www-form-urlencoded"}

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[\t\x20\x21\x23-\x5b\x5d-\x7e]|\\[\t\x20-\x7e])*"'  # printable ASCII only
_MEDIA_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|{_QUOTED}))*$")
_PARAMETER = re.compile(rf'[ \t]*;[ \t]*({_TOKEN})[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^;]*)')
_EXTENDED = re.compile(r"^(utf-8|iso-8859-1)'[^']*'(.*)$", re.IGNORECASE)
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_BOUNDARY = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$")


class UnreadableUpload(ValueError):
    """The body says it is multipart but is not well formed (a 400)."""


class NoFile(ValueError):
    """There is no file to store: an empty body, or a form without its ``file`` part (a 422)."""


@dataclass(frozen=True)
class Upload:
    file_name: str
    content_type: str
    data: bytes


def read_upload(
    body: bytes, content_type: str | None, content_disposition: str | None, file_name: str | None
) -> Upload:
    """The file a request carries, from its body and the headers and query parameter that describe it."""
    media_type, params = split_header(content_type or "")
    if media_type == "multipart/form-data":
        named, declared, data = _file_part(body, params.get("boundary"))
    else:
        named, declared, data = _disposition_name(content_disposition), content_type, body
    if not data:
        raise NoFile("the file is empty")
    name = clean_file_name(file_name if file_name else named)
    return Upload(name, upload_media_type(declared, name), data)


def split_header(value: str) -> tuple[str, dict[str, str]]:
    """A header value like ``form-data; name="file"``: its lower-cased first part and its parameters.

    Quoted values are unquoted; ``name*`` (RFC 8187) values are decoded and win over ``name``.
    """
    head, _, rest = value.partition(";")
    params: dict[str, str] = {}
    extended: dict[str, str] = {}
    for match in _PARAMETER.finditer(";" + rest):
        name, raw = match.group(1).lower(), match.group(2).strip()
        if name.endswith("*"):
            decoded = _extended_value(raw)
            if decoded is not None:
                extended[name[:-1]] = decoded
        elif raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            params[name] = re.sub(r"\\(.)", r"\1", raw[1:-1])
        else:
            params[name] = raw
    return head.strip().lower(), params | extended


def _extended_value(raw: str) -> str | None:
    match = _EXTENDED.match(raw)
    if match is None:
        return None
    return unquote(match.group(2), encoding=match.group(1).lower(), errors="replace")


def _disposition_name(value: str | None) -> str | None:
    return split_header(value)[1].get("filename") if value else None


def clean_file_name(raw: str | None) -> str:
    """A name safe to keep and show: no directories, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", _UNSTORABLE.sub("", raw or ""))
    name = re.split(r"[/\\]", name)[-1].strip()
    if name in ("", ".", ".."):
        return DEFAULT_NAME
    if len(name) <= MAX_NAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 16:
        return stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
    return name[:MAX_NAME_LENGTH]


def safe_media_type(value: str | None) -> str | None:
    """The media type if it is well formed (so it can go back out in a header), else None."""
    value = (value or "").strip()
    if not value or len(value) > MAX_MEDIA_TYPE_LENGTH or not _MEDIA_TYPE.match(value):
        return None
    return value


def upload_media_type(declared: str | None, file_name: str) -> str:
    media_type = safe_media_type(declared)
    if media_type is not None and split_header(media_type)[0] not in _SAYS_NOTHING:
        return media_type
    _, dot, extension = file_name.rpartition(".")
    return BY_EXTENSION.get(extension.lower(), OCTET_STREAM) if dot else OCTET_STREAM


def _file_part(body: bytes, boundary: str | None) -> tuple[str | None, str | None, bytes]:
    """The ``file`` part of a multipart/form-data body (RFC 7578): its file name, type and content."""
    if not boundary or not _BOUNDARY.match(boundary):
        raise UnreadableUpload("multipart/form-data needs a valid boundary parameter")
    found = [part for part in _parts(body, boundary) if part[0].get("name") == FILE_PART]
    if not found:
        raise NoFile(f"the form has no part named {FILE_PART!r}")
    if len(found) > 1:
        raise UnreadableUpload(f"the form has more than one part named {FILE_PART!r}")
    disposition, content_type, data = found[0]
    return disposition.get("filename"), content_type, data


def _parts(body: bytes, boundary: str) -> list[tuple[dict[str, str], str | None, bytes]]:
    """The form-data parts of a body, each as its disposition parameters, content type and content."""
    parts: list[tuple[dict[str, str], str | None, bytes]] = []
    headers: dict[str, str] = {}
    field, value, content = bytearray(), bytearray(), bytearray()

    def header_end() -> None:
        headers[_text(field).strip().lower()] = _text(value).strip()
        field.clear()
        value.clear()

    def part_end() -> None:
        disposition, params = split_header(headers.get("content-disposition", ""))
        if disposition == "form-data":
            parts.append((params, headers.get("content-type"), bytes(content)))
        headers.clear()
        content.clear()

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": lambda data, start, end: field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: value.extend(data[start:end]),
            "on_header_end": header_end,
            "on_part_data": lambda data, start, end: content.extend(data[start:end]),
            "on_part_end": part_end,
        },
    )
    first = body.find(b"--" + boundary.encode("ascii"))
    try:
        parser.write(body[first:] if first > 0 else body)  # a preamble (RFC 2046) is not the parser's business
        parser.finalize()
    except MultipartParseError as error:
        raise UnreadableUpload(f"the multipart body is not well formed: {error}") from error
    if parser.state != MultipartState.END:
        raise UnreadableUpload("the multipart body is not closed")
    return parts


def _text(raw: bytearray) -> str:
    try:
        return raw.decode("utf-8")  # browsers send a non-ASCII file name as UTF-8
    except UnicodeDecodeError:
        return raw.decode("latin-1")
