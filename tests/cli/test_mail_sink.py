import smtplib
from email.message import EmailMessage

from plenary_cli.mail_sink import MailSink


def test_the_dev_mail_sink_keeps_each_email_as_an_eml_file(tmp_path):
    sink = MailSink(tmp_path / "mail")
    sink.start()
    try:
        for n in (1, 2):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "a@plenary.local", "b@example.org", f"Hello {n}/2"
            message.set_content(f"body {n}")
            with smtplib.SMTP(sink.env["PLENARY_SMTP_HOST"], int(sink.env["PLENARY_SMTP_PORT"])) as client:
                client.send_message(message)
    finally:
        sink.stop()
    kept = sorted((tmp_path / "mail").glob("*.eml"))
    assert [p.name.split("-", 3)[-1] for p in kept] == ["Hello-1-2.eml", "Hello-2-2.eml"]
    assert "body 2" in kept[1].read_text()
    assert sink.env["PLENARY_SMTP_STARTTLS"] == "false"
