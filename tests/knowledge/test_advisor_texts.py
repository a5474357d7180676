"""``knowledge.advisor``: an item's English text is filled once per code and params of codes only
(issue 14, ``bench/records/issue14_stepcost2.md``), and is the text filled from scratch; a text
with a number (a count the admin may have typed) is filled each time, never kept."""

from __future__ import annotations

import pytest

from knowledge import advisor
from knowledge.advisor import AdviceRequest, code_params, plain_params, recommend

REQUESTS = [
    AdviceRequest(countries=["US"], users=40, international=True),
    AdviceRequest(countries=["FR", "DE"], users=250, base_licence="E5"),
    AdviceRequest(countries=["GB"], users=3, carrier="operator_connect"),
    AdviceRequest(countries=["JP"], users=12, international=False, base_licence="E3"),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: "-".join(r.countries))
def test_a_recommendation_is_the_one_filled_from_scratch(request_, monkeypatch):
    advisor._TEXTS.clear()
    first = recommend(request_)
    assert advisor._TEXTS  # kept
    again = recommend(request_)
    assert again == first
    monkeypatch.setattr(advisor, "code_params", lambda params: False)  # no memo at all
    advisor._TEXTS.clear()
    fresh = recommend(request_)
    assert fresh == first and fresh.model_dump_json() == first.model_dump_json()
    assert advisor._TEXTS == {}


def test_only_plain_params_are_keyed():
    class Code(str):
        pass

    assert plain_params({"countries": ["US", "CA"], "quantity": 40, "base": None, "x": (1.5, True)})
    assert plain_params({})
    assert not plain_params({"country": Code("US")})  # a subclass: its repr may hide what it is
    assert not plain_params({1: "one"})  # only str keys
    assert not plain_params({"when": object()})
    assert not plain_params({"set": {"US"}})


def test_only_codes_are_keyed():
    assert code_params({"countries": ["US", "CA"], "base": None, "x": (True, "E5")})
    assert code_params({})
    assert not code_params({"quantity": 40})  # a count the admin may have typed
    assert not code_params({"countries": ["US"], "minutes": [1.5]})
    assert not code_params({"country": type("Code", (str,), {})("US")})
    assert not code_params({1: "one"})


def test_a_text_with_other_params_is_filled_each_time():
    builder = advisor._Builder()
    advisor._TEXTS.clear()
    text = builder._text("dial_pad_delay", {"hours": object()})
    assert "{hours}" not in text and advisor._TEXTS == {}
    for seats in (24, 25, 24):  # a number (it may be typed): filled each time, never kept
        assert builder._text("dial_pad_delay", {"hours": seats}) == builder.catalog.text(
            "dial_pad_delay", builder._english({"hours": seats})
        )
    assert advisor._TEXTS == {}
    assert builder._text("payg_sku_unknown", {"country": "FR"}) == builder.catalog.text(
        "payg_sku_unknown", builder._english({"country": "FR"})
    )
    assert list(advisor._TEXTS) == [("payg_sku_unknown", repr({"country": "FR"}))]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: "-".join(r.countries))
def test_without_english_a_recommendation_fills_no_text_and_is_otherwise_the_same(request_, monkeypatch):
    """``english=False`` (the chat's summary card renders items in its own language): the same
    recommendation, item for item, with no English text filled at all."""
    full = recommend(request_)
    advisor._TEXTS.clear()
    filled: list[str] = []
    catalog = advisor.load_catalog()
    real = type(catalog).text

    def counting(self, code, *args, **kwargs):
        filled.append(code)
        return real(self, code, *args, **kwargs)

    monkeypatch.setattr(type(catalog), "text", counting)
    bare = recommend(request_, english=False)
    assert filled == [] and advisor._TEXTS == {}
    assert all(item.text == "" for item in [*bare.steps, *bare.caveats, *bare.reasons])

    def without_text(items):
        return [item.model_copy(update={"text": ""}) for item in items]

    expected = full.model_copy(
        update={
            "steps": without_text(full.steps),
            "caveats": without_text(full.caveats),
            "reasons": without_text(full.reasons),
        }
    )
    assert bare == expected
