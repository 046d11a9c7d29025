"""Splitting examples into training and test sets."""

from __future__ import annotations

from collections import Counter

import pytest

from classifiers.importer import Example
from classifiers.splitting import split_examples, time_key
from router.exceptions import ConfigurationError


def _examples(counts: dict[str, int]) -> list[Example]:
    return [
        Example(id=f"{label}-{i}", text=f"text {i}", department=label, raw_label=label)
        for label, n in counts.items()
        for i in range(n)
    ]


def test_stratified_split_keeps_each_departments_share_and_order():
    examples = _examples({"A": 10, "B": 4, "C": 2, "SOLO": 1})
    train, test = split_examples(examples, test_share=0.5, seed=3)
    assert Counter(e.department for e in test) == {"A": 5, "B": 2, "C": 1}
    assert Counter(e.department for e in train) == {"A": 5, "B": 2, "C": 1, "SOLO": 1}
    assert {e.id for e in train} | {e.id for e in test} == {e.id for e in examples}
    assert train == sorted(train, key=examples.index)  # the input's order
    assert test == sorted(test, key=examples.index)


def test_stratified_split_is_deterministic_for_a_seed():
    examples = _examples({"A": 30, "B": 30})
    assert split_examples(examples, test_share=0.3, seed=1) == split_examples(
        examples, test_share=0.3, seed=1
    )
    assert split_examples(examples, test_share=0.3, seed=1) != split_examples(
        examples, test_share=0.3, seed=2
    )


def test_a_department_keeps_one_example_for_training():
    train, test = split_examples(_examples({"A": 3}), test_share=0.9, seed=0)
    assert (len(train), len(test)) == (1, 2)


def test_by_time_tests_on_the_latest_share():
    times = ["2020/1/6 12:09:38", "2018/12/26 10:13:37", "2019/12/6 9:00:00", "2020/1/4 11:17:46"]
    examples = [
        Example(id=str(i), text="t", department="A", raw_label="A", time=t)
        for i, t in enumerate(times)
    ]
    train, test = split_examples(examples, test_share=0.5, by_time=True)
    assert [e.id for e in test] == ["0", "3"]
    assert [e.id for e in train] == ["1", "2"]


def test_by_time_needs_a_time_for_every_example():
    examples = _examples({"A": 4})
    with pytest.raises(ConfigurationError, match="4 examples have no time"):
        split_examples(examples, test_share=0.5, by_time=True)


@pytest.mark.parametrize("share", [0.0, 1.0, -0.2, 1.5])
def test_the_test_share_must_be_a_fraction(share):
    with pytest.raises(ConfigurationError, match="between 0 and 1"):
        split_examples(_examples({"A": 4}), test_share=share)


def test_time_key_orders_unpadded_timestamps():
    assert time_key("2020/1/6 12:09:38") > time_key("2019/12/26 10:13:37")
    assert time_key("2020-01-06T12:09") == (2020, 1, 6, 12, 9)
    assert time_key("") == ()
