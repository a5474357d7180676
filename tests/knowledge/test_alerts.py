"""The pool alert rule and its files (knowledge/alerts.py): no SDK, no clock."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.alerts import RUNOUT, AlertBook, Subscription, covered_keys, due_alerts, thresholds_for
from knowledge.pools import PoolKey, PoolSize, UsageTotal, compute_pools
from testkit.narrow import present

KEY = PoolKey(country="FR", plan="MCOPSTN1", line="domestic")


def balance(used: int, total: int = 1000, month: str = "2026-11", day: int = 20):
    """A real PoolBalance (compute_pools), ``used`` of ``total`` minutes on ``day``."""
    size = PoolSize(users=total // 100, minutes_per_user=100)
    return compute_pools(
        {KEY: size}, {KEY: UsageTotal(minutes=used, calls=used)}, month, date(int(month[:4]), int(month[5:]), day)
    )[0]


def sub(conversation: str = "c1", thresholds=(80, 100), runout: bool = True, lang: str = "en") -> Subscription:
    return Subscription(
        conversation_id=conversation,
        reference={"conversation": {"id": conversation}},
        lang=lang,
        thresholds=thresholds,
        runout=runout,
    )


@pytest.mark.parametrize(
    ("used", "expected"),
    [
        (500, []),  # 50% on the 20th: lasts the month
        (700, [RUNOUT]),  # 70%: runs out on the 29th, below every threshold
        (850, [80, RUNOUT]),
        (1000, [100]),  # exhausted: the top threshold only, no "will run out"
        (1300, [100]),
    ],
)
def test_highest_threshold_crossed_and_runout(used, expected):
    alerts = due_alerts("t", [balance(used)], [sub()], set())
    assert [a.kind for a in alerts] == expected


def test_sent_alerts_are_not_due_again_and_cover_lower_thresholds():
    subscription = sub()
    first = due_alerts("t", [balance(1000)], [subscription], set())
    sent = {k for a in first for k in covered_keys(a, subscription)}
    assert due_alerts("t", [balance(1000)], [subscription], sent) == []
    assert [a.kind for a in due_alerts("t", [balance(850)], [subscription], sent)] == [RUNOUT]  # 80% covered
    # The same pool next month is a new alert.
    assert [a.kind for a in due_alerts("t", [balance(1000, month="2026-12")], [subscription], sent)] == [100]


def test_each_conversation_gets_its_own_alert_in_its_language():
    alerts = due_alerts("t", [balance(950)], [sub("c1", (80, 100)), sub("c2", (90, 100), False, "fr")], set())
    assert [(a.conversation_id, a.kind, a.lang) for a in alerts] == [
        ("c1", 80, "en"),
        ("c1", RUNOUT, "en"),
        ("c2", 90, "fr"),
    ]


def test_thresholds_for():
    assert thresholds_for(None) == (80, 100)
    assert thresholds_for(90) == (90, 100)
    assert thresholds_for(50, (80, 100)) == (50, 80, 100)


def test_book_subscribe_list_unsubscribe_and_prune(tmp_path):
    book = AlertBook(tmp_path)
    book.subscribe("tenant-a", "c1", {"x": 1}, "fr", 90)
    book.subscribe("tenant-a", "c1", {"x": 2}, "fr", 50)
    stored = present(book.subscription("tenant-a", "c1"))
    assert stored.thresholds == (50, 90, 100) and stored.reference == {"x": 2} and stored.lang == "fr"
    assert AlertBook(tmp_path).tenants() == ["tenant-a"]  # read back from the files
    book.mark_sent("tenant-a", ["2026-07|k|80|c1", "2026-09|k|80|c1"], "2026-11")
    assert book.sent("tenant-a") == {"2026-09|k|80|c1"}  # older than three months: dropped
    assert book.unsubscribe("tenant-a", "c1") and not book.unsubscribe("tenant-a", "c1")
    assert book.subscription("tenant-a", "c1") is None
