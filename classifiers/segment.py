"""Chinese word segmentation with jieba's dictionary plus the hotline's domain words.

Two engines give the same tokens: ``rjieba`` (jieba's algorithm and dictionary in Rust,
~25x faster; the default) and ``jieba`` (the reference Python implementation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from sklearn.base import BaseEstimator, TransformerMixin

from router.exceptions import ConfigurationError

ENGINES = ("rjieba", "jieba")

# Tokens made only of punctuation, symbols or spaces carry no routing signal.
_NOISE = re.compile(r"^[\s\W_]+$")
# Digit runs (dates, amounts, masked numbers) are folded to one token per length class.
_DIGITS = re.compile(r"^[\d*]+$")


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    """The hotline's domain dictionary (``classifiers/domain_words.txt``), one word a line."""
    text = resources.files("classifiers").joinpath("domain_words.txt").read_text("utf-8")
    return tuple(word for line in text.splitlines() if (word := line.split("#", 1)[0].strip()))


def _make_cut(engine: str) -> Callable[[str], list[str]]:
    """A cut function of the given engine, HMM on, with the domain words added."""
    if engine == "rjieba":
        import rjieba

        rtokenizer = rjieba.Jieba()
        for word in domain_words():
            rtokenizer.add_word(word, None, None)
        return lambda text: rtokenizer.cut(text, True)
    if engine == "jieba":
        import jieba

        tokenizer = jieba.Tokenizer()
        for word in domain_words():
            tokenizer.add_word(word)
        return lambda text: tokenizer.lcut(text, HMM=True)
    raise ConfigurationError(f"unknown segmentation engine {engine!r}; choose one of {ENGINES}")


def _keep(token: str) -> str | None:
    if _NOISE.match(token):
        return None
    if _DIGITS.match(token):
        return "<NUM>" if len(token) < 6 else "<LONGNUM>"
    return token.lower()


class Segmenter(TransformerMixin, BaseEstimator):
    """Turn texts into space-joined tokens, ready for a whitespace-token vectorizer.

    Stateless: ``fit`` learns nothing. Punctuation tokens are dropped and digit runs folded.
    """

    def __init__(self, *, engine: str = "rjieba") -> None:
        self.engine = engine

    def fit(self, X: Iterable[str], y: Any = None) -> Segmenter:
        """Check the engine; nothing to learn."""
        self._cut()
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        """Segment each text; returns one space-joined token string per text."""
        return [" ".join(self.tokens(text)) for text in X]

    def tokens(self, text: str) -> list[str]:
        """The kept tokens of one text."""
        return [kept for token in self._cut()(text) if (kept := _keep(token)) is not None]

    def _cut(self) -> Callable[[str], list[str]]:
        cut = self.__dict__.get("_cut_fn")
        if cut is None:
            cut = self.__dict__["_cut_fn"] = _make_cut(self.engine)
        return cut

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_cut_fn", None)  # holds a native tokenizer: rebuilt on first use
        return state

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
