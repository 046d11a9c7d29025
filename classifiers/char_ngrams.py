"""Character n-gram TF-IDF computed on arrays of code points instead of Python strings.

Same features and values as scikit-learn's ``TfidfVectorizer(analyzer="char",
lowercase=False)`` with the same parameters, up to the order of the columns, and several times
faster: an n-gram is an integer key made of its characters, so counting n-grams is sorting
integers and looking one up is a binary search in the sorted vocabulary.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from classifiers.ngram_tfidf import (
    TFIDF_PARAMETER_CONSTRAINTS,
    LookupCacheMixin,
    documents,
    runs,
    tf_idf,
)

#: Longest n-gram: the key of three code points fits in an int64.
MAX_N = 3
#: Base of the keys of ``keys_``: a character is the digit ``code point + 1``, never 0, so an
#: n-gram's key has exactly n non-zero digits and n-grams of different lengths never share a
#: key. Keys sort by length, then by code points.
_BASE = sys.maxunicode + 2
#: Follows each text (not a code point, so it splits n-grams that would span two texts).
_SEPARATOR = sys.maxunicode + 1


def _space_table() -> np.ndarray:
    r"""Whether ``\s`` matches each code point, up to one past the last that it matches."""
    is_space = np.strings.isspace(np.arange(sys.maxunicode + 1, dtype=np.uint32).view("U1"))
    return is_space[: np.flatnonzero(is_space)[-1] + 2]


#: scikit-learn's char analyzer replaces each match of ``\s\s+`` by a space.
_IS_SPACE = _space_table()
#: Most texts counted in one sort (a power of two): bounds memory, keeps sorts cache-friendly.
_MAX_TEXT_BITS = 13


@dataclass(frozen=True)
class _Alphabet:
    """Some characters numbered 1..n in code point order; n + 1 stands for every other
    character and for the separator.

    Keys over an alphabet (base n + 2) sort like the code point keys, and with the few
    thousand characters of a corpus they leave room in an int64 for a text's index.
    """

    codes: np.ndarray
    table: np.ndarray  # code point -> digit, up to the largest code point of the alphabet

    @classmethod
    def of(cls, codes: np.ndarray) -> _Alphabet:
        table = np.full(codes[-1] + 2, len(codes) + 1, dtype=np.int64)
        table[codes] = np.arange(1, len(codes) + 1)
        return cls(codes=codes, table=table)

    @property
    def base(self) -> int:
        return len(self.codes) + 2

    def digits(self, codes: np.ndarray) -> np.ndarray:
        """The digit of each code point (or separator)."""
        return self.table[np.minimum(codes, len(self.table) - 1)]

    def text_bits(self, max_n: int) -> int:
        """Bits left for a text's index beside a key of up to ``max_n`` characters."""
        return min(_MAX_TEXT_BITS, 63 - (self.base**max_n - 1).bit_length())


def _rebase(
    keys: np.ndarray, base: int, new_base: int, digit: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Keys rewritten in another base, ``digit`` mapping each non-zero digit."""
    out = np.zeros_like(keys)
    scale = 1
    while keys.any():
        keys, digits = np.divmod(keys, base)
        out += np.where(digits > 0, digit(np.maximum(digits, 1)), 0) * scale
        scale *= new_base
    return out


def _has_digit(keys: np.ndarray, base: int, digit: int) -> np.ndarray:
    """Which keys hold the digit."""
    found = np.zeros(len(keys), dtype=bool)
    while keys.any():
        keys, digits = np.divmod(keys, base)
        found |= digits == digit
    return found


@dataclass(frozen=True)
class _Lookup:
    """The vocabulary over the alphabet of its own characters."""

    keys: np.ndarray  # the ``keys_`` it was made from
    alphabet: _Alphabet
    compact_keys: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray) -> _Lookup:
        digits = []
        rest = keys
        while rest.any():
            rest, digit = np.divmod(rest, _BASE)
            digits.append(digit[digit > 0] - 1)
        alphabet = _Alphabet.of(np.unique(np.concatenate(digits)))
        compact = _rebase(keys, _BASE, alphabet.base, lambda d: alphabet.digits(d - 1))
        return cls(keys=keys, alphabet=alphabet, compact_keys=compact)


def _code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of the texts, each followed by a separator, with whitespace normalised
    as scikit-learn does; and the index of the text of each position."""
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    codes = np.insert(np.frombuffer(joined, dtype="<u4"), np.cumsum(lengths), _SEPARATOR)
    texts_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)
    space = _IS_SPACE[np.minimum(codes, len(_IS_SPACE) - 1)]
    follows_space = np.zeros_like(space)
    follows_space[1:] = space[:-1]
    dropped = space & follows_space
    if dropped.any():
        codes[space & ~follows_space & np.append(dropped[1:], False)] = ord(" ")
        codes, texts_of = codes[~dropped], texts_of[~dropped]
    return codes, texts_of


def _ngram_cells(
    digits: np.ndarray,
    texts_of: np.ndarray,
    text_bits: int,
    base: int,
    ngram_range: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct (n-gram, text) as ``key << text_bits | text``, sorted, and its count.

    n-grams over a separator are included: their keys hold the digit ``base - 1``.
    """
    min_n, max_n = ngram_range
    cells = []
    keys = digits
    for n in range(1, max_n + 1):
        if n > 1:
            keys = keys[:-1] * base + digits[n - 1 :]
        if n >= min_n:
            cells.append(keys << text_bits | texts_of[: len(keys)])
    joined = np.concatenate(cells)
    joined.sort()
    return runs(joined)


def _decode(key: int) -> str:
    chars = []
    while key:
        key, digit = divmod(key, _BASE)
        chars.append(chr(digit - 1))
    return "".join(reversed(chars))


class CharNgramVectorizer(LookupCacheMixin, TransformerMixin, BaseEstimator):
    """TF-IDF of character n-grams (n at most 3), smooth idf, rows L2-normalised.

    Equals ``TfidfVectorizer(analyzer="char", lowercase=False)`` with the same parameters,
    with columns ordered by n-gram length then code points rather than by name; ties at the
    ``max_features`` cut go to the lower column. The fitted state is two arrays: ``keys_``
    (the sorted int64 keys of the n-grams, in base ``sys.maxunicode + 2``) and ``idf_``.
    """

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012 (scikit-learn convention)
        "ngram_range": [tuple],
        **TFIDF_PARAMETER_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 3),
        min_df: int = 2,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        dtype: Any = np.float32,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.dtype = dtype

    def _texts(self, raw_documents: Iterable[str]) -> list[str]:
        texts = documents(raw_documents)
        min_n, max_n = self.ngram_range
        if not 1 <= min_n <= max_n <= MAX_N:
            raise ValueError(f"ngram_range must satisfy 1 <= min_n <= max_n <= {MAX_N}")
        return texts

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, raw_documents: Iterable[str], y: Any = None) -> CharNgramVectorizer:
        """Learn the n-grams kept (``min_df``, then the ``max_features`` most frequent) and
        their idf."""
        texts = self._texts(raw_documents)
        block = 1 << _MAX_TEXT_BITS
        seen = np.zeros(_SEPARATOR + 1, dtype=bool)
        for start in range(0, len(texts), block):
            seen[_code_points(texts[start : start + block])[0]] = True
        if not seen[:_SEPARATOR].any():
            raise ValueError("empty vocabulary: the documents hold no characters")
        alphabet = _Alphabet.of(np.flatnonzero(seen[:_SEPARATOR]))
        bits = alphabet.text_bits(self.ngram_range[1])
        keys, term_freqs, doc_freqs = [], [], []
        for start in range(0, len(texts), 1 << bits):
            codes, texts_of = _code_points(texts[start : start + (1 << bits)])
            cells, counts = _ngram_cells(
                alphabet.digits(codes), texts_of, bits, alphabet.base, self.ngram_range
            )
            block_keys, doc_freq = runs(cells >> bits)
            real = ~_has_digit(block_keys, alphabet.base, alphabet.base - 1)
            keys.append(block_keys[real])
            term_freqs.append(np.add.reduceat(counts, np.cumsum(doc_freq) - doc_freq)[real])
            doc_freqs.append(doc_freq[real])
        unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        term_freq = np.bincount(inverse, np.concatenate(term_freqs))
        doc_freq = np.bincount(inverse, np.concatenate(doc_freqs))
        kept = np.flatnonzero(doc_freq >= self.min_df)
        if self.max_features is not None and len(kept) > self.max_features:
            # the most frequent over the corpus, as scikit-learn
            kept = np.sort(kept[np.argsort(-term_freq[kept], kind="stable")[: self.max_features]])
        if not len(kept):
            raise ValueError("After pruning, no terms remain. Try a lower min_df.")
        self.keys_ = _rebase(
            unique[kept], alphabet.base, _BASE, lambda d: alphabet.codes[d - 1] + 1
        )
        self.idf_ = (np.log((1 + len(texts)) / (1 + doc_freq[kept])) + 1).astype(self.dtype)
        return self

    def transform(self, raw_documents: Iterable[str]) -> sp.csr_matrix:
        """The TF-IDF matrix of the texts; n-grams not learnt by ``fit`` are ignored."""
        check_is_fitted(self, ["keys_", "idf_"])
        texts = self._texts(raw_documents)
        lookup = self._lookup()
        block = 1 << lookup.alphabet.text_bits(self.ngram_range[1])
        # one block at least, so that no texts give a 0-row matrix
        blocks = [
            self._tf_idf(texts[start : start + block], lookup)
            for start in range(0, max(len(texts), 1), block)
        ]
        return blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr")

    def _tf_idf(self, texts: list[str], lookup: _Lookup) -> sp.csr_matrix:
        """The TF-IDF matrix of a block of texts."""
        codes, texts_of = _code_points(texts)
        bits = max(len(texts) - 1, 0).bit_length()
        alphabet = lookup.alphabet
        cells, counts = _ngram_cells(
            alphabet.digits(codes), texts_of, bits, alphabet.base, self.ngram_range
        )
        distinct, lengths = runs(cells >> bits)
        columns = np.searchsorted(lookup.compact_keys, distinct)
        np.minimum(columns, len(lookup.compact_keys) - 1, out=columns)
        known = lookup.compact_keys[columns] == distinct
        columns = np.repeat(np.where(known, columns, -1), lengths)
        known = columns >= 0
        columns, counts = columns[known], counts[known]
        rows = cells[known] & ((1 << bits) - 1)
        values = tf_idf(
            counts,
            rows,
            columns,
            idf=self.idf_,
            sublinear_tf=self.sublinear_tf,
            n_rows=len(texts),
            dtype=self.dtype,
        )
        # sorted by column, so the columns of each row come sorted and unique
        return sp.csr_matrix((values, (rows, columns)), shape=(len(texts), len(self.keys_)))

    def _lookup(self) -> _Lookup:
        """The vocabulary over its own alphabet, made once per ``keys_``."""
        return self._cached_lookup(lambda: _Lookup.of(self.keys_))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The n-gram of each column."""
        check_is_fitted(self, "keys_")
        return np.asarray([_decode(int(key)) for key in self.keys_], dtype=object)
