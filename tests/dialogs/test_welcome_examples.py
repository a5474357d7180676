"""The welcome card's typing examples work on the demo tenant (what `make run` serves): the
user it names is a demo user, and the example sentence finds them."""

from __future__ import annotations

import re

import pytest

from dialogs.cards import welcome_reply
from dialogs.nlu.i18n import t
from knowledge.store.demo import _users as demo_roster
from testkit.narrow import present

UPN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_welcome_examples_name_users_of_the_demo_roster(lang, demo_users):
    examples = t(lang, "welcome.examples")
    named = UPN.findall(examples)
    assert named, "the welcome examples name no user"
    roster = {user.upn for user in demo_roster()}
    imported = {user.upn for user in demo_users}
    for upn in named:
        assert upn in roster and upn in imported, f"{upn} is not a demo user"
    card = welcome_reply(lang).card
    assert any(examples == block.get("text") for block in card["body"])


@pytest.mark.parametrize("lang, locale, quote", [("en", "en-US", '"'), ("fr", "fr-FR", "«")])
async def test_the_welcome_check_example_finds_its_user(lang, locale, quote, talk, h):
    examples = t(lang, "welcome.examples")
    sentences = re.findall(r'"([^"]+)"' if quote == '"' else r"«\s*([^»]+?)\s*»", examples)
    [check] = [s for s in sentences if UPN.search(s)]
    upn = present(UPN.search(check)).group(0)
    replies = await talk.send(check, locale=locale)
    # "<upn>: usage location ..., <plan>.": the user was found in the demo tenant (said in the verdict card).
    found = t(lang, "check.user", user=upn, country="", plan="").split(",")[0].strip()
    assert any(found in said for said in h.texts(replies)), h.texts(replies)
