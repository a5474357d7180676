"""Patch: msrest's serialization of JSON models (an Activity and its parts), planned once per class.

Replaces: ``msrest/serialization.py``, ``Serializer._serialize`` (msrest 0.7.1, as pinned by
botframework-connector 4.17.1). For each model it serializes, msrest works out every
attribute's JSON keys and read-only flag again and raises and catches a ``ValueError`` for each
empty attribute (an Activity has 43). The fast path handles JSON models with the default key
transformer: keys and read-only flags worked out once per model class, empty attributes
skipped; the same output, key order and errors. Anything else (a data type, another key
transformer, XML, a model whose validation differs from its class's) goes to the original.
"""
from __future__ import annotations

from typing import Any

from msrest.exceptions import SerializationError, raise_with_traceback
from msrest.serialization import Model, Serializer, full_restapi_key_transformer

_SDK_SERIALIZE = Serializer.__dict__["_serialize"]

#: One attribute's plan: (attribute, its map entry, msrest type, JSON keys, read-only); the
#: entry of ``additional_properties`` (key "") has keys None.
_Field = tuple[str, dict[str, Any], str, "list[str] | None", bool]
#: Per model class: (its attribute map, its fields).
_MODEL_PLANS: dict[type, tuple[dict[str, Any], list[_Field]]] = {}


def _model_plan(target_obj: Model) -> list[_Field]:
    cls = type(target_obj)
    attribute_map = target_obj._attribute_map
    cached = _MODEL_PLANS.get(cls)
    if cached is not None and cached[0] is attribute_map:
        return cached[1]
    fields: list[_Field] = []
    for attr, desc in attribute_map.items():
        readonly = bool(target_obj._validation.get(attr, {}).get("readonly", False))
        if attr == "additional_properties" and desc["key"] == "":
            fields.append((attr, desc, desc["type"], None, readonly))
            continue
        keys, _ = full_restapi_key_transformer(attr, desc.copy(), None)
        fields.append((attr, desc, desc["type"], keys if isinstance(keys, list) else [keys], readonly))
    _MODEL_PLANS[cls] = (attribute_map, fields)
    return fields


def _serialize(self: Serializer, target_obj: Any, data_type: str | None = None, **kwargs: Any) -> Any:
    if (
        data_type
        or target_obj is None
        or kwargs.get("key_transformer", self.key_transformer) is not full_restapi_key_transformer
        or kwargs.get("is_xml")
        or not isinstance(target_obj, Model)
        or target_obj.is_xml_model()
        or type(target_obj)._validation is not target_obj._validation
    ):
        return _SDK_SERIALIZE(self, target_obj, data_type, **kwargs)
    kwargs["is_xml"] = False  # what the original sets before walking the attributes
    keep_readonly = kwargs.get("keep_readonly", False)
    serialized: dict[str, Any] = {}
    attr = None
    try:
        for attr, desc, msrest_type, keys, readonly in _model_plan(target_obj):
            if readonly and not keep_readonly:
                continue
            if keys is None:  # additional_properties: merged where the map lists it
                if target_obj.additional_properties is not None:
                    serialized.update(target_obj.additional_properties)
                continue
            value = getattr(target_obj, attr)
            if value is None:  # the original: serialize_data raises ValueError, caught: skipped
                continue
            try:
                kwargs["serialization_ctxt"] = desc
                new_attr = self.serialize_data(value, msrest_type, **kwargs)
            except ValueError as err:
                if isinstance(err, SerializationError):
                    raise
                continue
            if len(keys) == 1:
                if keys[0] not in serialized:
                    serialized[keys[0]] = new_attr
                continue
            for key in reversed(keys):  # a flattened key ("properties.name"): nested dicts
                new_attr = {key: new_attr}
            level = serialized
            for key in keys:
                if key not in level:
                    level.update(new_attr)
                new_attr = new_attr[key]
                level = level[key]
    except (AttributeError, KeyError, TypeError) as err:
        msg = f"Attribute {attr} in object {type(target_obj).__name__} cannot be serialized.\n{target_obj}"
        raise_with_traceback(SerializationError, msg, err)
    return serialized


def apply() -> bool:
    if is_applied():
        return False
    Serializer._serialize = _serialize  # type: ignore[method-assign]
    return True


def revert() -> bool:
    if not is_applied():
        return False
    Serializer._serialize = _SDK_SERIALIZE  # type: ignore[method-assign]
    return True


def is_applied() -> bool:
    return Serializer.__dict__["_serialize"] is _serialize
