"""Member records the core can find: what a ritual's typed state keeps about members.

A ritual declares its state as a pydantic model (`RitualState`). Wherever it names a member it
says so in the type: a `MemberRef` field or list item holds a member id; a dict keyed by
`MemberRef` (`Summed`, `United`, `KeptFirst`) holds one record per member, and its alias says
how two records of one person combine when their accounts are linked. The core walks the
model's types, never the ritual's code, so linking (`merged`), forget-me (`forgotten`) and
export-me (`about`) work the same for every ritual, including ones not written yet.

On forget-me, a member's own records (their key in a keyed dict) go; a list item naming them
goes; an object with a field naming them (a nomination of them, a code they asked for) goes
with it, and an optional one becomes None. Decision 025 says why.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Self, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict
from pydantic.fields import FieldInfo


class _Member:
    """The mark of a member id in a ritual's state (see `MemberRef`)."""

    def __repr__(self) -> str:
        return "MEMBER"


MEMBER = _Member()
MemberRef = Annotated[int, MEMBER]
"""A member id, in a field, a list or as the key of a dict of member records."""


class Combine(Enum):
    """How two records of one person combine when their accounts are linked."""

    SUM = "sum"
    """Numbers add up (in nested dicts too): points, counts."""
    UNION = "union"
    """Lists join (the kept member's items first), dicts merge (the kept member's keys win)."""
    KEPT = "kept"
    """The kept member's record stays; the merged one's only fills a gap (a vote)."""
    BOTH = "both"
    """For a list of members: the person is in it only if both accounts were (`left`)."""


T = TypeVar("T")
Summed = Annotated[dict[MemberRef, T], Combine.SUM]
United = Annotated[dict[MemberRef, T], Combine.UNION]
KeptFirst = Annotated[dict[MemberRef, T], Combine.KEPT]


class RitualState(BaseModel):
    """The base of every ritual's state. Keys it does not declare are dropped on load."""

    model_config = ConfigDict(extra="ignore", validate_assignment=False)

    def after_merge(self) -> Self:
        """The state once two members became one; a ritual may fold what now repeats."""
        return self


S = TypeVar("S", bound=RitualState)
_DROP: Any = object()


def merged(state: S, kept: int, gone: int) -> S:
    """The state with member `gone` now `kept`: references renamed, records combined."""
    if kept == gone:
        return state
    data = _walk(type(state), state.model_dump(), _Link(kept, gone))
    return type(state).model_validate(data).after_merge()


def forgotten(state: S, member_id: int) -> S:
    """The state with nothing left of the member: their records, and what names them."""
    data = _walk(type(state), state.model_dump(), _Erase(member_id))
    return type(state).model_validate(data)


def about(state: RitualState, member_id: int) -> dict[str, Any]:
    """What the state keeps about the member, by where it is (`totals.all`), for export-me."""
    found: dict[str, Any] = {}
    _find(type(state), state.model_dump(mode="json"), member_id, "", found)
    return found


# --- the walk ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Link:
    kept: int
    gone: int

    def ref(self, value: int) -> Any:
        return self.kept if value == self.gone else value

    def refs(self, before: list[Any], after: list[Any], policy: Combine | None) -> list[Any]:
        if policy is Combine.BOTH and (self.kept in before) != (self.gone in before):
            after = [i for i in after if i != self.kept]
        return list(dict.fromkeys(after))

    def keyed(self, records: dict[int, Any], policy: Combine | None) -> dict[int, Any]:
        if self.gone not in records:
            return records
        moved = records.pop(self.gone)
        present = records.get(self.kept)
        records[self.kept] = moved if present is None else _combine(present, moved, policy)
        return records


@dataclass(frozen=True, slots=True)
class _Erase:
    member_id: int

    def ref(self, value: int) -> Any:
        return _DROP if value == self.member_id else value

    def refs(self, before: list[Any], after: list[Any], policy: Combine | None) -> list[Any]:
        return after

    def keyed(self, records: dict[int, Any], policy: Combine | None) -> dict[int, Any]:
        records.pop(self.member_id, None)
        return records


_Change = _Link | _Erase


def _walk(annotation: Any, value: Any, change: _Change) -> Any:
    """The value, of that type, changed; `_DROP` when the whole value must go."""
    if value is None:
        return None
    kind, meta = _unannotated(annotation)
    if MEMBER in meta:
        return change.ref(int(value))
    if _is_optional(kind):  # an optional object naming them goes; a field naming them, its owner
        out = _walk(_inner(kind), value, change)
        return None if out is _DROP and not _is_member(_inner(kind)) else out
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return _walk_model(kind, value, change)
    if get_origin(kind) is list:
        (item,) = get_args(kind)
        after = [new for v in value if (new := _walk(item, v, change)) is not _DROP]
        return change.refs(value, after, _policy(meta)) if _is_member(item) else after
    if get_origin(kind) is dict:
        key, item = get_args(kind)
        records = {k: new for k, v in value.items() if (new := _walk(item, v, change)) is not _DROP}
        return change.keyed(records, _policy(meta)) if _is_member(key) else records
    return value


def _walk_model(model: type[BaseModel], value: dict[str, Any], change: _Change) -> Any:
    out = dict(value)
    for name, annotation in _fields(model):
        if name in value:
            new = _walk(annotation, value[name], change)
            if new is _DROP:
                return _DROP
            out[name] = new
    return out


def _find(annotation: Any, value: Any, member_id: int, path: str, found: dict[str, Any]) -> bool:
    """Note in `found` the parts of `value` about the member, by path; True when `value` is
    their id or an object with a field holding it (the caller notes it whole)."""
    if value is None:
        return False
    kind, meta = _unannotated(annotation)
    if MEMBER in meta:
        return int(value) == member_id
    if _is_optional(kind):
        return _find(_inner(kind), value, member_id, path, found)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        children = [(a, n, value[n]) for n, a in _fields(kind) if n in value]
        return _found_in(children, member_id, path, found)
    if get_origin(kind) is list:
        item = get_args(kind)[0]
        return _found_in([(item, str(i), v) for i, v in enumerate(value)], member_id, path, found)
    if get_origin(kind) is dict:
        key, item = get_args(kind)
        if _is_member(key) and str(member_id) in value:
            found[_joined(path, str(member_id))] = value[str(member_id)]
        _found_in([(item, str(k), v) for k, v in value.items()], member_id, path, found)
    return False


def _found_in(
    children: list[tuple[Any, str, Any]], member_id: int, path: str, found: dict[str, Any]
) -> bool:
    """Walk the children; those naming the member are noted (a list of members: "listed")."""
    direct = False
    for annotation, where, child in children:
        if not _find(annotation, child, member_id, _joined(path, where), found):
            continue
        if not _is_member(annotation):
            found[_joined(path, where)] = child
        elif where.isdecimal():
            found[path] = "listed"
        else:
            direct = True
    return direct


def _joined(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


# --- types --------------------------------------------------------------------------------------


def _fields(model: type[BaseModel]) -> Iterator[tuple[str, Any]]:
    for name, field in model.model_fields.items():
        yield name, _annotation(field)


def _annotation(field: FieldInfo) -> Any:
    if field.metadata:
        return Annotated[(field.annotation, *field.metadata)]
    return field.annotation


def _unannotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    if get_origin(annotation) is Annotated:
        kind, *meta = get_args(annotation)
        inner, more = _unannotated(kind)
        return inner, (*meta, *more)
    return annotation, ()


def _is_optional(kind: Any) -> bool:
    return get_origin(kind) in (Union, types.UnionType) and type(None) in get_args(kind)


def _inner(kind: Any) -> Any:
    rest = [a for a in get_args(kind) if a is not type(None)]
    return rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007


def _is_member(annotation: Any) -> bool:
    """Whether values of that type are member ids (`MemberRef`, or `MemberRef | None`)."""
    kind, meta = _unannotated(annotation)
    return MEMBER in meta or (_is_optional(kind) and _is_member(_inner(kind)))


def _policy(meta: tuple[Any, ...]) -> Combine | None:
    return next((m for m in meta if isinstance(m, Combine)), None)


def _combine(kept: Any, gone: Any, policy: Combine | None) -> Any:
    """Two records of one person as one, by the declared policy (KEPT when none is)."""
    if policy is Combine.SUM:
        return _summed(kept, gone)
    if policy is Combine.UNION and isinstance(kept, list):
        return [*kept, *(item for item in gone if item not in kept)]
    if policy is Combine.UNION and isinstance(kept, dict):
        return {**gone, **kept}
    return kept


def _summed(kept: Any, gone: Any) -> Any:
    if isinstance(kept, dict):
        keys = dict.fromkeys([*kept, *gone])
        return {
            k: _summed(kept[k], gone[k]) if k in kept and k in gone else kept.get(k, gone.get(k))
            for k in keys
        }
    return kept + gone
