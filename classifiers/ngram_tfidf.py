"""What the numpy n-gram vectorizers share: counting runs, TF-IDF weighting and row
normalisation as scikit-learn does them, and a lookup cache kept out of model files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from numbers import Integral
from typing import Any, TypeVar

import numpy as np
from sklearn.utils._param_validation import Interval

_L = TypeVar("_L")

#: scikit-learn parameter constraints of what both vectorizers take.
TFIDF_PARAMETER_CONSTRAINTS: dict[str, list[Any]] = {
    "min_df": [Interval(Integral, 1, None, closed="left")],
    "max_features": [Interval(Integral, 1, None, closed="left"), None],
    "sublinear_tf": ["boolean"],
    "dtype": "no_validation",
}


def documents(raw_documents: Iterable[str]) -> list[str]:
    """The texts of ``raw_documents``; a single string is refused, as scikit-learn does."""
    if isinstance(raw_documents, str):
        raise ValueError("Iterable over raw text documents expected, string object received.")
    return list(raw_documents)


def runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and the length of each run."""
    new = np.empty(len(values), dtype=bool)
    new[:1] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    return values[starts], np.diff(starts, append=len(values))


def tf_idf(
    counts: np.ndarray,
    rows: np.ndarray,
    columns: np.ndarray,
    *,
    idf: np.ndarray,
    sublinear_tf: bool,
    n_rows: int,
    dtype: Any,
) -> np.ndarray:
    """The TF-IDF values of the cells (row, column, count), each row L2-normalised."""
    values = counts.astype(dtype)
    if sublinear_tf:
        np.log(values, out=values)
        values += 1
    values *= idf[columns]
    # every value is positive: a row with values has a positive norm
    norms = np.sqrt(np.bincount(rows, weights=np.square(values), minlength=n_rows))
    # divided in float64, as scikit-learn's normalize
    return (values / norms[rows]).astype(dtype, copy=False)


class LookupCacheMixin:
    """A vectorizer's lookup tables, built from its fitted ``keys_`` on first use and never
    saved with the model (rebuilt after loading); plus scikit-learn's tags for text input."""

    keys_: np.ndarray

    def _cached_lookup(self, build: Callable[[], _L]) -> _L:
        lookup = self.__dict__.get("_lookup_cache")
        if lookup is None or lookup.keys is not self.keys_:
            lookup = self._lookup_cache = build()
        return lookup

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())  # type: ignore[misc]
        state.pop("_lookup_cache", None)
        return state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
