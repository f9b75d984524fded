import pytest
from gateway_svc.domain.uploads import (
    CSV,
    OCTET_STREAM,
    XLSX,
    NoFile,
    UnreadableUpload,
    clean_file_name,
    read_upload,
    safe_media_type,
    split_header,
)

BOUNDARY = "----form7MA4YWxk"
FILE_HEADER = 'Content-Disposition: form-data; name="file"'


def _form(*parts: tuple[str, bytes], boundary: str = BOUNDARY) -> bytes:
    lines = b""
    for headers, content in parts:
        lines += f"--{boundary}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"
    return lines + f"--{boundary}--\r\n".encode()


def _multipart(boundary: str = BOUNDARY) -> str:
    return f"multipart/form-data; boundary={boundary}"


def test_a_raw_body_is_the_file_named_by_the_query_first_then_the_content_disposition():
    upload = read_upload(b"a,b\n1,2\n", "text/csv", 'attachment; filename="people.csv"', None)
    assert (upload.file_name, upload.content_type, upload.data) == ("people.csv", CSV, b"a,b\n1,2\n")
    assert read_upload(b"x", "text/csv", 'attachment; filename="people.csv"', "mine.csv").file_name == "mine.csv"
    assert read_upload(b"x", None, None, None).file_name == "upload"


def test_an_extended_filename_wins_and_is_decoded():
    disposition = "attachment; filename=\"fallback.csv\"; filename*=UTF-8''Teilnehmer%20%C3%BCbersicht.csv"
    assert read_upload(b"x", CSV, disposition, None).file_name == "Teilnehmer übersicht.csv"


def test_a_generic_type_is_replaced_by_the_one_the_extension_names():
    assert read_upload(b"x", None, None, "people.CSV").content_type == CSV
    assert read_upload(b"x", "application/x-www-form-urlencoded", None, "people.xlsx").content_type == XLSX
    assert read_upload(b"x", OCTET_STREAM, None, "people.bin").content_type == OCTET_STREAM
    assert read_upload(b"x", "text/csv; charset=utf-8", None, "a.xlsx").content_type == "text/csv; charset=utf-8"
    assert read_upload(b"x", "not a type\r\nX-Evil: 1", None, "a").content_type == OCTET_STREAM


def test_an_empty_body_is_no_file():
    with pytest.raises(NoFile):
        read_upload(b"", CSV, None, "a.csv")


def test_a_multipart_form_gives_its_file_part_with_its_name_and_type():
    body = _form(
        ('Content-Disposition: form-data; name="note"', b"ignored"),
        (
            'Content-Disposition: form-data; name="file"; filename="p\\"q.csv"\r\nContent-Type: text/csv',
            b"a,b\r\n1,2\r\n--not-the-boundary\r\n",
        ),
    )
    upload = read_upload(body, _multipart(), None, None)
    assert (upload.file_name, upload.content_type) == ('p"q.csv', CSV)
    assert upload.data == b"a,b\r\n1,2\r\n--not-the-boundary\r\n"


def test_a_multipart_file_keeps_every_byte_and_a_utf8_name():
    content = bytes(range(256)) * 3 + b"\r\n\r\n"
    headers = 'Content-Disposition: form-data; name="file"; filename="Übersicht.xlsx"'
    body = b"preamble\r\n" + _form((headers, content), boundary="a b:c")
    upload = read_upload(body, _multipart('"a b:c"'), None, None)
    assert upload.data == content
    assert (upload.file_name, upload.content_type) == ("Übersicht.xlsx", XLSX)


def test_a_form_without_its_file_part_or_with_an_empty_one_is_no_file():
    with pytest.raises(NoFile):
        read_upload(_form(('Content-Disposition: form-data; name="other"', b"x")), _multipart(), None, None)
    with pytest.raises(NoFile):
        read_upload(_form(('Content-Disposition: form-data; name="file"', b"")), _multipart(), None, None)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"no parts at all", _multipart()),
        (_form(('Content-Disposition: form-data; name="file"', b"x")), "multipart/form-data"),
        (_form(('Content-Disposition: form-data; name="file"', b"x"))[:-20], _multipart()),
        (f"--{BOUNDARY}\r\nContent-Disposition: form-data".encode(), _multipart()),
        (f"--{BOUNDARY}\r\nno colon here\r\n\r\nx\r\n--{BOUNDARY}--".encode(), _multipart()),
        (
            _form((FILE_HEADER, b"1"), (FILE_HEADER, b"2")),
            _multipart(),
        ),
    ],
)
def test_a_malformed_form_is_unreadable(body, content_type):
    with pytest.raises(UnreadableUpload):
        read_upload(body, content_type, None, None)


def test_a_file_name_loses_directories_and_control_characters_and_is_capped():
    assert clean_file_name("C:\\Users\\me\\people.csv") == "people.csv"
    assert clean_file_name("../../etc/passwd") == "passwd"
    assert clean_file_name("a\x00b\r\nc\ud800.csv") == "abc.csv"
    assert clean_file_name(" .. ") == "upload"
    assert clean_file_name("") == "upload"
    long = clean_file_name("x" * 300 + ".xlsx")
    assert len(long) == 255 and long.endswith(".xlsx")


def test_header_parameters_are_unquoted_and_lower_cased_by_name():
    assert split_header('Form-Data; Name="file"; filename=plain.csv') == (
        "form-data",
        {"name": "file", "filename": "plain.csv"},
    )
    assert split_header("attachment; filename*=bogus''x")[1] == {}


def test_only_a_well_formed_media_type_may_go_back_out():
    assert safe_media_type(' text/csv; charset="utf-8" ') == 'text/csv; charset="utf-8"'
    assert safe_media_type("text/csv; charset=ü") is None
    assert safe_media_type("text") is None
    assert safe_media_type("x/" + "y" * 300) is None
