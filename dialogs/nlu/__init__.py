"""Understanding what an admin typed, free of the bot SDK: language and strings (``i18n``),
entities (``entities``), intents (``recognizer``), slots of the guided dialogs (``slots``),
answers to their questions (``answers``) and the rendering of catalog items (``render``).

Imports nothing of botbuilder and nothing of ``dialogs`` outside this package (enforced by
tests/test_architecture.py), so it can be benchmarked, tested and reused without a turn.
The data it reads stays in ``dialogs/locales/``.
"""
