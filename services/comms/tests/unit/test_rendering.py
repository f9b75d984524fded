from datetime import UTC, datetime

from comms_svc.domain.rendering import (
    EventInfo,
    Recipient,
    recipient_values,
    render,
    render_message,
    variables_of,
)


def test_known_variables_are_replaced_and_unknown_ones_stay_as_written():
    rendered = render("Dear {{firstName}}, see {{nope}} and {{firstName}}", {"firstName": "Ada"})
    assert rendered.text == "Dear Ada, see {{nope}} and Ada"
    assert rendered.unknown == ("nope",)


def test_only_letters_digits_and_underscores_make_a_variable():
    values = {"a": "X", "a_1": "Y"}
    assert render("{{ a }} {{a.b}} {{a-b}} {{a_1}} {a}", values).text == "{{ a }} {{a.b}} {{a-b}} Y {a}"


def test_values_are_text_never_code():
    rendered = render("{{x}}", {"x": "{{y}} ${1+1} __import__('os')", "y": "no"})
    assert rendered.text == "{{y}} ${1+1} __import__('os')"


def test_html_email_bodies_escape_values_but_plain_ones_do_not():
    values = {"firstName": "<script>alert(1)</script>&"}
    html = render_message("Hi {{firstName}}", "<p>Hi {{firstName}}</p>", values, html_email=True)
    assert html.body == "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;&amp;</p>"
    assert html.subject == "Hi <script>alert(1)</script>&"  # a subject is plain text
    plain = render_message(None, "Hi {{firstName}}", values, html_email=True)
    assert plain.body == "Hi <script>alert(1)</script>&"
    sms = render_message(None, "<b>{{firstName}}</b>", values, html_email=False)
    assert sms.body == "<b><script>alert(1)</script>&</b>"


def test_built_ins_cover_the_participant_and_the_event_and_extras_add_their_keys():
    person = Recipient("Ada", "Lovelace", "ada@example.org", "APPROVED", "Delegate", {"seat": "A1", "name": "x"})
    event = EventInfo("Summit", datetime(2027, 3, 15, 9, tzinfo=UTC), "UTC")
    values = recipient_values(person, event)
    assert values == {
        "seat": "A1",
        "name": "Ada Lovelace",  # a built-in wins over an extra of the same name
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.org",
        "status": "APPROVED",
        "participantType": "Delegate",
        "eventName": "Summit",
        "eventDate": "15 March 2027",
    }


def test_event_date_is_the_day_in_the_events_timezone():
    late_utc = datetime(2027, 3, 15, 22, 30, tzinfo=UTC)
    person = Recipient("A", "B", None, "PENDING")
    assert recipient_values(person, EventInfo("S", late_utc, "Africa/Addis_Ababa"))["eventDate"] == "16 March 2027"
    assert recipient_values(person, EventInfo("S", late_utc, "America/New_York"))["eventDate"] == "15 March 2027"
    assert recipient_values(person, EventInfo("S", late_utc, "Not/AZone"))["eventDate"] == "15 March 2027"


def test_missing_values_render_empty_and_lists_join():
    assert render("[{{a}}] [{{b}}] [{{c}}]", {"a": None, "b": ["x", "y"], "c": True}).text == "[] [x, y] [true]"


def test_variables_of_lists_each_once_in_order():
    assert variables_of("{{b}} {{a}}", None, "{{b}} {{c}}") == ["b", "a", "c"]
