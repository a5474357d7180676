"""The Teams activity handler through the real app: tenants, mentions, card submits, welcome,
the turn error handler, per-conversation ordering, and a dialog surviving a restart."""

from __future__ import annotations

import asyncio

from botbuilder.dialogs import DialogTurnResult, WaterfallStepContext
from botbuilder.schema import Activity

from bot.app import BOT_KEY, STORAGE_KEY
from bot.teams_bot import strip_mention, tenant_of
from dialogs.nlu.i18n import t
from dialogs.root import RootDialog

OTHER_TENANT = "0d4f6e0b-1111-2222-3333-444455556666"


# --- tenant allow-list ----------------------------------------------------------------------


async def test_tenant_outside_the_allow_list_is_refused_without_reading_state(start_app, make_settings, h):
    client = await start_app(make_settings(ALLOWED_TENANTS=h.TENANT.upper()))
    storage = client.app[STORAGE_KEY]
    reads: list[list[str]] = []
    real_read = storage.read_encoded  # the read the state scopes make of the local storage

    async def counting_read(key):
        reads.append([key])
        return await real_read(key)

    storage.read_encoded = counting_read

    refused = await h.replies(client, h.activity("plan", tenant=OTHER_TENANT))
    assert len(h.texts(refused)) == 1
    assert "not available to your organization" in h.texts(refused)[0]
    assert reads == []
    # French words from an en-US client: refused in French, still without reading state.
    refused = await h.replies(client, h.activity("quel forfait acheter ?", tenant=OTHER_TENANT))
    assert h.texts(refused) == [t("fr", "host.tenant_refused")]
    assert reads == []
    assert not list(make_settings().state_dir.rglob("*.json"))

    # No tenant at all is refused too.
    assert "not available" in h.texts(await h.replies(client, h.activity("plan", tenant=None)))[0]
    assert reads == []

    # The allowed tenant (compared case-insensitively) is served and its state is read.
    allowed = await h.replies(client, h.activity("plan"))
    assert h.texts(allowed) == [t("en", "prompt.countries")]
    assert reads


async def test_tenant_is_taken_from_conversation_when_channel_data_lacks_it(start_app, make_settings, h):
    client = await start_app(make_settings(ALLOWED_TENANTS=f"{OTHER_TENANT}, {h.TENANT}"))
    activity = h.activity("plan")
    activity["channelData"] = {}
    assert h.texts(await h.replies(client, activity)) == [t("en", "prompt.countries")]


def test_tenant_of_prefers_channel_data():
    activity = Activity().deserialize(
        {"type": "message", "conversation": {"id": "c", "tenantId": "B"}, "channelData": {"tenant": {"id": " A "}}}
    )
    assert tenant_of(activity) == "a"
    activity.channel_data = None
    assert tenant_of(activity) == "b"  # Teams' "tenantId" (the SDK's own key is "tenantID")
    activity.conversation.additional_properties.clear()
    assert tenant_of(activity) is None
    activity.conversation.tenant_id = "C"
    assert tenant_of(activity) == "c"


async def test_non_message_activity_from_a_refused_tenant_gets_no_reply(start_app, make_settings, h):
    client = await start_app(make_settings(ALLOWED_TENANTS=h.TENANT))
    activity = h.activity(None, type="messageReaction", tenant=OTHER_TENANT)
    assert await h.replies(client, activity) == []


# --- @mentions ------------------------------------------------------------------------------


def _mentioned(text: str, h, conversation_type: str = "channel") -> dict:
    activity = h.activity(text, conversation_type=conversation_type, conversation_id="19:abc@thread.tacv2;messageid=1")
    activity["entities"].append(
        {
            "type": "mention",
            "text": "<at>Calling Plan Assistant</at>",
            "mentioned": {"id": h.BOT_ID, "name": "Calling Plan Assistant"},
        }
    )
    return activity


async def test_mention_is_stripped_in_channels_and_group_chats(client, h):
    for conversation_type in ("channel", "groupChat"):
        activity = _mentioned("<at>Calling Plan Assistant</at> plan", h, conversation_type)
        activity["conversation"]["id"] += conversation_type
        assert h.texts(await h.replies(client, activity)) == [t("en", "prompt.countries")], conversation_type


async def test_mention_in_the_middle_and_odd_names_are_stripped(h):
    activity = Activity().deserialize(_mentioned("please <at>Calling Plan Assistant</at>  plan", h))
    assert strip_mention(activity) == "please plan"
    # A bot name the SDK would use as a broken regex, and a malformed mention entity.
    odd = Activity().deserialize(_mentioned("<at>Bot (beta</at> plan", h))
    odd.entities[-1].additional_properties["text"] = "<at>Bot (beta</at>"
    assert strip_mention(odd) == "plan"
    broken = Activity().deserialize(_mentioned("<at>Calling Plan Assistant</at> plan", h))
    del broken.entities[-1].additional_properties["mentioned"]
    assert strip_mention(broken) == "plan"


# --- card submits ---------------------------------------------------------------------------


async def test_card_submit_reaches_the_dialog(client, h):
    submit = h.activity(None, value={"intent": "purchase"})
    assert h.texts(await h.replies(client, submit)) == [t("en", "prompt.countries")]
    # And a submit without a known intent still gets an answer from the dialog.
    other = h.activity(None, value={"intent": "help"}, conversation_id="a:other")
    assert h.texts(await h.replies(client, other)) == [t("en", "welcome.text")]


# --- welcome --------------------------------------------------------------------------------


async def test_install_sends_the_welcome_card_once(client, h):
    install = h.activity(None, type="installationUpdate", action="add")
    replies = await h.replies(client, install)
    cards = [a for r in replies for a in r.get("attachments", [])]
    assert len(cards) == 1
    assert cards[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert cards[0]["content"]["type"] == "AdaptiveCard"
    submits = [a["data"] for a in cards[0]["content"]["actions"] if a["type"] == "Action.Submit"]
    assert {"intent": "purchase"} in submits

    # Teams also sends "members added" for the same install: no second card.
    added = h.activity(None, type="conversationUpdate", membersAdded=[{"id": h.BOT_ID}, {"id": h.USER_ID}])
    assert await h.replies(client, added) == []


async def test_members_added_welcomes_in_a_new_conversation_in_the_users_language(client, h):
    added = h.activity(
        None, type="conversationUpdate", membersAdded=[{"id": h.BOT_ID}], locale="fr-FR", conversation_id="a:new"
    )
    replies = await h.replies(client, added)
    card = replies[0]["attachments"][0]["content"]
    assert "Assistant Forfaits d'appels" in str(card)


async def test_the_welcome_is_one_card_without_text_in_the_admins_remembered_language(client, h):
    """A French admin (remembered in user state from an earlier chat) opens a new conversation
    from an en-US client: the welcome is French, one card, no visible text beside it."""
    assert h.texts(await h.replies(client, h.activity("quel forfait acheter ?"))) == [t("fr", "prompt.countries")]
    added = h.activity(None, type="conversationUpdate", membersAdded=[{"id": h.BOT_ID}], conversation_id="a:other")
    replies = await h.replies(client, added)
    assert len(replies) == 1 and "text" not in replies[0]
    assert h.texts(replies) == [t("fr", "welcome.text")]  # its summary, = the card's fallbackText


async def test_welcome_needs_no_call_to_the_connector(client, connector, h):
    """The SDK's members-added dispatch fetches each member first; ours goes straight to the card."""
    added = h.activity(
        None,
        type="conversationUpdate",
        membersAdded=[{"id": h.USER_ID}],
        expect_replies=False,
        service_url=connector.url,
        conversation_id="a:fresh",
    )
    response = await h.post(client, added)
    assert response.status == 201
    assert len(connector.posts) == 1  # the card, and no apology for a failed member lookup
    assert connector.posts[0]["activity"]["attachments"][0]["contentType"].endswith("card.adaptive")


# --- the turn error handler -------------------------------------------------------------------


class ExplodingRootDialog(RootDialog):
    """The placeholder, plus a bug: "boom" raises in the middle of a turn."""

    async def _route(self, step: WaterfallStepContext) -> DialogTurnResult:
        if step.context.activity.text == "boom":
            raise RuntimeError("a bug in a dialog")
        return await super()._route(step)

    async def on_continue_dialog(self, inner_dc):
        if inner_dc.context.activity.text == "boom":
            raise RuntimeError("a bug in a dialog")
        return await super().on_continue_dialog(inner_dc)


async def test_a_bug_in_a_turn_apologizes_and_clears_the_conversation(start_app, make_settings, h, caplog):
    client = await start_app(
        make_settings(), root_dialog=lambda **kw: ExplodingRootDialog(kw.get("user_state"), kw.get("store"))
    )
    assert h.texts(await h.replies(client, h.activity("plan"))) == [t("en", "prompt.countries")]
    failed = await h.replies(client, h.activity("boom"))
    assert h.texts(failed) == ["Sorry, something went wrong on my side. Please try again."]
    assert any("a bug in a dialog" in str(r.exc_info) for r in caplog.records if r.exc_info)
    # The half-done "plan" dialog is gone: "France" is a fresh start, not an answer.
    after = h.texts(await h.replies(client, h.activity("France")))
    assert after == [t("en", "unknown.text")]


class ExplodingOnClickRootDialog(RootDialog):
    """A bug on a card click: the button ``{"value": "boom"}`` raises before the dialogs run
    (so before this turn's language is decided: the host must read the remembered one)."""

    async def on_continue_dialog(self, inner_dc):
        if inner_dc.context.activity.value == {"value": "boom"}:
            raise RuntimeError("a bug on a click")
        return await super().on_continue_dialog(inner_dc)


async def test_a_failed_click_in_a_french_conversation_gets_the_french_apology(start_app, make_settings, h):
    client = await start_app(
        make_settings(),
        root_dialog=lambda **kw: ExplodingOnClickRootDialog(
            kw["user_state"], kw["store"], conversation_state=kw["conversation_state"]
        ),
    )
    assert h.texts(await h.replies(client, h.activity("quel forfait acheter ?"))) == [t("fr", "prompt.countries")]
    click = h.activity(None, value={"value": "boom"})  # what Teams sends: no text, locale en-US
    assert click["locale"] == "en-US"
    failed = await h.replies(client, click)
    assert h.texts(failed) == [t("fr", "host.apology")]
    assert t("fr", "host.apology") != t("en", "host.apology")
    # The conversation was cleared, the admin's language was not: still French after the bug.
    assert h.texts(await h.replies(client, h.activity(None, value={"intent": "purchase"}))) == [
        t("fr", "prompt.countries")
    ]


# --- one turn at a time per conversation ------------------------------------------------------


async def test_concurrent_turns_of_one_conversation_do_not_conflict(client, h):
    # Every one of these turns changes the stored dialog state (prompt, then retry prompts):
    # processed at once, all but the first would fail the e_tag check.
    await h.replies(client, h.activity("plan"))
    results = await asyncio.gather(*(h.replies(client, h.activity("lots")) for _ in range(12)))
    for replies in results:
        assert "Sorry" not in " ".join(h.texts(replies))
        assert len(h.texts(replies)) == 1
    assert len(client.app[BOT_KEY]._locks) == 0  # no lock is kept once its turns are done


# --- a dialog in progress survives a restart ----------------------------------------------------


async def test_dialog_continues_after_a_restart(start_app, make_settings, h):
    settings = make_settings()
    first = await start_app(settings)
    assert h.texts(await h.replies(first, h.activity("plan"))) == [t("en", "prompt.countries")]
    assert h.texts(await h.replies(first, h.activity("France"))) == [t("en", "prompt.users_in", country="France")]
    await first.close()  # the process stops: storage closed, threads gone

    second = await start_app(settings)  # a new app over the same DATA_DIR
    assert second.app is not first.app
    why = t("en", "reason.not_a_count", text="lots")
    assert h.texts(await h.replies(second, h.activity("lots"))) == [f"{why} {t('en', 'reprompt.users')}"]
    assert h.texts(await h.replies(second, h.activity("40"))) == [t("en", "prompt.international", countries="France")]
    # The purchase is still open: "cancel" ends it, then the next message starts over.
    assert h.texts(await h.replies(second, h.activity("cancel"))) == [t("en", "cancelled")]
    assert h.texts(await h.replies(second, h.activity("hi"))) == [t("en", "welcome.text")]


async def test_cancel_stops_the_dialog(client, h):
    await h.replies(client, h.activity("plan"))
    assert h.texts(await h.replies(client, h.activity("cancel"))) == [t("en", "cancelled")]
    assert h.texts(await h.replies(client, h.activity("France"))) == [t("en", "unknown.text")]


async def test_other_peoples_mentions_keep_their_names(h):
    activity = _mentioned("<at>Calling Plan Assistant</at> can <at>Alice Martin</at> call +44 20 7946 0958", h)
    activity["entities"].append(
        {"type": "mention", "text": "<at>Alice Martin</at>", "mentioned": {"id": "29:alice", "name": "Alice Martin"}}
    )
    assert strip_mention(Activity().deserialize(activity)) == "can Alice Martin call +44 20 7946 0958"


# --- the dialog memory's configuration, built once ------------------------------------------------


async def test_the_dialog_memory_configuration_is_built_once_and_dialogs_still_run(client, h, monkeypatch):
    from botbuilder.dialogs.memory import dialog_state_manager

    built: list[object] = []

    class Counting(dialog_state_manager.DialogStateManagerConfiguration):
        def __init__(self) -> None:
            super().__init__()
            built.append(self)

    Counting.__name__ = "DialogStateManagerConfiguration"  # the SDK keys turn state by class name
    monkeypatch.setattr(dialog_state_manager, "DialogStateManagerConfiguration", Counting)
    assert h.texts(await h.replies(client, h.activity("plan"))) == [t("en", "prompt.countries")]
    assert h.texts(await h.replies(client, h.activity("France"))) == [t("en", "prompt.users_in", country="France")]
    assert h.texts(await h.replies(client, h.activity("cancel"))) == [t("en", "cancelled")]
    assert len(built) == 1 and client.app[BOT_KEY]._state_configuration is built[0]
    # Every scope and resolver the SDK registers is in it: memory paths still resolve.
    assert {"turn", "dialog", "conversation", "user"} <= {s.name for s in built[0].memory_scopes}
    assert built[0].path_resolvers


async def test_a_user_state_save_that_conflicts_keeps_both_conversations_changes(start_app, make_settings, h):
    """Another conversation of the same user saves the user state while this turn runs: the
    save conflicts, the user state is read again, and what this turn changed (its language) is
    put on it; the other conversation's property stays."""
    client = await start_app(make_settings())
    await h.replies(client, h.activity("plan", conversation_id="a:first"))
    bot, storage = client.app[BOT_KEY], client.app[STORAGE_KEY]
    real_save = bot.user_state.save_changes
    calls: list[str] = []

    async def raced_save(turn_context, force=False):
        if not calls:  # the other conversation saves first
            key = bot.user_state.get_storage_key(turn_context)
            other = (await storage.read([key]))[key]
            await storage.write({key: {**other, "Other": ["kept"]}})
        calls.append("save")
        await real_save(turn_context, force)

    bot.user_state.save_changes = raced_save
    await h.replies(client, h.activity("quel forfait acheter pour la France ?", conversation_id="a:second"))
    assert len(calls) == 2  # refused once, then saved on the fresh state
    key = next(iter(k for k in storage._cache if "/users/" in k))
    stored = (await storage.read([key]))[key]
    assert stored["Other"] == ["kept"]
    assert stored["UserProfile"]["lang"] == "fr"
