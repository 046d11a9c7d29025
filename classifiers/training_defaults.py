"""Defaults of the synthetic training set, importable without scikit-learn (the CLI's
argument parser shows them, and every ``hotline`` command builds that parser)."""

DEFAULT_TRAIN_SIZE = 12_000
DEFAULT_SEED = 12345
