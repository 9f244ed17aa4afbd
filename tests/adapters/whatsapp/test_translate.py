"""WhatsApp rendering and inbound translation, as pure functions."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hub.adapters.whatsapp import render, translate
from hub.core.model.deliveries import Destination
from hub.core.model.events import (
    ButtonClicked,
    CommandInvoked,
    MemberJoined,
    MessageReceived,
    OptedIn,
    OptedOut,
)
from hub.core.model.flattening import as_name
from hub.core.model.lookalikes import WEB_ADDRESS
from hub.core.model.messages import Button, MemberTarget, Outbound
from hub.core.model.richtext import (
    Mention,
    Paragraph,
    RichText,
    escape_markup,
    parse_markup,
)
from hub.core.model.templates import member_variables, render_template
from tests.adapters.markup_checks import Dialect, expected_spans, rich_texts, shown
from tests.adapters.whatsapp.conftest import HUB_NUMBER, message_form
from tests.fakes.twilio import parse_whatsapp

LISTS = translate.ListsOf("inside-freelancing", {"main": "membres", "annonces": "news"}, "JOIN")
MEMBER = "whatsapp:+33612345678"
TO = Destination(community_id="c", platform="whatsapp", address=MEMBER, member_id=1)


def body_of(markup: str) -> str:
    outbound = Outbound(key="k", target=MemberTarget(member_id=1), body=parse_markup(markup))
    (payload,) = render.payloads(outbound, "")
    return str(payload["body"])


def test_rich_text_becomes_whatsapp_formatting() -> None:
    assert body_of("**Bravo** _toi_ `code` [le site](https://ex.org/a_b)") == (
        "*Bravo* _toi_ ```code``` le site (https://ex.org/a_b)"
    )
    assert body_of("- un\n- deux\n\nfin") == "- un\n- deux\n\nfin"


def test_mentions_are_names_and_member_text_can_never_format() -> None:
    name = "*Jean_Pierre* ~x~ `y`"
    body = render_template(
        "Bienvenue {{ member.mention }} : {{ said }}",
        {"member": member_variables(3, name), "said": "_hello_ https://site.io/a_b_c"},
    )
    outbound = Outbound(key="k", target=MemberTarget(member_id=3), body=body)
    text = render.payloads(outbound, "")[0]["body"]
    assert text == "Bienvenue ∗JeanˍPierre∗ ∼x∼ ˋyˋ : ˍhelloˍ https://site.io/a_b_c"
    assert isinstance(body.blocks[0], Paragraph)
    assert any(isinstance(node, Mention) for node in body.blocks[0].children)


@given(st.text(min_size=1, max_size=300))
def test_no_member_text_renders_a_formatting_character(said: str) -> None:
    text = body_of(escape_markup(said))
    for url in WEB_ADDRESS.findall(text):
        text = text.replace(url, "")
    assert not set("*_~`") & set(text)


def test_long_texts_are_split_under_1600_between_paragraphs() -> None:
    paragraphs = [f"Paragraphe {i} " + " ".join(["mot"] * 60) for i in range(20)]
    outbound = Outbound(
        key="k", target=MemberTarget(member_id=1), body=parse_markup("\n\n".join(paragraphs))
    )
    parts = [p["body"] for p in render.payloads(outbound, "")]
    assert len(parts) > 1 and all(len(p) <= 1600 for p in parts)
    assert all(p.startswith("Paragraphe") for p in parts)
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)


def test_buttons_become_numbered_choices_remembered_on_the_last_part() -> None:
    outbound = Outbound(
        key="poll",
        target=MemberTarget(member_id=1),
        body=parse_markup("Apéro jeudi ?"),
        buttons=(
            Button(label="Oui", action="vote", value="7:0"),
            Button(label="Non", action="vote", value="7:1"),
        ),
    )
    (payload,) = render.payloads(outbound, "_Réponds avec le numéro._")
    assert payload["body"] == "Apéro jeudi ?\n\n1. Oui\n2. Non\n\n_Réponds avec le numéro._"
    assert payload["choices"] == [["vote", "7:0"], ["vote", "7:1"]]


def test_template_parameters_are_one_line() -> None:
    outbound = Outbound(
        key="k",
        target=MemberTarget(member_id=1),
        body=parse_markup("Question :\n\n**Premier   client ?**"),
    )
    variables = render.template_variables(outbound, "Zoé")
    assert variables["text"] == "Question : Premier client ?"
    assert render.one_line("") == "-"
    assert len(render.one_line("x" * 5000)) == render.MAX_VARIABLE


def inbound(body: str, **extra: str) -> translate.Inbound:
    return translate.message_to_core(message_form(MEMBER, body, **extra), LISTS)


def test_join_keyword_joins_the_named_list_or_the_first() -> None:
    (joined,) = inbound("JOIN news").events
    assert isinstance(joined, MemberJoined) and joined.space == "annonces"
    (joined,) = inbound("join inside-freelancing").events
    assert isinstance(joined, MemberJoined) and joined.space == "main"
    assert inbound("Join").answer == "joined"
    assert joined.actor.user_id == MEMBER and joined.actor.display_name == "Zoé"


def test_stop_and_its_french_variants_opt_out_and_start_opts_back_in() -> None:
    for word in ("STOP", "stop", "Arrêt", "ARRET", "désinscrire", "Stop."):
        events = inbound(word).events
        assert [type(e) for e in events] == [OptedOut], word
        assert inbound(word).answer == "stopped"
    assert [type(e) for e in inbound("START").events] == [OptedIn]
    assert [type(e) for e in inbound("stop sending me polls please").events] == [MessageReceived]


def test_help_is_answered_at_once_and_commands_are_commands() -> None:
    assert inbound("HELP") == translate.Inbound(answer="help")
    assert inbound("aide").answer == "help"
    (command,) = inbound("hub shoutout @ana merci").events
    assert isinstance(command, CommandInvoked) and command.name == "shoutout"
    (command,) = inbound("/help").events
    assert isinstance(command, CommandInvoked) and command.name == "help"


def test_messages_replies_and_quick_reply_buttons() -> None:
    (message,) = inbound(
        "Mon premier client : une boulangerie", OriginalRepliedMessageSid="SMq"
    ).events
    assert isinstance(message, MessageReceived) and message.reply_to == "SMq"
    assert message.space is None and message.event_id.startswith("whatsapp:SM")
    (click,) = inbound("Oui", ButtonPayload="vote:7:0", ButtonText="Oui").events
    assert isinstance(click, ButtonClicked) and (click.action, click.value) == ("vote", "7:0")
    (text,) = inbound("", ButtonPayload="opaque", ButtonText="Plus tard").events
    assert isinstance(text, MessageReceived) and text.text == "Plus tard"


def test_forms_without_a_whatsapp_sender_or_a_sid_mean_nothing() -> None:
    assert translate.message_to_core({"From": "+3361", "MessageSid": "SM1"}, LISTS).events == ()
    assert translate.message_to_core({"From": MEMBER}, LISTS).events == ()


@given(st.dictionaries(st.sampled_from(sorted(message_form(MEMBER, "x"))), st.text(max_size=40)))
def test_no_form_makes_the_translator_raise(fields: dict[str, str]) -> None:
    translate.message_to_core(fields, LISTS)
    translate.status_to_core(fields, "c")


def test_status_callbacks_become_delivery_reports() -> None:
    form = {"MessageSid": "SM9", "MessageStatus": "delivered", "To": MEMBER, "From": HUB_NUMBER}
    report = translate.status_to_core(form, "c")
    assert report is not None and report.status == "delivered" and report.reason is None
    failed = translate.status_to_core(
        {**form, "MessageStatus": "undelivered", "ErrorCode": "63016"}, "c"
    )
    assert failed is not None and failed.status == "failed" and failed.outside_window
    assert failed.reason is not None and failed.reason.startswith("twilio 63016")
    gone = translate.status_to_core({**form, "MessageStatus": "failed", "ErrorCode": "63024"}, "c")
    assert gone is not None and gone.recipient_unreachable
    assert translate.status_to_core({**form, "MessageStatus": "sending"}, "c") is None


def test_rich_text_with_nothing_in_it_still_sends_something() -> None:
    outbound = Outbound(key="k", target=MemberTarget(member_id=1), body=RichText(()))
    assert render.payloads(outbound, "")[0]["body"].strip() == ""


def test_struck_text_is_single_tildes() -> None:
    assert body_of("~~complet~~ et ~10") == "~complet~ et ∼10"


# ---- markup from members and owners shows cleanly (issue 11, point 7) ----------------------

WHATSAPP = Dialect("whatsapp", mentions=as_name, links_as_text=True)


def test_a_bold_title_around_a_mention_shows_as_one_bold_title() -> None:
    body = render_template(
        "🌟 **À la une : {{ featured.mention }}**", {"featured": member_variables(9, "*Amélie*")}
    )
    outbound = Outbound(key="k", target=MemberTarget(member_id=1), body=body)
    (payload,) = render.payloads(outbound, "")
    assert payload["body"] == "🌟 *À la une : ∗Amélie∗*"
    assert shown(parse_whatsapp(payload["body"])) == [
        ("🌟 ", frozenset()),
        ("À la une : ∗Amélie∗", {"bold"}),
    ]


@settings(max_examples=400, deadline=None)
@given(rich_texts("whatsapp"))
def test_any_rich_text_shows_on_whatsapp_exactly_as_meant(body: RichText) -> None:
    payloads = render.payloads(Outbound(key="k", target=MemberTarget(member_id=1), body=body), "")
    assume(len(payloads) == 1)  # long texts are split: shown by the splitting tests
    assert shown(parse_whatsapp(payloads[0]["body"])) == shown(expected_spans(body, WHATSAPP))
