"""A TF-IDF vectorizer whose vocabulary is stored compactly in a model file."""

from __future__ import annotations

from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer

from router.exceptions import ModelError

#: Joins the terms of a stored vocabulary (a control character cleaned text never holds).
TERM_SEPARATOR = "\x1f"


class CompactTfidfVectorizer(TfidfVectorizer):
    """:class:`~sklearn.feature_extraction.text.TfidfVectorizer` that stores its vocabulary as
    one string of terms in index order instead of a dict.

    skops writes a dict as one JSON node per entry: a 200k-term vocabulary took most of a
    model file's size and load time. The fitted vectorizer in memory is unchanged.
    """

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        vocabulary = state.get("vocabulary_")
        if isinstance(vocabulary, dict):
            terms = sorted(vocabulary, key=vocabulary.__getitem__)
            if any(TERM_SEPARATOR in term for term in terms):
                raise ModelError("a vocabulary term holds the separator character \\x1f")
            state["vocabulary_"] = TERM_SEPARATOR.join(terms)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vocabulary = state.get("vocabulary_")
        if isinstance(vocabulary, str):
            terms = vocabulary.split(TERM_SEPARATOR) if vocabulary else []
            state = {**state, "vocabulary_": {term: i for i, term in enumerate(terms)}}
        super().__setstate__(state)
