"""Word unigram and bigram TF-IDF computed on arrays of token ids instead of Python strings.

Same features and values as scikit-learn's ``TfidfVectorizer(token_pattern=r"[^ ]+",
ngram_range=(1, 2), lowercase=False)`` with the same parameters, up to the order of the
columns, and several times faster: a token is looked up once in a dict, a bigram is the integer
key of its two token ids, so counting n-grams is sorting integers and looking one up is a
probe of a numpy hash table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, repeat
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
from classifiers.vectorizer import TERM_SEPARATOR
from router.exceptions import ModelError

#: Id of a token unknown to the vocabulary.
_UNKNOWN = -1
#: Id of the empty string, which ``str.split(" ")`` yields between two spaces: not a token.
_EMPTY = -2


def _split(texts: list[str]) -> tuple[Iterator[str], np.ndarray]:
    """The pieces of the texts between spaces (empty ones included), and the index of the text
    of each piece. Dropping the empty pieces gives ``re.findall(r"[^ ]+", text)``."""
    lengths = np.fromiter(map(str.count, texts, repeat(" ")), dtype=np.int64, count=len(texts))
    texts_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)
    return chain.from_iterable(map(str.split, texts, repeat(" "))), texts_of


def _bigrams(ids: np.ndarray, texts_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two token ids of each bigram of known tokens within one text, and its text."""
    first, second = ids[:-1], ids[1:]
    valid = (texts_of[:-1] == texts_of[1:]) & (first >= 0) & (second >= 0)
    return first[valid], second[valid], texts_of[:-1][valid]


def _frequencies(
    keys: np.ndarray, texts_of: np.ndarray, n_texts: int, key_bound: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct keys (sorted), the number of texts holding each and its total count."""
    text_bits = max(n_texts - 1, 0).bit_length()
    if key_bound.bit_length() + text_bits <= 63:
        cells = keys << text_bits | texts_of
        cells.sort()
        cells, counts = runs(cells)
        distinct, doc_freq = runs(cells >> text_bits)
    else:  # too many keys and texts for one int64: sort the pairs
        order = np.lexsort((texts_of, keys))
        keys, texts_of = keys[order], texts_of[order]
        new = np.ones(len(keys), dtype=bool)
        new[1:] = (keys[1:] != keys[:-1]) | (texts_of[1:] != texts_of[:-1])
        starts = np.flatnonzero(new)
        counts = np.diff(starts, append=len(keys))
        distinct, doc_freq = runs(keys[starts])
    term_freq = np.add.reduceat(counts, np.cumsum(doc_freq) - doc_freq) if len(counts) else counts
    return distinct, doc_freq, term_freq


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class _HashTable:
    """Non-negative int64 keys -> their index in the array they came from, an open-addressing
    hash table probed with whole arrays (faster than a binary search for random queries)."""

    keys: np.ndarray  # the key in each slot, -1 if empty
    values: np.ndarray
    bits: int

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        """Fibonacci hashing: the top bits of ``key * 2**64 / golden ratio``."""
        hashed = keys.view(np.uint64) * _GOLDEN >> np.uint64(64 - self.bits)
        return hashed.view(np.int64)

    @classmethod
    def of(cls, keys: np.ndarray) -> _HashTable:
        bits = max(4, (4 * len(keys)).bit_length())  # at most a quarter full
        table = cls(
            keys=np.full(1 << bits, -1, dtype=np.int64),
            values=np.full(1 << bits, -1, dtype=np.int64),
            bits=bits,
        )
        pending = np.arange(len(keys))
        slots = table._slots(np.ascontiguousarray(keys, dtype=np.int64))
        while len(pending):
            free = table.keys[slots[pending]] == -1
            # one key per free slot; the others try the next slot
            _, first = np.unique(slots[pending[free]], return_index=True)
            placed = pending[free][first]
            table.keys[slots[placed]] = keys[placed]
            table.values[slots[placed]] = placed
            waiting = np.ones(len(pending), dtype=bool)
            waiting[np.flatnonzero(free)[first]] = False
            pending = pending[waiting]
            slots[pending] = (slots[pending] + 1) & ((1 << bits) - 1)
        return table

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, -1 for a key not in the table."""
        found = np.full(len(keys), -1, dtype=np.int64)
        slots = self._slots(np.ascontiguousarray(keys, dtype=np.int64))
        active = np.arange(len(keys))
        while len(active):
            slot = slots[active]
            stored = self.keys[slot]
            hit = stored == keys[active]
            found[active[hit]] = self.values[slot[hit]]
            active = active[~hit & (stored != -1)]
            slots[active] = (slots[active] + 1) & (len(self.keys) - 1)
        return found


@dataclass(frozen=True)
class _Lookup:
    """What ``transform`` needs, made from the fitted state."""

    keys: np.ndarray  # the ``keys_`` it was made from
    ids: dict[str, int]  # token -> id, "" -> _EMPTY
    unigram_columns: np.ndarray  # token id -> column, -1 if not a feature
    bigrams: _HashTable  # ``id1 * V + id2`` of each bigram feature -> its index among them
    n_unigrams: int

    @classmethod
    def of(cls, keys: np.ndarray, tokens: list[str]) -> _Lookup:
        n_tokens = len(tokens)
        ids = dict(zip(tokens, range(n_tokens), strict=True))
        ids[""] = _EMPTY
        n_unigrams = int(np.searchsorted(keys, n_tokens))
        unigram_columns = np.full(n_tokens, -1, dtype=np.int64)
        unigram_columns[keys[:n_unigrams]] = np.arange(n_unigrams)
        return cls(
            keys=keys,
            ids=ids,
            unigram_columns=unigram_columns,
            bigrams=_HashTable.of(keys[n_unigrams:] - n_tokens),
            n_unigrams=n_unigrams,
        )


class WordNgramVectorizer(LookupCacheMixin, TransformerMixin, BaseEstimator):
    """TF-IDF of word unigrams and bigrams of space-separated tokens, smooth idf, rows
    L2-normalised.

    Equals ``TfidfVectorizer(token_pattern=r"[^ ]+", ngram_range=(1, 2), lowercase=False)``
    with the same parameters (the ``max_features`` cut included, ties broken as scikit-learn
    does), with columns ordered as the keys: unigrams, then bigrams. The fitted state is
    ``tokens_`` (the tokens of at least ``min_df`` texts, sorted, joined by ``\\x1f``: a token
    id is its index), ``keys_`` (the sorted int64 keys of the features: a unigram's is its id,
    a bigram's ``V + id1 * V + id2`` with ``V`` tokens) and ``idf_``. Tokens are kept even
    when ``max_features`` drops their unigram, as a kept bigram may hold them.
    """

    _parameter_constraints: dict[str, list[Any]] = TFIDF_PARAMETER_CONSTRAINTS

    def __init__(
        self,
        *,
        min_df: int = 2,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        dtype: Any = np.float32,
    ) -> None:
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.dtype = dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, raw_documents: Iterable[str], y: Any = None) -> WordNgramVectorizer:
        """Learn the n-grams kept (``min_df``, then the ``max_features`` most frequent) and
        their idf."""
        texts = documents(raw_documents)
        pieces, texts_of = _split(texts)
        index: dict[str, int] = {}
        all_ids = np.fromiter(
            (index.setdefault(piece, len(index)) for piece in pieces),
            dtype=np.int64,
            count=len(texts_of),
        )
        if "" in index:
            real = all_ids != index[""]
            all_ids, texts_of = all_ids[real], texts_of[real]
        if not len(all_ids):
            raise ValueError("empty vocabulary: the documents hold no tokens")
        # a bigram is in no more texts than its tokens: keep the tokens reaching min_df
        distinct, doc_freq, _ = _frequencies(all_ids, texts_of, len(texts), len(index) + 1)
        names = np.asarray(list(index), dtype=object)
        frequent = distinct[doc_freq >= self.min_df]
        tokens = sorted(names[frequent])
        if any(TERM_SEPARATOR in token for token in tokens):
            raise ModelError("a token holds the separator character \\x1f")
        n_tokens = len(tokens)
        new_id = np.full(len(index), _UNKNOWN, dtype=np.int64)
        new_id[frequent[np.argsort(names[frequent], kind="stable")]] = np.arange(n_tokens)
        ids = new_id[all_ids]
        first, second, bigram_texts = _bigrams(ids, texts_of)
        keys = np.concatenate([ids[ids >= 0], n_tokens + first * n_tokens + second])
        known_texts = np.concatenate([texts_of[ids >= 0], bigram_texts])
        keys, doc_freq, term_freq = _frequencies(
            keys, known_texts, len(texts), n_tokens + n_tokens * n_tokens
        )
        kept = np.flatnonzero(doc_freq >= self.min_df)
        if self.max_features is not None and len(kept) > self.max_features:
            # scikit-learn's cut, ties included: features sorted by name, float32 counts,
            # numpy's default argsort of the negated counts
            by_name = np.argsort(self._names(keys[kept], tokens), kind="stable")
            counts = term_freq[kept][by_name].astype(np.float32)
            kept = np.sort(kept[by_name[(-counts).argsort()[: self.max_features]]])
        if not len(kept):
            raise ValueError("After pruning, no terms remain. Try a lower min_df.")
        self.tokens_ = TERM_SEPARATOR.join(tokens)
        self.keys_ = keys[kept]
        # as scikit-learn computes it, in float32
        df = doc_freq[kept].astype(np.float32) + np.float32(1)
        idf = np.full_like(df, len(texts) + 1)
        idf /= df
        np.log(idf, out=idf)
        idf += np.float32(1)
        self.idf_ = idf.astype(self.dtype)
        return self

    def transform(self, raw_documents: Iterable[str]) -> sp.csr_matrix:
        """The TF-IDF matrix of the texts; n-grams not learnt by ``fit`` are ignored."""
        check_is_fitted(self, ["tokens_", "keys_", "idf_"])
        texts = documents(raw_documents)
        lookup = self._lookup()
        pieces, texts_of = _split(texts)
        ids = np.fromiter(
            map(lookup.ids.get, pieces, repeat(_UNKNOWN)), dtype=np.int64, count=len(texts_of)
        )
        real = ids != _EMPTY
        ids, texts_of = ids[real], texts_of[real]
        # unigrams
        columns = lookup.unigram_columns[ids]
        unigram = (ids >= 0) & (columns >= 0)
        # bigrams
        n_tokens = len(lookup.unigram_columns)
        first, second, bigram_texts = _bigrams(ids, texts_of)
        bigram_keys = first * n_tokens + second
        found = lookup.bigrams.get(bigram_keys)
        bigram = found >= 0
        n_columns = len(self.keys_)
        cells = np.concatenate(
            [
                texts_of[unigram] * n_columns + columns[unigram],
                bigram_texts[bigram] * n_columns + lookup.n_unigrams + found[bigram],
            ]
        )
        cells.sort()
        cells, counts = runs(cells)
        rows, columns = np.divmod(cells, n_columns)
        values = tf_idf(
            counts,
            rows,
            columns,
            idf=self.idf_,
            sublinear_tf=self.sublinear_tf,
            n_rows=len(texts),
            dtype=self.dtype,
        )
        # sorted by row then column: CSR data as it is
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
        return sp.csr_matrix((values, columns, indptr), shape=(len(texts), n_columns))

    def _tokens(self) -> list[str]:
        return self.tokens_.split(TERM_SEPARATOR) if self.tokens_ else []

    def _lookup(self) -> _Lookup:
        """The token dict and column tables, made once per ``keys_``."""
        return self._cached_lookup(lambda: _Lookup.of(self.keys_, self._tokens()))

    @staticmethod
    def _names(keys: np.ndarray, tokens: list[str]) -> np.ndarray:
        n_tokens = len(tokens)
        names = []
        for key in keys.tolist():
            if key < n_tokens:
                names.append(tokens[key])
            else:
                first, second = divmod(key - n_tokens, n_tokens)
                names.append(f"{tokens[first]} {tokens[second]}")
        return np.asarray(names, dtype=object)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The n-gram of each column: ``"token"`` or ``"token token"``."""
        check_is_fitted(self, ["tokens_", "keys_"])
        return self._names(self.keys_, self._tokens())
