"""The numpy character n-gram vectorizer against scikit-learn's char analyzer."""

from __future__ import annotations

import random
import re
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from classifiers import char_ngrams
from classifiers.artefacts import load_model, save_model
from classifiers.char_ngrams import CharNgramVectorizer
from classifiers.model import build_pipeline

WORDS = ["燃气", "漏气", "工资", "拖欠", "公交", "司机", "小区", "物业", "噪音", "扰民", "路灯"]
WORDS += ["坏了", "市民", "来电", "反映", "请", "处理", "的", "了", "在", "<NUM>", "<LONGNUM>"]
OTHER = ["ABC", "abc", "Wi-Fi", "2024", "3.5", "😀", "🚌", "𠀋", "é", "x", "#", "　"]
SPACES = [" ", "  ", "\t", "\n", " \t ", "\u3000", "\u3000\u3000", "\r\n", "\x1f\x1f", "\xa0 "]


def corpus(n: int, seed: int) -> list[str]:
    """Varied texts: segmented Chinese, ASCII, digits, astral characters, odd whitespace."""
    rng = random.Random(seed)
    texts = ["", "x", "燃", " ", "  ", "\t", "😀", "ab", " 燃气  漏气 ", "\ud800 lone surrogate"]
    for _ in range(n - len(texts)):
        tokens = rng.choices(WORDS + OTHER, k=rng.randint(1, 25))
        glue = [rng.choice(SPACES) if rng.random() < 0.2 else " " for _ in tokens]
        texts.append("".join(t + g for t, g in zip(tokens, glue, strict=True)).strip(" "))
    return texts


def assert_same(ours: CharNgramVectorizer, theirs: TfidfVectorizer, texts: list[str]) -> None:
    """Same features and, columns reordered by name, the same matrix."""
    names = list(ours.get_feature_names_out())
    assert sorted(names) == sorted(theirs.vocabulary_)
    expected = theirs.transform(texts)[:, [theirs.vocabulary_[name] for name in names]]
    actual = ours.transform(texts)
    assert actual.dtype == np.float32
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual.toarray(), expected.toarray(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"min_df": 1},
        {"sublinear_tf": False},
        {"ngram_range": (1, 1)},
        {"ngram_range": (2, 3)},
        {"ngram_range": (3, 3), "min_df": 3},
    ],
)
def test_equals_sklearn_char_tfidf(params):
    train, test = corpus(300, seed=1), corpus(100, seed=2)
    full = {"ngram_range": (1, 3), "min_df": 2, "sublinear_tf": True, **params}
    ours = CharNgramVectorizer(**full).fit(train)
    theirs = TfidfVectorizer(analyzer="char", lowercase=False, **full).fit(train)
    assert_same(ours, theirs, train)
    assert_same(ours, theirs, test)  # n-grams unseen at fit are ignored


def test_max_features_keeps_the_most_frequent():
    train = corpus(300, seed=3)
    counts = CountVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False)
    matrix = counts.fit_transform(train)
    term_freq, doc_freq = matrix.sum(axis=0).A1, (matrix > 0).sum(axis=0).A1
    frequent = np.sort(term_freq[doc_freq >= 2])[::-1]
    # a cut with no tie, about half-way
    limit = next(
        k for k in range(len(frequent) // 2, len(frequent)) if frequent[k - 1] > frequent[k]
    )
    params = {"ngram_range": (1, 3), "min_df": 2, "max_features": limit, "sublinear_tf": True}
    ours = CharNgramVectorizer(**params).fit(train)
    theirs = TfidfVectorizer(analyzer="char", lowercase=False, **params).fit(train)
    assert len(ours.keys_) == limit
    assert_same(ours, theirs, train + corpus(50, seed=4))


def test_unknown_ngrams_and_characters_are_ignored():
    vectorizer = CharNgramVectorizer(min_df=1).fit(["燃气漏气", "工资拖欠"])
    matrix = vectorizer.transform(["燃气", "🚌🚌", "", "燃气费", "燃😀气"])
    names = vectorizer.get_feature_names_out()
    row = dict(zip(names[matrix[0].indices], matrix[0].data, strict=True))
    assert set(row) == {"燃", "气", "燃气"}
    assert matrix[1].nnz == 0 and matrix[2].nnz == 0
    assert set(names[matrix[3].indices]) == {"燃", "气", "燃气"}
    assert set(names[matrix[4].indices]) == {"燃", "气"}
    np.testing.assert_allclose(
        np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel(), [1, 0, 0, 1, 1], rtol=1e-6
    )
    assert vectorizer.transform([]).shape == (0, len(names))


def test_blocks_give_the_same_result(monkeypatch):
    train, test = corpus(120, seed=5), corpus(40, seed=6)
    whole = CharNgramVectorizer().fit(train)
    monkeypatch.setattr(char_ngrams, "_MAX_TEXT_BITS", 2)  # blocks of 4 texts
    blocked = CharNgramVectorizer().fit(train)
    np.testing.assert_array_equal(blocked.keys_, whole.keys_)
    np.testing.assert_array_equal(blocked.idf_, whole.idf_)
    np.testing.assert_allclose(blocked.transform(test).toarray(), whole.transform(test).toarray())


def test_whitespace_table_matches_the_regex():
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    expected = [match.start() for match in re.finditer(r"\s", everything)]
    is_space = char_ngrams._IS_SPACE
    assert list(np.flatnonzero(is_space)) == expected
    assert not is_space[-1]


def test_estimator_conventions():
    vectorizer = CharNgramVectorizer(ngram_range=(2, 3), min_df=1, max_features=50)
    copy = clone(vectorizer)
    assert copy.get_params() == vectorizer.get_params()
    assert copy.get_params()["ngram_range"] == (2, 3)
    with pytest.raises(NotFittedError):
        copy.transform(["燃气"])
    texts = corpus(60, seed=7)
    fitted = vectorizer.fit(texts)
    assert fitted is vectorizer and fitted.keys_.dtype == np.int64
    np.testing.assert_allclose(
        clone(vectorizer).fit_transform(texts).toarray(), vectorizer.transform(texts).toarray()
    )
    assert len(vectorizer.get_feature_names_out()) == len(vectorizer.keys_) <= 50


@pytest.mark.parametrize(
    ("params", "texts", "message"),
    [
        ({}, "燃气漏气", "string object received"),
        ({"ngram_range": (1, 4)}, ["燃气漏气"], "ngram_range"),
        ({"ngram_range": (2, 1)}, ["燃气漏气"], "ngram_range"),
        ({}, [], "empty vocabulary"),
        ({}, ["", ""], "empty vocabulary"),
        ({"min_df": 3}, ["燃气", "漏气"], "no terms remain"),
        ({"min_df": 0}, ["燃气"], "min_df"),
    ],
)
def test_bad_input_is_a_clear_error(params, texts, message):
    with pytest.raises(ValueError, match=message):
        CharNgramVectorizer(**params).fit(texts)


def test_pipeline_round_trips_through_skops(tmp_path):
    # the segmenter (rjieba) cannot take a lone surrogate
    texts = [t for t in corpus(200, seed=8) if t.strip() and "\ud800" not in t]
    labels = ["GAS" if "燃气" in t or "漏气" in t else "OTHER" for t in texts]
    pipeline = build_pipeline(min_df=1).fit(texts, labels)
    assert isinstance(pipeline.named_steps["features"].transformer_list[1][1], CharNgramVectorizer)
    queries = [t for t in corpus(50, seed=9) if "\ud800" not in t]
    save_model(tmp_path, pipeline, {"version": "t"})  # also makes the SVM float32, in place
    expected = pipeline.predict_proba(queries)
    loaded = load_model(tmp_path).pipeline
    chars = loaded.named_steps["features"].transformer_list[1][1]
    assert isinstance(chars, CharNgramVectorizer)
    # only the two arrays are stored, not the lookup tables made from them
    assert sorted(k for k in vars(chars) if k.endswith("_")) == ["idf_", "keys_"]
    assert "_lookup_cache" not in vars(chars)
    np.testing.assert_array_equal(loaded.predict_proba(queries), expected)
