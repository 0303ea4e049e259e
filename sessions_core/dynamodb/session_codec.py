"""Session ↔ DynamoDB item, derived from the `Session` model: every field is an
attribute named as its JSON (camelCase) name and encoded by its type, so a new field
needs no code here. A `SessionChange` compiles into one UpdateItem's expressions.

Times and durations are epoch milliseconds (``N``) so conditions compare numbers
exactly; metadata is stored as its JSON text so it round-trips exactly (DynamoDB
numbers and empty values would change it); retired digests are one binary value.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, get_args, get_origin

from pydantic.alias_generators import to_camel

from sessions_core.changes import Guard, SessionChange
from sessions_core.dynamodb.items import (
    Layout,
    device_attribute,
    device_from_value,
    from_ms,
    num,
    retired_bytes,
    retired_digests,
    to_ms,
)
from sessions_core.dynamodb.table import Expression, Item
from sessions_core.errors import CorruptItemError
from sessions_core.models import Device, Session

# Fields that are not attributes of their own: the key, and the token (never stored).
_NOT_STORED = frozenset({"id", "token"})
# Attribute names that predate the rule "the JSON name" (kept: items exist with them).
_RENAMED = {"lifetime": "lifetimeMs"}


@dataclass(frozen=True)
class Column:
    """How one Session field is stored."""

    field: str
    attribute: str
    encode: Callable[[Any], Item]
    decode: Callable[[Any], Any]


def _plain(annotation: Any) -> Any:
    """The type under ``Optional[...]`` and ``Annotated[...]``."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def _literal(allowed: tuple[Any, ...]) -> Callable[[Any], Any]:
    def decode(value: Any) -> Any:
        if value["S"] not in allowed:
            raise ValueError("unknown value")
        return value["S"]

    return decode


def _column(name: str, annotation: Any) -> Column:
    kind = _plain(annotation)
    attribute = _RENAMED.get(name, to_camel(name))
    coders: dict[Any, tuple[Callable[[Any], Item], Callable[[Any], Any]]] = {
        datetime: (lambda v: num(to_ms(v)), lambda v: from_ms(v["N"])),
        timedelta: (
            lambda v: num(int(v / timedelta(milliseconds=1))),
            lambda v: timedelta(milliseconds=int(v["N"])),
        ),
        bool: (lambda v: {"BOOL": v}, lambda v: bool(v["BOOL"])),
        int: (num, lambda v: int(v["N"])),
        str: (lambda v: {"S": v}, lambda v: str(v["S"])),
        Device: (device_attribute, device_from_value),
        dict: (
            lambda v: {"S": json.dumps(v, separators=(",", ":"))},
            lambda v: json.loads(v["S"]),
        ),
        tuple: (lambda v: {"B": retired_bytes(v)}, lambda v: retired_digests(v["B"])),
    }
    if get_origin(kind) is Literal:
        return Column(name, attribute, lambda v: {"S": v}, _literal(get_args(kind)))
    encode, decode = coders[get_origin(kind) or kind]
    return Column(name, attribute, encode, decode)


COLUMNS: dict[str, Column] = {
    name: _column(name, info.annotation)
    for name, info in Session.model_fields.items()
    if name not in _NOT_STORED
}
_DEFAULTS = {
    name: info.get_default()
    for name, info in Session.model_fields.items()
    if not info.is_required() and name not in _NOT_STORED
}
_EXPIRY = "expires_at"


def _stored(value: Any) -> bool:
    return value is not None and value != ()


def session_to_item(layout: Layout, session: Session) -> Item:
    """The full item of a new session (never the token itself)."""
    key = layout.session_key(session.id)
    item: Item = dict(key)
    for column in COLUMNS.values():
        value = getattr(session, column.field)
        if _stored(value):
            item[column.attribute] = column.encode(value)
    item.update(layout.expiry_attributes(key, session.expires_at))
    return item


def item_to_session(layout: Layout, item: Item) -> Session:
    """A session item (full, or as the user index projects it) as a `Session`.

    Raises:
        CorruptItemError: a required field is missing or malformed.
    """
    try:
        values: dict[str, Any] = {"id": layout.session_id(item), "token": None}
        for column in COLUMNS.values():
            raw = item.get(column.attribute)
            values[column.field] = column.decode(raw) if raw is not None else None
        for name, value in list(values.items()):
            if value is None and name in _DEFAULTS:
                values[name] = _DEFAULTS[name]
            elif value is None and name in COLUMNS:
                raise ValueError(f"{name} is missing")
        return Session.model_construct(**values)
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise CorruptItemError() from error


def compile_change(layout: Layout, key: Item, change: SessionChange) -> Expression:
    """One UpdateItem's update, condition, names and values for ``change``."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    assignments = []
    for index, (field, value) in enumerate(change.sets.items()):
        column = COLUMNS[field]
        names[f"#s{index}"] = column.attribute
        values[f":s{index}"] = column.encode(value)
        assignments.append(f"#s{index} = :s{index}")
        if field == _EXPIRY:
            expiry = layout.expiry_attributes(key, value)
            for extra, attribute in enumerate(a for a in expiry if a != column.attribute):
                names[f"#e{extra}"] = attribute
                values[f":e{extra}"] = expiry[attribute]
                assignments.append(f"#e{extra} = :e{extra}")
    conditions = [_condition(i, guard, names, values) for i, guard in enumerate(change.guards)]
    return Expression(
        update="SET " + ", ".join(assignments),
        condition=" AND ".join(conditions),
        names=names,
        values=values,
    )


def _condition(index: int, guard: Guard, names: dict[str, str], values: dict[str, Any]) -> str:
    if guard.kind == "exists":
        return "attribute_exists(id)"
    if guard.kind == "not_revoked":
        names["#revoked"] = COLUMNS["revoked_at"].attribute
        return "attribute_not_exists(#revoked)"
    column = COLUMNS[guard.field]
    names[f"#g{index}"] = column.attribute
    if guard.kind == "equals" and guard.value is None:
        return f"attribute_not_exists(#g{index})"
    values[f":g{index}"] = column.encode(guard.value)
    operator = ">" if guard.kind == "expires_after" else "="
    return f"#g{index} {operator} :g{index}"
