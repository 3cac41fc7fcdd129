"""Real tables under $SSL_DATA_DIR/tabular: UCI Adult and the rtdl California split."""

from __future__ import annotations

import numpy as np
import pytest
from ssl_plugin_tabular.data import prepare_table
from ssl_plugin_tabular.readers import ADULT_TARGET, embedded_adult, load_adult, load_california

from ssl_core.testing.data import shared_data_dir

pytestmark = pytest.mark.data


def test_adult_files():
    train, test = load_adult(shared_data_dir("tabular") / "adult")
    assert (train.n_rows, test.n_rows) == (32561, 16281)
    assert (
        sorted(set(train.columns[ADULT_TARGET]))
        == sorted(set(test.columns[ADULT_TARGET]))
        == ["<=50K", ">50K"]
    )
    assert int(np.sum(train.columns[ADULT_TARGET] == ">50K")) == 7841
    assert sum(v is None for v in train.columns["workclass"]) == 1836  # '?' cells
    emb_train, emb_test = embedded_adult()
    assert emb_train.n_rows == train.n_rows and list(emb_test.columns["age"][:3]) == list(
        test.columns["age"][:3]
    )


def test_adult_prepared_schema():
    prepared = prepare_table(shared_data_dir("tabular") / "adult")
    schema = prepared.prep.schema
    assert len(schema.numeric) == 6 and len(schema.categorical) == 8 and prepared.task == "classification"
    assert len(prepared.splits["test"]) == 16281
    assert len(prepared.splits["train"]) + len(prepared.splits["val"]) == 32561


def test_california_rtdl_split():
    folder = shared_data_dir("tabular") / "california_housing" / "rtdl_split"
    raw = load_california(folder)
    assert {k: v.n_rows for k, v in raw.items()} == {"train": 13209, "val": 3303, "test": 4128}
    prepared = prepare_table(folder)
    assert prepared.task == "regression" and len(prepared.prep.schema.numeric) == 8
    y = prepared.splits["test"].y.numpy() * prepared.prep.y_std + prepared.prep.y_mean
    assert y.min() > 0.1 and y.max() < 5.1  # $100k units
