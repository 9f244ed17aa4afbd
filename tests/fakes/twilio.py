"""A local fake of Twilio's Programmable Messaging REST API (WhatsApp) that validates like Twilio.

The real twilio SDK talks to it over HTTP: `POST /2010-04-01/Accounts/{sid}/Messages.json` with
Basic auth and a form body, answered with a Message resource (201) or Twilio's JSON error
(`code`, `message`, `more_info`, `status`). It checks the account, the recipient, the sender (a
WhatsApp sender or a Messaging Service), the body and Content templates, per-sender throughput
and opt-outs (21610), and applies the 24-hour customer-service window: a free-form message
to a member who has not written within 24 h is accepted, then fails with 63016. Status callbacks
are queued in `callbacks`, signed like Twilio signs them, and posted by `flush_callbacks`.
`parse_whatsapp` reads a body's formatting the way WhatsApp displays it.

Throughput is on by default: `per_sender` admits 80 messages per second per WhatsApp sender
(Twilio's default MPS; set `per_sender.count` for a sender raised to more), as "no more than N
in any window" (see tests/fakes/limits.py). Over it the answer is Twilio's HTTP 429, error
20429 "Too Many Requests" (Twilio's Messages API sends no Retry-After). Every create request
is noted in `log`, and the 429s counted in `rate_limited`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from tests.fakes.limits import SendLog, Window, admit
from tests.fakes.markup import CLOSES_BEFORE, OPENS_AFTER, Atom, Span, bullet, flanked

API_VERSION = "2010-04-01"
MAX_BODY = 1600
MAX_VARIABLE = 1600
WINDOW_SECONDS = 24 * 3600
WHATSAPP_ADDRESS = re.compile(r"whatsapp:\+\d{8,15}")
FORM = "application/x-www-form-urlencoded"
OUTSIDE_WINDOW = (
    "Failed to send freeform message because you are outside the allowed window. If you want to "
    "send messages outside the allowed window, please use a template."
)

Post = Callable[[str, dict[str, str], dict[str, str]], object]


@dataclass
class FakeTwilio:
    """State of the fake account; tests arrange senders, templates and members, read `messages`.

    `messages` holds every accepted message (its form fields plus `sid` and its final `status`:
    "delivered", or "failed" with `ErrorCode`); `callbacks` the status callbacks not posted yet.
    """

    account_sid: str = "AC00000000000000000000000000000000"
    auth_token: str = "twilio-test-token"
    senders: set[str] = field(default_factory=lambda: {"whatsapp:+14155238886"})
    messaging_services: dict[str, str] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    per_sender: Window = field(default_factory=lambda: Window(80, 1.0))
    fail_next: list[tuple[int, int, str]] = field(default_factory=list)
    templates: dict[str, int] = field(default_factory=dict)
    callbacks: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    rate_limited: int = 0
    log: SendLog = field(default_factory=SendLog)
    last_inbound: dict[str, float] = field(default_factory=dict)
    unsubscribed: set[str] = field(default_factory=set)
    _resources: dict[str, dict[str, Any]] = field(default_factory=dict)

    # ---- arranging and reading, from tests ------------------------------------------------

    def member_wrote(self, address: str, at: float | None = None) -> None:
        """Record an inbound message from `address` (at `at`, epoch seconds; default now)."""
        self.last_inbound[address] = time.time() if at is None else at

    def unsubscribe(self, address: str) -> None:
        self.unsubscribed.add(address)

    def resubscribe(self, address: str) -> None:
        self.unsubscribed.discard(address)

    def window_open(self, address: str) -> bool:
        """Whether `address` wrote within the last 24 h, so free-form messages reach them."""
        last = self.last_inbound.get(address)
        return last is not None and time.time() - last < WINDOW_SECONDS

    def sent_to(self, address: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["To"] == address]

    def delivered_to(self, address: str) -> list[dict[str, Any]]:
        return [m for m in self.sent_to(address) if m["status"] != "failed"]

    def signature(self, url: str, params: dict[str, str]) -> str:
        """The `X-Twilio-Signature` Twilio puts on a POST of `params` to `url`."""
        return str(RequestValidator(self.auth_token).compute_signature(url, params))

    def flush_callbacks(self, post: Post) -> int:
        """Post every queued status callback as `post(url, params, headers)`; how many."""
        posted = 0
        while self.callbacks:
            url, params = self.callbacks.pop(0)
            headers = {"X-Twilio-Signature": self.signature(url, params), "Content-Type": FORM}
            post(url, params, headers)
            posted += 1
        return posted

    # ---- the REST API -------------------------------------------------------------------

    def app(self) -> Starlette:
        account = f"/{API_VERSION}/Accounts/{{account_sid}}"
        return Starlette(
            routes=[
                Route(f"{account}/Messages.json", self._create, methods=["POST"]),
                Route(f"{account}/Messages/{{message_sid}}.json", self._fetch, methods=["GET"]),
            ]
        )

    async def _create(self, request: Request) -> Response:
        denied = self._authorized(request)
        if denied:
            return denied
        fields, media = _form(await request.body())
        problem = self._injected() or _recipient_problem(fields)
        if problem:
            return problem
        sender = self._sender(fields)
        if isinstance(sender, Response):
            return sender
        problem = (
            _content_problem(fields, media)
            or self._template_problem(fields)
            or _callback_problem(fields)
            or self._unsubscribed_problem(fields["To"])
        )
        if problem:
            return problem
        if self._too_fast(sender):
            self.rate_limited += 1
            return _error(429, 20429, "Too Many Requests")
        return JSONResponse(self._accept(fields, media, sender), status_code=201)

    async def _fetch(self, request: Request) -> Response:
        denied = self._authorized(request)
        resource = self._resources.get(request.path_params["message_sid"])
        if denied or resource is None:
            return denied or _error(
                404, 20404, f"The requested resource {request.url.path} was not found"
            )
        return JSONResponse(resource)

    def _authorized(self, request: Request) -> Response | None:
        expected = f"{self.account_sid}:{self.auth_token}"
        if (
            _basic_credentials(request.headers.get("authorization", "")) != expected
            or request.path_params["account_sid"] != self.account_sid
        ):
            response = _error(401, 20003, "Authenticate")
            response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return response
        return None

    def _injected(self) -> Response | None:
        if not self.fail_next:
            return None
        status, code, message = self.fail_next.pop(0)
        self.rate_limited += status == 429
        return _error(status, code, message)

    def _sender(self, fields: dict[str, str]) -> str | Response:
        """The WhatsApp address the message goes out from: `From`, or the service's sender."""
        sender, service = fields.get("From"), fields.get("MessagingServiceSid")
        if sender:
            if sender not in self.senders:
                return _error(
                    400, 63007, "Twilio could not find a Channel with the specified From address"
                )
            return sender
        if service:
            if service not in self.messaging_services:
                return _error(400, 21701, f"The Messaging Service Sid {service} is invalid.")
            return self.messaging_services[service]
        return _error(400, 21603, "A 'From' phone number is required.")

    def _template_problem(self, fields: dict[str, str]) -> Response | None:
        content_sid = fields.get("ContentSid")
        if not content_sid:
            return None
        if content_sid not in self.templates:
            return _error(400, 21655, "The ContentSid is Invalid")
        try:
            variables = json.loads(fields.get("ContentVariables") or "{}")
        except ValueError:
            variables = None
        wanted = {str(n) for n in range(1, self.templates[content_sid] + 1)}
        if (
            not isinstance(variables, dict)
            or not all(isinstance(v, str) and v for v in variables.values())
            or not wanted <= variables.keys()
        ):
            return _error(400, 21656, "The ContentVariables Parameter is invalid.")
        if any(len(v) > MAX_VARIABLE for v in variables.values()):
            return _error(400, 21658, "A ContentVariables value exceeds the 1600 character limit.")
        return None

    def _unsubscribed_problem(self, recipient: str) -> Response | None:
        if recipient in self.unsubscribed:
            return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        return None

    def _too_fast(self, sender: str) -> bool:
        """Whether this message would break `sender`'s throughput; if not, it is counted."""
        now = time.monotonic()
        limited = admit([(self.per_sender, sender)], now) > 0
        self.log.note(now, limited=limited)
        return limited

    def _accept(self, fields: dict[str, str], media: list[str], sender: str) -> dict[str, Any]:
        """Record the message, settle its fate and queue its callbacks; the 201 payload."""
        sid = "SM" + uuid.uuid4().hex
        service = None if fields.get("From") else fields.get("MessagingServiceSid")
        free_form = not fields.get("ContentSid")
        failed = free_form and not self.window_open(fields["To"])
        message: dict[str, Any] = {
            **fields,
            "sid": sid,
            "status": "failed" if failed else "delivered",
        }
        if media:
            message["MediaUrl"] = media
        if failed:
            message.update(ErrorCode="63016", ErrorMessage=OUTSIDE_WINDOW)
        self.messages.append(message)
        now = format_datetime(datetime.now(UTC))
        created: dict[str, Any] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "from": None if service else sender,
            "to": fields["To"],
            "body": fields.get("Body", ""),
            "status": "accepted" if service else "queued",
            "num_segments": "0" if service else "1",
            "num_media": str(len(media)),
            "direction": "outbound-api",
            "api_version": API_VERSION,
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "messaging_service_sid": fields.get("MessagingServiceSid"),
            "price": None,
            "price_unit": "USD",
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {},
        }
        self._resources[sid] = {
            **created,
            "from": sender,
            "num_segments": "1",
            "status": message["status"],
            "date_sent": None if failed else now,
            "error_code": 63016 if failed else None,
            "error_message": OUTSIDE_WINDOW if failed else None,
        }
        self._queue_callbacks(fields, sid, sender, service, failed=failed)
        return created

    def _queue_callbacks(
        self, fields: dict[str, str], sid: str, sender: str, service: str | None, *, failed: bool
    ) -> None:
        """The status callbacks Twilio posts after the initial status (never for it)."""
        url = fields.get("StatusCallback")
        if not url:
            return
        statuses = ["queued"] if service else []
        statuses += ["failed"] if failed else ["sent", "delivered"]
        for status in statuses:
            params = {
                "MessageSid": sid,
                "SmsSid": sid,
                "SmsStatus": status,
                "MessageStatus": status,
                "AccountSid": self.account_sid,
                "From": sender,
                "To": fields["To"],
                "ApiVersion": API_VERSION,
                "ChannelPrefix": "whatsapp",
            }
            if service:
                params["MessagingServiceSid"] = service
            if status == "failed":
                params.update(ErrorCode="63016", ErrorMessage=OUTSIDE_WINDOW)
            self.callbacks.append((url, params))


def _recipient_problem(fields: dict[str, str]) -> Response | None:
    recipient = fields.get("To")
    if not recipient:
        return _error(400, 21604, "A 'To' phone number is required.")
    if not WHATSAPP_ADDRESS.fullmatch(recipient):
        return _error(400, 21211, f"Invalid 'To' Phone Number: {recipient}")
    return None


def _content_problem(fields: dict[str, str], media: list[str]) -> Response | None:
    body, content_sid = fields.get("Body"), fields.get("ContentSid")
    if not body and not content_sid and not media:
        return _error(400, 21619, "A text message body or media urls must be specified.")
    if body and len(body) > MAX_BODY:
        return _error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    if fields.get("ContentVariables") and not content_sid:
        return _error(
            400,
            21654,
            "A ContentSid must be specified if ContentVariables are provided in the request.",
        )
    return None


def _callback_problem(fields: dict[str, str]) -> Response | None:
    url = fields.get("StatusCallback")
    if url is None:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname or "_" in parsed.hostname:
        return _error(400, 21609, f"The StatusCallback URL {url} is not a valid URL.")
    return None


def _form(raw: bytes) -> tuple[dict[str, str], list[str]]:
    """The form fields (first value of each) and the repeated `MediaUrl` values."""
    parsed = parse_qs(raw.decode(), keep_blank_values=True)
    media = parsed.pop("MediaUrl", [])
    return {k: v[0] for k, v in parsed.items()}, media


def _basic_credentials(header: str) -> str | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )


# ---- WhatsApp formatting, as the app displays it ------------------------------------------

_DELIMITERS = {"*": "bold", "_": "italic", "~": "strike"}
_URL = re.compile(r"https?://[^\s\u200b\u2060]+")
_QUOTE = re.compile(r"[ \t]*> ?")


def parse_whatsapp(body: str) -> list[Span]:
    """What a body shows, as spans (see tests/fakes/markup.py). WhatsApp's documented
    formatting: `*bold*`, `_italic_`, `~strike~`, ```` ```monospace``` ```` and `` `code` ``
    on one line, with no escape; `> ` quotes; `* ` and `- ` bullets (shown "• "); numbered
    lists show their numbers as typed; web addresses are linked whole."""
    spans: list[Span] = []
    for index, line in enumerate(body.split("\n")):
        if index:
            spans.append(("\n", frozenset()))
        spans += _whatsapp_line(line)
    return spans


def _whatsapp_line(line: str) -> list[Span]:
    quote = _QUOTE.match(line)
    if quote:
        return [(text, marks | {"quote"}) for text, marks in _whatsapp_line(line[quote.end() :])]
    listed = bullet(line, ("*", "-"))
    if listed:
        shown, rest = listed
        return [(shown, frozenset()), *flanked(_whatsapp_atoms(rest), rest, _DELIMITERS)]
    return flanked(_whatsapp_atoms(line), line, _DELIMITERS)


def _whatsapp_atoms(line: str) -> list[Atom]:
    atoms: list[Atom] = []
    position = 0
    while position < len(line):
        atom = _monospace(line, position) or _whatsapp_address(line, position)
        if atom is None:
            char = line[position]
            delimiter = char if char in _DELIMITERS else ""
            atom = Atom(char, frozenset(), position, position + 1, delimiter)
        atoms.append(atom)
        position = atom.end
    return atoms


def _whatsapp_address(line: str, at: int) -> Atom | None:
    found = _URL.match(line, at)
    if found is None or (at and line[at - 1] not in OPENS_AFTER):
        return None
    return Atom(found.group(), frozenset({"autolink"}), at, found.end())


def _monospace(line: str, at: int) -> Atom | None:
    fence = "```" if line.startswith("```", at) else "`" if line.startswith("`", at) else ""
    if not fence or (at and line[at - 1] not in OPENS_AFTER):
        return None
    end = line.find(fence, at + len(fence) + 1)
    after = line[end + len(fence)] if 0 <= end < len(line) - len(fence) else "\n"
    if end < 0 or line[at + len(fence)].isspace() or after not in CLOSES_BEFORE:
        return None
    return Atom(line[at + len(fence) : end], frozenset({"code"}), at, end + len(fence))
