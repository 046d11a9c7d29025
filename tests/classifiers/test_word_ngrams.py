"""The numpy word n-gram vectorizer against scikit-learn's word analyzer (the old words
branch, CompactTfidfVectorizer)."""

from __future__ import annotations

import random
import re
from functools import cache

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classifiers import word_ngrams
from classifiers.artefacts import load_model, save_model
from classifiers.model import build_pipeline
from classifiers.segment import Segmenter
from classifiers.synthetic import generate
from classifiers.vectorizer import CompactTfidfVectorizer
from classifiers.word_ngrams import WordNgramVectorizer
from router.exceptions import ModelError

EDGE = ["", " ", "   ", "燃气", "燃气 燃气 燃气 燃气", "燃气  漏气 ", " 燃气 漏气 燃气 漏气"]
EDGE += ["a\nb c a\nb", "a\nb c", "x\ty x\ty", "\n", "a b a b a b", "a", "a b"]


@cache
def segmented(n: int, seed: int) -> tuple[str, ...]:
    """Segmented synthetic requests, then the edge cases."""
    texts = [request.text for request in generate(n, seed=seed)]
    return (*Segmenter().fit([]).transform(texts), *EDGE)


def old(**params) -> CompactTfidfVectorizer:
    """The words branch as build_pipeline had it."""
    full = {"min_df": 2, "max_features": None, "sublinear_tf": True, **params}
    return CompactTfidfVectorizer(
        token_pattern=r"[^ ]+", ngram_range=(1, 2), lowercase=False, dtype=np.float32, **full
    )


def assert_same(ours: WordNgramVectorizer, theirs: CompactTfidfVectorizer, texts) -> None:
    """Same features and, columns reordered by name, the same matrix."""
    names = list(ours.get_feature_names_out())
    assert sorted(names) == sorted(theirs.vocabulary_)
    expected = theirs.transform(texts)[:, [theirs.vocabulary_[name] for name in names]]
    actual = ours.transform(texts)
    assert actual.dtype == np.float32
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual.toarray(), expected.toarray(), rtol=1e-6, atol=1e-7)


def test_split_equals_the_token_pattern():
    for text in [*segmented(100, 1), "  a  b\n c\t ", "\u3000a b\u3000"]:
        assert [t for t in text.split(" ") if t] == re.findall(r"[^ ]+", text)


@pytest.mark.parametrize(
    "params",
    [{}, {"min_df": 1}, {"min_df": 3}, {"sublinear_tf": False}],
)
def test_equals_sklearn_word_tfidf(params):
    train, test = list(segmented(300, 1)), list(segmented(100, 2))
    ours = WordNgramVectorizer(**params).fit(train)
    theirs = old(**params).fit(train)
    assert_same(ours, theirs, train)
    assert_same(ours, theirs, test)  # unknown tokens and n-grams are ignored


@pytest.mark.parametrize("max_features", [1, 50, 500, 2000, 3000])
def test_max_features_cut_equals_sklearn_ties_included(max_features):
    train = list(segmented(300, 3))
    ours = WordNgramVectorizer(max_features=max_features).fit(train)
    theirs = old(max_features=max_features).fit(train)
    assert len(ours.keys_) == max_features
    assert_same(ours, theirs, train + list(segmented(50, 4)))


@pytest.mark.parametrize("max_features", range(1, 12))
def test_bigram_kept_when_its_unigram_is_cut(max_features):
    # a bigram as frequent as its tokens can win the tie at the cut over one of them
    # (max_features 2 to 4 keep "d e" without "e", 10 keeps "f g" without "g"): its tokens
    # must still be known
    texts = ["a b"] * 3 + ["c d e"] * 4 + ["f g"] * 2
    ours = WordNgramVectorizer(min_df=1, max_features=max_features).fit(texts)
    theirs = old(min_df=1, max_features=max_features).fit(texts)
    assert_same(ours, theirs, [*texts, "c d e", "d e", "x d e", "d x e", "f g g", "e d"])
    names = set(ours.get_feature_names_out())
    orphans = {name for name in names if " " in name and not set(name.split(" ")) <= names}
    assert bool(orphans) == (max_features in (2, 3, 4, 10))


def test_unknown_tokens_break_bigrams_and_texts_do_not_join():
    vectorizer = WordNgramVectorizer(min_df=1).fit(["燃气 漏气", "工资 拖欠"])
    matrix = vectorizer.transform(["燃气 漏气", "燃气 新词 漏气", "", "新词", "漏气", "燃气"])
    names = vectorizer.get_feature_names_out()
    assert set(names[matrix[0].indices]) == {"燃气", "漏气", "燃气 漏气"}
    assert set(names[matrix[1].indices]) == {"燃气", "漏气"}
    assert matrix[2].nnz == 0 and matrix[3].nnz == 0
    # "漏气" then "燃气" in the next text is no bigram
    assert set(names[matrix[4].indices]) == {"漏气"}
    np.testing.assert_allclose(
        np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel(), [1, 1, 0, 0, 1, 1], rtol=1e-6
    )
    assert vectorizer.transform([]).shape == (0, len(names))


def test_estimator_conventions():
    vectorizer = WordNgramVectorizer(min_df=1, max_features=50, sublinear_tf=False)
    copy = clone(vectorizer)
    assert copy.get_params() == vectorizer.get_params()
    assert copy.get_params()["max_features"] == 50
    with pytest.raises(NotFittedError):
        copy.transform(["燃气"])
    texts = list(segmented(60, 7))
    fitted = vectorizer.fit(texts)
    assert fitted is vectorizer and fitted.keys_.dtype == np.int64
    assert isinstance(fitted.tokens_, str)
    np.testing.assert_array_equal(
        clone(vectorizer).fit_transform(texts).toarray(), vectorizer.transform(texts).toarray()
    )
    assert len(vectorizer.get_feature_names_out()) == len(vectorizer.keys_) == 50


@pytest.mark.parametrize(
    ("params", "texts", "message"),
    [
        ({}, "燃气 漏气", "string object received"),
        ({}, [], "empty vocabulary"),
        ({}, ["", " "], "empty vocabulary"),
        ({"min_df": 3}, ["燃气", "漏气"], "no terms remain"),
        ({"min_df": 0}, ["燃气"], "min_df"),
    ],
)
def test_bad_input_is_a_clear_error(params, texts, message):
    with pytest.raises(ValueError, match=message):
        WordNgramVectorizer(**params).fit(texts)


def test_separator_in_a_token_is_refused():
    with pytest.raises(ModelError, match="separator"):
        WordNgramVectorizer(min_df=1).fit(["a\x1fb c"])


def test_pipeline_round_trips_through_skops(tmp_path):
    rng = random.Random(8)
    requests = generate(200, seed=8)
    texts = [r.text for r in requests]
    labels = [r.department for r in requests]
    pipeline = build_pipeline(min_df=1).fit(texts, labels)
    words = pipeline.named_steps["features"].transformer_list[0][1]
    assert isinstance(words, WordNgramVectorizer)
    queries = [r.text for r in generate(50, seed=9)] + ["", rng.choice(texts)]
    save_model(tmp_path, pipeline, {"version": "t"})  # also makes the SVM float32, in place
    expected = pipeline.predict_proba(queries)
    loaded = load_model(tmp_path).pipeline
    words = loaded.named_steps["features"].transformer_list[0][1]
    assert isinstance(words, WordNgramVectorizer)
    # only the fitted state is stored, not the lookup tables made from it
    assert sorted(k for k in vars(words) if k.endswith("_")) == ["idf_", "keys_", "tokens_"]
    assert "_lookup_cache" not in vars(words)
    np.testing.assert_array_equal(loaded.predict_proba(queries), expected)


def test_hash_table_finds_its_keys_and_only_them():
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 1 << 40, size=5000))
    rng.shuffle(keys)
    table = word_ngrams._HashTable.of(keys)
    np.testing.assert_array_equal(table.get(keys), np.arange(len(keys)))
    others = np.setdiff1d(rng.integers(0, 1 << 40, size=5000), keys)
    assert (table.get(others) == -1).all()
    assert (word_ngrams._HashTable.of(keys[:0]).get(keys[:10]) == -1).all()
    # keys sharing their home slot: 2**k multiples collide in Fibonacci hashing's low bits
    clustered = np.arange(0, 64 << 50, 1 << 50)
    np.testing.assert_array_equal(word_ngrams._HashTable.of(clustered).get(clustered), range(64))
