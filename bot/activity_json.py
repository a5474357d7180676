"""Activities from and to JSON in one pass, without msrest's generic machinery where it is idle.

Why: ``Activity().deserialize(body)`` and ``activity.serialize()`` (msrest 0.7.1, as the
botbuilder 4.17.1 schema models use it) rebuild the class table of the whole schema module on
every call, copy each attribute description, try two key extractors per attribute and walk
every node of ``channelData``, ``value``, entities and card contents through generic code:
about a sixth of a turn's CPU for a Teams message and its reply. Nearly all of that is idle
work: a Teams activity is strings, booleans, a few nested accounts and plain JSON.

:func:`load_activity` and :func:`dump_activity` follow each model's ``_attribute_map`` as
msrest does, and do the plain cases themselves: a string where a string goes, a boolean where
a boolean goes, a nested model as a dict, parsed JSON where an ``object`` goes (handed over as
it is, not rebuilt node by node). Every other value (a date, an enum, a number to convert, a
wrong type) goes to msrest's own ``deserialize_data`` / ``serialize_data`` for that attribute,
so the outcome is msrest's: the same objects, the same errors. A model msrest treats specially
(flattened keys, read-only or constant attributes, subtypes, XML) is left to msrest whole.
``tests/bot/test_activity_json.py`` compares both ways with msrest on real and random shapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any

import isodate  # type: ignore[import-untyped]  # msrest's own date parser (a dependency of msrest)
from botbuilder.schema import Activity
from msrest.exceptions import SerializationError
from msrest.serialization import Deserializer, Model, Serializer

_JSON_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class _Field:
    attr: str
    key: str
    type: str
    model: Any  # the model class of a "Model" or "[Model]" attribute, else None
    many: bool  # "[Model]"
    desc: dict[str, Any]
    #: The JSON type msrest hands back as it is for this attribute: ``str`` for a "str", ``bool``
    #: for a "bool" (exact types), else None. Checked inline, before any call, in the loops.
    as_is: Any  # a class (str or bool), or None


#: msrest type name -> the JSON type whose values it (de)serializes unchanged (exact types).
_AS_IS = {"str": str, "bool": bool}


@dataclass(frozen=True)
class _Plan:
    fields: tuple[_Field, ...]
    known: frozenset[str]  # the JSON keys msrest knows (the rest become additional_properties)
    by_key: dict[str, _Field]  # the fields by JSON key
    nones: dict[str, None]  # every attribute None: the keyword arguments of an empty JSON object
    #: The ``__dict__`` the class's ``__init__`` gives an object (``additional_properties`` and
    #: every attribute, in the order ``__init__`` sets them, all None) when that ``__init__`` is
    #: plain (:func:`_plain_init_order`); None when the object must be built by calling the class.
    blank: dict[str, Any] | None
    #: Every attribute's value of an object, in ``fields`` order, in one C call (``attrgetter``
    #: of them all; a model of one field is wrapped to give a tuple too): what :func:`_dump_model`
    #: reads, instead of a ``getattr`` per field (an activity has 42, nearly all None).
    values_of: Callable[[Any], tuple[Any, ...]]


class _Codec:
    """One root model's world as msrest sees it: the classes it resolves type names with
    (``Model._infer_class_models``: the root's schema module), msrest's (de)serializer over
    them for the values left to msrest, and a plan per model class."""

    def __init__(self, root: type) -> None:
        self.models: dict[str, Any] = root._infer_class_models()  # type: ignore[attr-defined]
        self.deserializer = Deserializer(self.models)
        self.serializer = Serializer(self.models)
        #: How to (de)serialize each model class here (None: msrest does the whole model),
        #: made on first use: ``plans[cls]``.
        self.plans = _Plans(self._make_plan)

    def _make_plan(self, cls: Any) -> _Plan | None:
        if getattr(cls, "_subtype_map", None) or hasattr(cls, "_xml_map"):
            return None
        if any(rule.get("readonly") or rule.get("constant") for rule in getattr(cls, "_validation", {}).values()):
            return None
        fields = []
        for attr, desc in cls._attribute_map.items():
            key, kind = desc["key"], desc["type"]
            if not key or "." in key or "\\" in key:
                return None  # additional properties in the JSON, flattened or escaped keys: msrest's
            many = kind.startswith("[") and kind.endswith("]")
            model = self.models.get(kind[1:-1] if many else kind)
            if model is not None and not (isinstance(model, type) and issubclass(model, Model)):
                model = None  # an enum: msrest's
            fields.append(_Field(attr, key, kind, model, many, desc, _AS_IS.get(kind)))
        by_key = {f.key: f for f in fields}
        attrs = [f.attr for f in fields]
        order = _plain_init_order(cls, attrs)
        blank = None if order is None else dict.fromkeys(order)
        return _Plan(tuple(fields), frozenset(by_key), by_key, dict.fromkeys(attrs), blank, _values_of(attrs))


class _Plans(dict[type, "_Plan | None"]):
    """Plans by model class, each made the first time it is asked for. Why a ``dict`` with
    ``__missing__`` rather than a method: a loaded or dumped activity asks for ~15 plans (one per
    nested model), and a subscript of a known class is one C-level lookup, not a Python call."""

    def __init__(self, make: Callable[[type], _Plan | None]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, cls: type) -> _Plan | None:
        plan = self[cls] = self._make(cls)
        return plan


def _values_of(attrs: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    if len(attrs) == 1:
        one = attrgetter(attrs[0])
        return lambda obj: (one(obj),)
    if not attrs:
        return lambda obj: ()
    return attrgetter(*attrs)


def _plain_init_order(cls: Any, attrs: list[str]) -> list[str] | None:
    """The keys of ``cls(**kwargs).__dict__`` in order, if ``cls``'s ``__init__`` is plain: it
    gives an object of exactly ``additional_properties`` (an empty dict, from msrest's
    ``Model.__init__``) and each attribute of ``_attribute_map`` set to the keyword argument of
    that name, unchanged (the generated botbuilder schema models: ``super().__init__(**kwargs)``,
    then ``self.x = x`` per attribute). Checked by building one object with a distinct marker
    per attribute and one with every attribute None; anything else (a default such as
    ``TeamsChannelData``'s ``on_behalf_of or []``, a converted value, a property, an extra
    attribute, ``__slots__``, its own ``__new__``) gives None, and the class is called as before."""
    if cls.__new__ is not object.__new__ or "__slots__" in vars(cls) or "additional_properties" in attrs:
        return None
    markers = {attr: object() for attr in attrs}
    try:
        marked, empty = vars(cls(**markers)), vars(cls(**dict.fromkeys(attrs)))
    except Exception:
        return None
    expected = {"additional_properties", *attrs}
    for fields in (marked, empty):
        if set(fields) != expected or len(fields) != len(expected) or list(fields) != list(marked):
            return None
        if type(fields["additional_properties"]) is not dict or fields["additional_properties"]:
            return None
    if any(marked[attr] is not marker for attr, marker in markers.items()):
        return None
    if any(empty[attr] is not None for attr in attrs):  # a default for None (``x or []``)
        return None
    return list(marked)


@cache
def _codec(root: type) -> _Codec:
    return _Codec(root)


def is_plain_json(value: Any) -> bool:
    """True if ``value`` holds only what msrest's ``object`` serializer returns unchanged:
    dicts with str keys, lists, str, int, float, bool and None (no subclasses). Iterative.

    A string or None inside a container (most of a card or of ``channelData``) is passed over
    where it is met, never put on the stack to be popped and typed again: ~30% less time for a
    number check's card."""
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        kind = type(node)
        if kind is dict:
            for key, item in node.items():
                if type(key) is not str:
                    return False
                if type(item) is not str and item is not None:
                    push(item)
        elif kind is list:
            for item in node:
                if type(item) is not str and item is not None:
                    push(item)
        elif node is not None and kind not in _JSON_SCALARS:
            return False
    return True


# --- timestamps ------------------------------------------------------------------------------

#: What Teams sends: ``2026-11-26T12:00:00.123Z`` or ``2026-11-26T13:00:00.1234567+01:00``.
_TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})")


@lru_cache(maxsize=128)
def _fixed_offset(zone: str) -> Any:
    """isodate's ``FixedOffset`` for ``zone`` (``+01:00``), named as written, as msrest's parser
    makes it; one per zone, shared: it never changes, and a message's zone is one of the few a
    client's clock can be in (bounded by the cache's size whatever clients send)."""
    direction = -1 if zone[0] == "-" else 1
    return isodate.FixedOffset(direction * int(zone[1:3]), direction * int(zone[4:6]), zone)


def parse_timestamp(text: str) -> datetime | None:
    """msrest's ``Deserializer.deserialize_iso`` for the one shape Teams sends, or None (then
    msrest parses it, or says why not). The same value with the same tzinfo objects as msrest's
    parser (isodate) gives: ``isodate.UTC`` for ``Z``, a ``FixedOffset`` named as written
    otherwise; fractions of a second cut (not rounded) to microseconds, as msrest cuts them."""
    match = _TIMESTAMP.fullmatch(text.upper())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if not 2 <= int(year) <= 9998:  # msrest refuses years outside 1-9999 in UTC: let it decide
        return None
    tzinfo = isodate.UTC if zone == "Z" else _fixed_offset(zone)
    micro = int((fraction or "")[:6].ljust(6, "0"))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo)
    except ValueError:  # a 61st second, a 13th month...: msrest's answer
        return None


# --- from JSON --------------------------------------------------------------------------------


def load_activity(body: Any, *, parsed_json: bool = False) -> Activity:
    """``Activity().deserialize(body)``, built in one pass (msrest's errors on bad shapes).
    ``parsed_json``: see :func:`load_model`."""
    return load_model(Activity, body, parsed_json=parsed_json)


def load_model(cls: Any, body: Any, *, parsed_json: bool = False) -> Any:
    """``cls().deserialize(body)`` for a msrest model class, built in one pass.

    ``parsed_json``: ``body`` is what a JSON parser just returned (``/api/messages``), so
    every value in it is plain JSON (:func:`is_plain_json`) by construction: an ``object``
    value (``channelData``, ``value``) is taken as it is without being walked to check."""
    codec = _codec(cls)
    plan = codec.plans[cls]
    if type(body) is not dict or plan is None:
        return cls().deserialize(body)
    return _load(codec, cls, plan, body, parsed_json)


def loads_as_is(cls: Any, body: Any) -> bool:
    """True if :func:`load_model` would load ``body`` by plain steps alone: a dict whose every
    value is None, of its attribute's ``as_is`` type, plain JSON for an ``object``, or (a list
    of) such dicts for a nested model; such a load cannot fail (each step only hands a value
    over, and the schema models' ``__init__`` only assigns). A check that builds nothing, for a
    body that is only to be validated; False says nothing (load it to know)."""
    codec = _codec(cls)
    return _loads_as_is(codec, codec.plans[cls], body)


def _loads_as_is(codec: _Codec, plan: _Plan | None, data: Any) -> bool:
    if plan is None or type(data) is not dict:
        return False
    by_key = plan.by_key
    for key, value in data.items():
        field = by_key.get(key)
        if field is None or value is None or type(value) is field.as_is:
            continue  # a key the model does not name goes to additional_properties as it is
        if field.type == "object":
            if not is_plain_json(value):
                return False
        elif field.model is None:
            return False
        elif field.many:
            nested = codec.plans[field.model]
            if type(value) is not list or not all(item is None or _loads_as_is(codec, nested, item) for item in value):
                return False
        elif not _loads_as_is(codec, codec.plans[field.model], value):
            return False
    return True


def _load(codec: _Codec, cls: Any, plan: _Plan, data: dict[str, Any], parsed_json: bool) -> Any:
    # Every attribute is passed (None unless the JSON has it), as msrest passes them; only the
    # keys the JSON holds (~15 of an activity's 42 attributes) take a step here. A class whose
    # ``__init__`` is plain is not called: its object gets the ``__dict__`` that call would give
    # (the same keys in the same order, the same values), without msrest's ``Model.__init__``
    # loop over all 42 keyword arguments and the model's 42 assignments.
    blank = plan.blank
    kwargs: dict[str, Any] = plan.nones.copy() if blank is None else blank.copy()
    by_key = plan.by_key
    extras = None
    for key, value in data.items():
        field = by_key.get(key)
        if field is None:
            if extras is None:
                extras = {}
            extras[key] = value
        elif value is not None:
            # A string or boolean where one goes (most of an activity) is taken without a call.
            kwargs[field.attr] = value if type(value) is field.as_is else _load_value(codec, field, value, parsed_json)
    if blank is not None:
        kwargs["additional_properties"] = extras or {}  # as msrest: keys the model does not name
        obj = cls.__new__(cls)
        obj.__dict__ = kwargs
        return obj
    obj = cls(**kwargs)
    if extras:  # as msrest: keys the model does not name
        obj.additional_properties = extras
    return obj


def _load_value(codec: _Codec, field: _Field, value: Any, parsed_json: bool) -> Any:
    """``value`` (not None, not of ``field.as_is``: :func:`_load` takes those as they are) loaded.

    A nested model (an account, an entity) is loaded by :func:`_load` directly when its class
    has a plan and the JSON is an object (a list of objects or nulls), else the whole value is
    msrest's."""
    kind = type(value)
    if field.type == "object" and (parsed_json or is_plain_json(value)):
        return value  # what msrest's deserialize_object would rebuild node by node, equal
    if field.type == "iso-8601" and kind is str:
        parsed = parse_timestamp(value)
        if parsed is not None:
            return parsed
    model = field.model
    plan = None if model is None else codec.plans[model]
    if plan is not None:
        if field.many and kind is list:
            items: list[Any] = []
            for item in value:
                if item is None:
                    items.append(None)
                elif type(item) is dict:
                    items.append(_load(codec, model, plan, item, parsed_json))
                else:
                    break
            else:
                return items
        elif not field.many and kind is dict:
            return _load(codec, model, plan, value, parsed_json)
    return codec.deserializer.deserialize_data(value, field.type)


# --- to JSON ----------------------------------------------------------------------------------


def dump_activity(activity: Activity, *, known_json: Callable[[Any], bool] | None = None) -> dict[str, Any]:
    """``activity.serialize()``, built in one pass. Plain-JSON ``object`` values (a card's
    content, ``channelData``, ``value``) are put in as they are, not copied. ``known_json``:
    values it says True for are known to be plain JSON already (a card built once and never
    changed, :func:`dialogs.api.shared_card_json`): put in as they are without being walked."""
    return _dump_model(_codec(Activity), activity, known_json)


def _dump_model(codec: _Codec, obj: Any, known_json: Callable[[Any], bool] | None = None) -> Any:
    plan = codec.plans[type(obj)]
    if plan is None:
        return codec.serializer._serialize(obj, keep_readonly=False, is_xml=False)
    out: dict[str, Any] = {}
    for field, value in zip(plan.fields, plan.values_of(obj), strict=True):
        if value is None:
            continue
        if type(value) is field.as_is:  # a string or boolean where one goes: as it is, no call
            out[field.key] = value
            continue
        try:
            out[field.key] = _dump_value(codec, field, value, known_json)
        except SerializationError:
            raise
        except ValueError:  # as msrest: an attribute it cannot serialize is left out
            continue
    return out


def _dump_value(codec: _Codec, field: _Field, value: Any, known_json: Callable[[Any], bool] | None) -> Any:
    kind = type(value)
    if kind is field.as_is:
        return value
    if field.type == "str" and isinstance(value, Enum):
        # A reply's type and attachment layout are enums of the schema: msrest's serialize_data
        # -> serialize_basic -> serialize_unicode gives the member's value, as here (``_value_``:
        # what the ``value`` property returns, without its Python-level descriptor call).
        return value._value_
    if field.type == "object" and ((known_json is not None and known_json(value)) or is_plain_json(value)):
        return value
    if field.model is not None:
        if field.many and kind is list and all(item is None or isinstance(item, Model) for item in value):
            return [None if item is None else _dump_model(codec, item, known_json) for item in value]
        if not field.many and isinstance(value, Model):
            return _dump_model(codec, value, known_json)
    return codec.serializer.serialize_data(
        value, field.type, keep_readonly=False, is_xml=False, serialization_ctxt=field.desc
    )
