"""Owner-written message templates, run in Jinja2's sandbox.

Every value a template prints is escaped for the hub's markup (so a member named
"**Jean_Pierre**" stays literal text), except values the hub marks safe, like mentions.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup
from pydantic import AfterValidator

from hub.core.model.plurals import DEFAULT_LOCALE, FILTERS
from hub.core.model.richtext import RichText, escape_markup, mention_markup, parse_markup


class TemplateError(ValueError):
    """A template that cannot compile or render; the message says where and why."""


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return str(value)
    return escape_markup("" if value is None else str(value))


def _with_helpers(environment: SandboxedEnvironment) -> SandboxedEnvironment:
    environment.filters.update(FILTERS)
    return environment


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    return _with_helpers(
        SandboxedEnvironment(
            autoescape=False,
            undefined=StrictUndefined,
            finalize=_finalize,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    )


def check_template(source: str) -> None:
    """Raise TemplateError if `source` does not compile (used by `hub validate`)."""
    try:
        _environment().from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateError(
            f"template syntax error on its line {error.lineno}: {error.message}"
        ) from None


def variables_of(source: str) -> frozenset[str]:
    """The variables `source` reads from outside (not those it sets or loops over itself)."""
    try:
        return frozenset(meta.find_undeclared_variables(_environment().parse(source)))
    except TemplateSyntaxError:
        return frozenset()


def _checked(source: str) -> str:
    check_template(source)
    return source


TemplateSource = Annotated[str, AfterValidator(_checked)]
"""A config field holding a template: `hub validate` reports syntax errors with its position."""


def trusted(markup: str) -> Markup:
    """Mark owner-written markup as safe to print unescaped inside a template."""
    return Markup(markup)


@lru_cache(maxsize=512)
def _compiled(source: str) -> Any:
    return _environment().from_string(source)


def render_template(source: str, variables: Mapping[str, Any]) -> RichText:
    """Render a template into rich text; unknown variables are errors, not blanks."""
    try:
        text = _compiled(source).render(**variables)
    except TemplateSyntaxError as error:
        raise TemplateError(f"template syntax error: {error.message}") from None
    except UndefinedError as error:
        raise TemplateError(f"template uses an unknown value: {error.message}") from None
    return parse_markup(text)


@lru_cache(maxsize=1)
def _plain_environment() -> SandboxedEnvironment:
    return _with_helpers(SandboxedEnvironment(autoescape=False, undefined=StrictUndefined))


def render_plain(source: str, variables: Mapping[str, Any]) -> str:
    """Render a template into plain text, for values a platform shows as is (a WhatsApp
    template's parameters); still sandboxed, unknown variables still errors."""
    try:
        return _plain_environment().from_string(source).render(**variables)
    except TemplateSyntaxError as error:
        raise TemplateError(f"template syntax error: {error.message}") from None
    except UndefinedError as error:
        raise TemplateError(f"template uses an unknown value: {error.message}") from None


def member_variables(member_id: int, name: str) -> dict[str, Any]:
    """What templates see as `member`: its name (escaped when printed) and a mention."""
    return {"id": member_id, "name": name, "mention": Markup(mention_markup(member_id, name))}


def community_variables(
    community_id: str, name: str, locale: str = DEFAULT_LOCALE
) -> dict[str, Any]:
    """What templates see as `community`; its `locale` picks the rules of `plural` and `ordinal`."""
    return {"id": community_id, "name": name, "locale": locale}
