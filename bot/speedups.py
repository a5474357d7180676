"""Start-up fixes for the Bot Framework SDK 4.17.1's per-turn overhead.

Measured on a 2-core machine (see ``../shared/notes/botbuilder-4.17.md``, "Where a turn's
time goes"): a stock dialog turn costs ~8 ms against ~0.1 ms for a raw aiohttp JSON handler.

1. ``msrest`` 0.7.1's ``ClientRetryPolicy.__init__`` builds its retry list as
   ``[i for i in range(999) if i not in self.safe_codes]`` where ``safe_codes`` is a ~500-item
   *list*: ~2.8 ms, and botbuilder builds two msrest configurations per turn (connector and
   user-token clients). :func:`apply_msrest_retry_patch` turns the class attribute into a
   ``frozenset`` with the same members, so the retry list is identical and costs microseconds.
2. ``CloudAdapter`` builds a new ``ConnectorClient`` and ``UserTokenClient`` (each with its own
   ``requests`` session, so a new TCP/TLS connection per reply) for every turn.
   :class:`ReusingBotFrameworkAuthentication` wraps the real authentication and hands out one
   client per (app id, service URL, audience) and one token client per app id, for the life of
   the app. Credentials objects refresh their own tokens, so reuse is safe; the sessions are
   ``requests`` sessions used from the SDK's thread pool (msrest keeps one per thread). Each
   client gets the timeouts of :func:`bot.outbound.bound_client` when it is made.
3. ``DialogExtensions.run_dialog`` builds a memory snapshot of every dialog scope and sends it
   as a "Bot State" trace activity on every turn (a deep copy, then msrest serialization in
   ``expectReplies`` answers). Trace activities are for the Bot Framework Emulator: CloudAdapter
   drops them for every other channel. :func:`apply_snapshot_trace_patch` builds the snapshot
   only when the channel is the Emulator, so nothing a Teams user or test sees changes.

What a real dialog turn still paid after those three (profiled on the server under
``bench/bench_chat.py``'s load): about a third of a guided-purchase step's CPU in
:meth:`CachedBotState.compute_hash`, and most of a pool lookup's in msrest serializing and
``copy.deepcopy`` copying the pool table's Adaptive Card. Three more patches, each giving the
same results as the SDK (``tests/bot/test_speedups.py`` compares them with the SDK's own code),
only sooner; timings are single-call medians on the same machine:

4. **State change detection.** ``BotState`` decides whether to write a state by comparing a
   "hash" taken when the state was read with one taken at save time, about five times a turn;
   the SDK's hash is ``str(jsonpickle.Pickler().flatten(state))``.
   :func:`apply_state_hash_patch` hashes with :func:`pickle.dumps` instead (a mid-purchase
   conversation state: 0.12 ms -> 0.01 ms). Why it misses no change: pickle is a faithful
   serialization (``loads(dumps(x))`` rebuilds an equal value: the same types, tuples vs lists,
   ``1`` vs ``1.0`` vs ``True``, int vs str keys, key order, the same sharing of objects), so
   two states whose pickles are equal have equal jsonpickle flattenings too. It only ever
   finds *more* differences (say, an equal string that is now a different object): an extra
   write, never a lost one. A state pickle cannot encode (a lambda, a lock, a class defined in
   a function) falls back to the SDK's hash; the two kinds of hash (bytes, str) never compare
   equal, so a switch between them counts as a change.
5. **Serializing replies.** msrest walks every node of an ``object``-typed attribute (an
   Adaptive Card's content, ``channelData``, ``value``) through generic, keyword-heavy code,
   and every one of an Activity's 43 attributes, raising and catching a ``ValueError`` for
   each empty one. :func:`apply_msrest_object_patch` gives ``Serializer.serialize_object`` a
   fast path for the JSON types it returns unchanged (exactly ``dict``, ``list``, ``str``,
   ``int``, ``float``, ``bool``, None), with msrest's ``ValueError`` handling, and hands
   everything else (models, dates, enums, tuples, subclasses, XML) to the original.
   :func:`apply_msrest_model_patch` gives ``Serializer._serialize`` a fast path for JSON
   models with the default key transformer: JSON keys and read-only flags worked out once per
   model class, empty attributes skipped; the same output, key order and errors. Both serve
   ``expectReplies`` answers and the replies posted to the Bot Connector alike (a pool table
   reply: 2.7 ms -> 0.12 ms; a question with its card: 0.29 ms -> 0.06 ms).
6. **Copying replies.** ``TurnContext.send_activities`` deep-copies every outgoing activity
   (it then stamps the copy with the conversation reference, so the caller's activity, which
   a prompt keeps in dialog state, is never changed). That copy must stay; what can go is
   ``copy.deepcopy``'s generic dispatch for each of a card's nodes.
   :func:`apply_send_copy_patch` points ``send_activities`` at :func:`deepcopy_activity`,
   ``copy.deepcopy`` with the same semantics (shared objects stay shared, the same memo and
   keep-alive protocol) and a fast path for plain dicts, lists, atomic values and msrest
   models that keep copy's default protocol; everything else goes to ``copy.deepcopy`` with
   the same memo (a pool table reply: 0.30 ms -> 0.11 ms).

The app factory applies them all (:func:`apply_turn_patches`); nothing here is a module-level
singleton except the class and module attributes the patches set and two caches of facts
about model classes (which never change once imported), and every patch is idempotent.
``speedups=False`` in :func:`bot.app.create_app` only skips applying them: a process that
applied them keeps them. What the patches do not touch: bot state, its format and its
durable writes (``bot/state.py``: jsonpickle, then one group-committed journal segment per
batch of turns).
"""
from __future__ import annotations

import contextlib
import copy
import copyreg
import logging
import pickle
from collections import OrderedDict
from typing import Any

import botbuilder.core.turn_context as turn_context_module
from botbuilder.core.bot_state import CachedBotState
from botbuilder.dialogs import DialogExtensions
from botbuilder.schema import Activity
from botframework.connector import Channels
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient
from msrest.exceptions import SerializationError, raise_with_traceback
from msrest.serialization import Model, Serializer, full_restapi_key_transformer
from msrest.universal_http.requests import ClientRetryPolicy

from bot.outbound import bound_client

log = logging.getLogger(__name__)

#: How many distinct (app id, service URL, audience) clients to keep. Teams uses a handful of
#: regional service URLs; the bound only matters if something feeds the bot many fake ones.
MAX_CACHED_CLIENTS = 64


# --- 1. the msrest retry list -------------------------------------------------------------


def apply_msrest_retry_patch() -> bool:
    """Make ``ClientRetryPolicy.safe_codes`` a frozenset. Returns True if this call changed it."""
    current = ClientRetryPolicy.safe_codes
    if isinstance(current, frozenset):
        return False
    ClientRetryPolicy.safe_codes = frozenset(current)
    return True


# --- 3. the Emulator's state snapshot ------------------------------------------------------


def apply_snapshot_trace_patch() -> bool:
    """Send run_dialog's "Bot State" trace to the Emulator only. True if this call changed it."""
    current = DialogExtensions._send_state_snapshot_trace
    if getattr(current, "emulator_only", False):
        return False

    async def snapshot_trace_for_emulator_only(dialog_context) -> None:
        if dialog_context.context.activity.channel_id == Channels.emulator:
            await current(dialog_context)

    snapshot_trace_for_emulator_only.emulator_only = True
    DialogExtensions._send_state_snapshot_trace = staticmethod(snapshot_trace_for_emulator_only)
    return True


# --- 4. state change detection ------------------------------------------------------------


def apply_state_hash_patch() -> bool:
    """``CachedBotState.compute_hash`` pickles instead of flattening. True if this call changed it."""
    current = CachedBotState.compute_hash
    if getattr(current, "pickle_hash", False):
        return False

    def compute_hash(self: CachedBotState, obj: object) -> bytes | str:
        try:
            return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # not picklable: the SDK's own hash (a str, never equal to bytes)
            return current(self, obj)

    compute_hash.pickle_hash = True
    compute_hash.sdk_hash = current
    CachedBotState.compute_hash = compute_hash
    return True


# --- 5. serializing replies ---------------------------------------------------------------


def apply_msrest_object_patch() -> bool:
    """Give ``Serializer.serialize_object`` a fast path for plain JSON. True if this call changed it."""
    original = Serializer.serialize_object
    if getattr(original, "json_fast_path", False):
        return False

    def serialize_object(self: Serializer, attr: Any, **kwargs: Any) -> Any:
        if kwargs.get("is_xml") or kwargs.get("basic_types_serializers"):
            return original(self, attr, **kwargs)

        def walk(value: Any) -> Any:
            kind = type(value)
            # What msrest returns for these is the value itself (str(s), int(i), ...).
            if value is None or kind is str or kind is int or kind is float or kind is bool:
                return value
            if kind is dict:
                out = {}
                for key, item in value.items():
                    key = key if type(key) is str else self.serialize_unicode(key)
                    try:
                        out[key] = walk(item)
                    except ValueError:  # as msrest: a value it cannot serialize becomes None
                        out[key] = None
                return out
            if kind is list:
                out_list = []
                for item in value:
                    with contextlib.suppress(ValueError):  # as msrest: dropped from the list
                        out_list.append(walk(item))
                return out_list
            return original(self, value, **kwargs)

        return walk(attr)

    serialize_object.json_fast_path = True
    serialize_object.original = original
    Serializer.serialize_object = serialize_object
    return True


#: Per model class: (its attribute map, [(attribute, its map entry, msrest type, JSON keys,
#: read-only)]); the entry of ``additional_properties`` (key "") has keys None.
_MODEL_PLANS: dict[type, tuple[dict[str, Any], list[tuple[str, dict, str, list[str] | None, bool]]]] = {}


def _model_plan(target_obj: Model) -> list[tuple[str, dict, str, list[str] | None, bool]]:
    """What ``Serializer._serialize`` works out again for every attribute of every model it
    serializes (the JSON keys, whether the attribute is read-only), once per model class."""
    cls = type(target_obj)
    attribute_map = target_obj._attribute_map
    cached = _MODEL_PLANS.get(cls)
    if cached is not None and cached[0] is attribute_map:
        return cached[1]
    fields = []
    for attr, desc in attribute_map.items():
        readonly = bool(target_obj._validation.get(attr, {}).get("readonly", False))
        if attr == "additional_properties" and desc["key"] == "":
            fields.append((attr, desc, desc["type"], None, readonly))
            continue
        keys, _ = full_restapi_key_transformer(attr, desc.copy(), None)
        fields.append((attr, desc, desc["type"], keys if isinstance(keys, list) else [keys], readonly))
    _MODEL_PLANS[cls] = (attribute_map, fields)
    return fields


def apply_msrest_model_patch() -> bool:
    """Give ``Serializer._serialize`` a fast path for JSON models. True if this call changed it."""
    original = Serializer._serialize
    if getattr(original, "json_fast_path", False):
        return False

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
            return original(self, target_obj, data_type, **kwargs)
        kwargs["is_xml"] = False  # what the original sets before walking the attributes
        keep_readonly = kwargs.get("keep_readonly", False)
        serialized: dict[str, Any] = {}
        attr = None
        try:
            plan = _model_plan(target_obj)
            for attr, desc, msrest_type, keys, readonly in plan:
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

    _serialize.json_fast_path = True
    _serialize.original = original
    Serializer._serialize = _serialize
    return True


# --- 6. copying replies -------------------------------------------------------------------

_PLAIN_MODELS: dict[type, bool] = {}


def _is_plain_model(cls: type) -> bool:
    """An msrest model that ``copy.deepcopy`` copies by the default protocol: a new instance
    whose ``__dict__`` is a deep copy of the original's."""
    plain = _PLAIN_MODELS.get(cls)
    if plain is None:
        plain = (
            issubclass(cls, Model)
            and cls not in copy._deepcopy_dispatch  # type: ignore[attr-defined]
            and copyreg.dispatch_table.get(cls) is None
            and getattr(cls, "__deepcopy__", None) is None
            and cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__
            and cls.__getstate__ is object.__getstate__
            and getattr(cls, "__setstate__", None) is None
            and cls.__new__ is object.__new__
            and not any("__slots__" in vars(base) for base in cls.__mro__)
        )
        _PLAIN_MODELS[cls] = plain
    return plain


def _keep_alive(x: Any, memo: dict[int, Any]) -> None:
    # copy._keep_alive: the originals stay referenced until the copy is done, so no id in
    # the memo can be reused by a new object mid-copy.
    try:
        memo[id(memo)].append(x)
    except KeyError:
        memo[id(memo)] = [x]


#: Types ``copy.deepcopy`` returns as they are (``copy._deepcopy_atomic``), without a memo entry.
_ATOMIC = frozenset({type(None), str, int, float, bool})
#: What ``copy.deepcopy`` would also find on the instance itself.
_COPY_HOOKS = frozenset({"__deepcopy__", "__reduce_ex__", "__reduce__", "__getstate__", "__setstate__"})


def deepcopy_activity(x: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy(x, memo)``, faster for activities: the same result, the same memo."""
    if memo is None:
        memo = {}
    kind = type(x)
    if kind in _ATOMIC:
        return x
    if kind is dict:
        y = memo.get(id(x), memo)
        if y is not memo:
            return y
        y = {}
        memo[id(x)] = y
        for key, value in x.items():
            # Atomic keys and values inline: most of a card's nodes are strings.
            if type(key) not in _ATOMIC:
                key = deepcopy_activity(key, memo)
            y[key] = value if type(value) in _ATOMIC else deepcopy_activity(value, memo)
        _keep_alive(x, memo)
        return y
    if kind is list:
        y = memo.get(id(x), memo)
        if y is not memo:
            return y
        y = []
        memo[id(x)] = y
        append = y.append
        for value in x:
            append(value if type(value) in _ATOMIC else deepcopy_activity(value, memo))
        _keep_alive(x, memo)
        return y
    if _is_plain_model(kind) and _COPY_HOOKS.isdisjoint(x.__dict__):
        y = memo.get(id(x), memo)
        if y is not memo:
            return y
        y = kind.__new__(kind)
        memo[id(x)] = y
        state = deepcopy_activity(x.__dict__, memo)
        if state:
            y.__dict__.update(state)
        _keep_alive(x, memo)
        return y
    return copy.deepcopy(x, memo)


def apply_send_copy_patch() -> bool:
    """``TurnContext.send_activities`` copies with :func:`deepcopy_activity`. True if this call changed it."""
    if turn_context_module.deepcopy is deepcopy_activity:
        return False
    turn_context_module.deepcopy = deepcopy_activity
    return True


def apply_turn_patches() -> None:
    """Every process-wide patch above (the app factory calls this; each is idempotent)."""
    apply_msrest_retry_patch()
    apply_snapshot_trace_patch()
    apply_state_hash_patch()
    apply_msrest_object_patch()
    apply_msrest_model_patch()
    apply_send_copy_patch()


# --- 2. client reuse ----------------------------------------------------------------------


def _app_id(claims_identity: ClaimsIdentity) -> str | None:
    # The same rule as the SDK's _BuiltinBotFrameworkAuthentication.get_app_id.
    return claims_identity.get_claim_value(
        AuthenticationConstants.AUDIENCE_CLAIM
    ) or claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)


class _ClientCache:
    """A small LRU of clients, closed together when the app stops."""

    def __init__(self, limit: int = MAX_CACHED_CLIENTS) -> None:
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._limit = limit
        self.created = 0

    def get(self, key: tuple[Any, ...]) -> Any | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[Any, ...], item: Any) -> Any:
        existing = self._items.get(key)
        if existing is not None:  # two first turns raced: keep the first client
            return existing
        self._items[key] = item
        self.created += 1
        while len(self._items) > self._limit:
            self._items.popitem(last=False)
        return item

    def __len__(self) -> int:
        return len(self._items)

    def pop_all(self) -> list[Any]:
        items = list(self._items.values())
        self._items.clear()
        return items


class _ReusingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, app_id: str | None, cache: _ClientCache) -> None:
        self._inner = inner
        self._app_id = app_id
        self._cache = cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience)
        client = self._cache.get(key)
        if client is None:
            client = self._cache.put(key, bound_client(await self._inner.create(service_url, audience)))
        return client


class ReusingBotFrameworkAuthentication(BotFrameworkAuthentication):
    """Delegates everything to ``inner``, but reuses connector and user-token clients."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self.connector_clients = _ClientCache()
        self.user_token_clients = _ClientCache()

    def _wrap(self, factory: ConnectorFactory | None, claims: ClaimsIdentity) -> ConnectorFactory | None:
        if factory is None:
            return None
        return _ReusingConnectorFactory(factory, _app_id(claims), self.connector_clients)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._wrap(result.connector_factory, result.claims_identity)
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._wrap(self._inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = (_app_id(claims_identity),)
        client = self.user_token_clients.get(key)
        if client is None:
            client = self.user_token_clients.put(
                key, bound_client(await self._inner.create_user_token_client(claims_identity))
            )
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close the cached connector clients' HTTP pipelines (on app shutdown)."""
        self.user_token_clients.pop_all()
        for client in self.connector_clients.pop_all():
            try:
                await client.__aexit__(None, None, None)
            except Exception:  # pragma: no cover - best effort at shutdown
                log.debug("closing a connector client failed", exc_info=True)
