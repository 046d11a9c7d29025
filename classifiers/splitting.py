"""Splitting imported examples into a training and a test file, so a model is evaluated on
tickets it never saw."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence

from classifiers.importer import Example
from router.exceptions import ConfigurationError


def split_examples(
    examples: Sequence[Example], *, test_share: float, seed: int = 0, by_time: bool = False
) -> tuple[list[Example], list[Example]]:
    """Training and test examples, each in the input's order.

    By default stratified: each department gives ``test_share`` of its examples (rounded) to
    the test set, chosen at random for ``seed``, and always keeps at least one for training
    (a department with one example goes to training). With ``by_time`` the latest
    ``test_share`` of all examples (by their time) is the test set, as when a model trained on
    the past is used on what comes next.
    """
    if not 0 < test_share < 1:
        raise ConfigurationError(f"the test share must be between 0 and 1, not {test_share}")
    test = _latest(examples, test_share) if by_time else _stratified(examples, test_share, seed)
    return (
        [e for i, e in enumerate(examples) if i not in test],
        [e for i, e in enumerate(examples) if i in test],
    )


def _stratified(examples: Sequence[Example], test_share: float, seed: int) -> set[int]:
    rng = random.Random(seed)
    by_department: dict[str, list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        by_department[example.department].append(i)
    test: set[int] = set()
    for department in sorted(by_department):
        indices = by_department[department]
        rng.shuffle(indices)
        test.update(indices[: min(len(indices) - 1, int(len(indices) * test_share + 0.5))])
    return test


def _latest(examples: Sequence[Example], test_share: float) -> set[int]:
    undated = sum(1 for e in examples if not time_key(e.time))
    if undated:
        raise ConfigurationError(
            f"{undated} examples have no time: splitting by time needs the time column"
        )
    order = sorted(range(len(examples)), key=lambda i: (time_key(examples[i].time), i))
    return set(order[len(examples) - int(len(examples) * test_share + 0.5) :])


def time_key(value: str) -> tuple[int, ...]:
    """A sortable key of a timestamp written as numbers in year-to-second order, whatever the
    separators and padding ("2020/1/6 12:09:38", "2020-01-06T12:09", "20200106120938")."""
    return tuple(int(number) for number in re.findall(r"\d+", value))
