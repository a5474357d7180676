"""The harness, proven in the real playground against the stub bot (``_stub_bot.py``).

These tests stay after the real bot lands: when a scenario fails, they tell whether the
harness (processes, playground, Chromium, page helpers) still works. They also pin what
the playground really sends, because the real bot relies on it (tenant, user, locale,
how a card submit and a Hero card's imBack arrive).
"""

from __future__ import annotations

import json
import uuid

import pytest
from PIL import Image

from e2e_harness.browser import VIEWPORT
from e2e_harness.chat import ChatError
from e2e_harness.playground import PlaygroundConfig, PlaygroundUser

pytestmark = pytest.mark.e2e


def received(bot, conversation_id: str) -> list[dict]:
    """Activities the stub received in one conversation, in arrival order."""
    rows = [json.loads(line) for line in bot.activity_log.read_text().splitlines()]
    return [r["activity"] for r in rows if (r["activity"].get("conversation") or {}).get("id") == conversation_id]


def test_welcome_message_and_card_button_round_trip(stub_chat, stub_bot):
    chat = stub_chat
    welcome = chat.wait_for_card("Welcome to the stub bot")
    assert "press a button" in welcome
    assert chat.card_buttons() == ["Say hello", "Show a hero card"]
    shots = [chat.screenshot("welcome card")]

    chat.send("hello there")
    assert chat.wait_for_bot_text("Echo: hello") == "Echo: hello there"
    assert "Pick a colour." in chat.wait_for_card("You said hello there")
    shots.append(chat.screenshot("message round trip"))

    chat.click_card_button("Pick red")
    chat.wait_for_bot_text('Submitted: {"colour": "red"}')
    shots.append(chat.screenshot("card button round trip"))

    assert [p.name for p in shots] == [
        "01-welcome-card.png",
        "02-message-round-trip.png",
        "03-card-button-round-trip.png",
    ]
    for path in shots:
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (VIEWPORT["width"], VIEWPORT["height"])
    # Nothing left the machine: the CDN fonts the UI asks for were refused.
    assert chat.blocked_requests, "the playground UI always asks a CDN for fonts"
    assert all("127.0.0.1" not in url and "localhost" not in url for url in chat.blocked_requests)

    activities = received(stub_bot, chat.playground.conversation_id)
    assert [a["type"] for a in activities[:2]] == ["installationUpdate", "conversationUpdate"]
    message = next(a for a in activities if a.get("text") == "hello there")
    assert message["channelId"] == "msteams"
    assert message["locale"] == "en-US"
    assert message["conversation"]["conversationType"] == "personal"
    assert message["conversation"]["tenantId"] == message["channelData"]["tenant"]["id"]
    assert message["from"] == {
        "id": "user-id-0",
        "name": "Alex Wilber",
        "aadObjectId": "00000000-0000-0000-0000-0000000000020",
    }
    assert message["serviceUrl"] == f"http://localhost:{chat.playground.port}/_connector"
    submit = next(a for a in activities if a.get("value") is not None)
    assert submit["type"] == "message"
    assert submit["value"] == {"colour": "red"}
    assert not submit.get("text")
    assert submit["replyToId"]


def test_card_input_hero_card_and_clear_errors_when_nothing_comes(stub_chat, stub_bot):
    chat = stub_chat
    chat.wait_for_card("Welcome to the stub bot")
    chat.fill_card_input("Your name", "Ada")
    chat.click_card_button("Say hello")
    chat.wait_for_bot_text('Submitted: {"action": "hello", "name": "Ada"}')

    chat.click_card_button("Show a hero card")
    assert chat.wait_for_card("A hero card").startswith("A hero card")
    assert chat.card_buttons() == ["Yes", "No"]
    # The playground does not deliver a Hero card's imBack (what botbuilder's ChoicePrompt
    # and ConfirmPrompt send on msteams): it shows a warning and the bot gets nothing.
    chat.click_card_button("No")
    with pytest.raises(ChatError, match=r"did not show 'Echo: No'.*imBack is not supported"):
        chat.wait_for_bot_text("Echo: No", timeout=2)
    chat.screenshot("hero card imBack not delivered")
    assert not any(a.get("text") == "No" for a in received(stub_bot, chat.playground.conversation_id))

    with pytest.raises(ChatError, match=r"no card button 'Missing'.*Yes"):
        chat.click_card_button("Missing", timeout=1)


def test_french_message_through_a_custom_activity(stub_chat, stub_bot):
    chat = stub_chat
    chat.wait_for_card("Welcome to the stub bot")
    sent = chat.send_activity("bonjour, combien de minutes ?", locale="fr-FR")
    assert chat.wait_for_bot_text("Echo: bonjour") == "Echo: bonjour, combien de minutes ?"
    chat.screenshot("french message")
    chat.click_card_button("Pick blue")
    chat.wait_for_bot_text('Submitted: {"colour": "blue"}')
    # Typed in the message box, accents and a phone number survive the editor.
    chat.send("été à Paris : +44 20 7946 0958")
    chat.wait_for_bot_text("Echo: été à Paris : +44 20 7946 0958")

    activities = received(stub_bot, chat.playground.conversation_id)
    french = next(a for a in activities if a.get("id") == sent["id"])
    assert french["locale"] == "fr-FR"
    assert french["text"] == "bonjour, combien de minutes ?"
    assert french["from"]["name"] == "Alex Wilber"
    assert french["channelData"]["tenant"]["id"] == french["conversation"]["tenantId"]
    # The trap the bot must handle: the card click after it says en-US again.
    submit = next(a for a in activities if a.get("value") == {"colour": "blue"})
    assert submit["locale"] == "en-US"


def test_config_file_sets_tenant_user_and_conversation(chat_factory, stub_bot):
    tenant = str(uuid.uuid4())
    user = PlaygroundUser(
        id="29:demo-user",
        name="Camille Martin",
        user_principal_name="camille@contoso.example",
        aad_object_id=str(uuid.uuid4()),
        given_name="Camille",
        surname="Martin",
        email="camille@contoso.example",
    )
    chat = chat_factory(
        stub_bot, PlaygroundConfig(tenant_id=tenant, current_user=user, bot_name="Calling Plan Assistant")
    )
    chat.wait_for_card("Welcome to the stub bot")
    chat.send("hi")
    chat.wait_for_bot_text("Echo: hi")

    message = next(a for a in received(stub_bot, chat.playground.conversation_id) if a.get("text") == "hi")
    assert message["conversation"]["tenantId"] == tenant
    assert message["channelData"]["tenant"]["id"] == tenant
    assert message["from"] == {"id": "29:demo-user", "name": "Camille Martin", "aadObjectId": user.aad_object_id}
    assert message["recipient"]["name"] == "Calling Plan Assistant"
