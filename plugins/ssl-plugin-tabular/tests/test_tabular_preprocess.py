"""Preprocessing: MinMax / label encoding against scikit-learn, and the documented edge cases."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from sklearn.preprocessing import MinMaxScaler
from ssl_plugin_tabular.preprocess import MISSING, TablePreprocessor
from ssl_plugin_tabular.readers import read_csv
from ssl_plugin_tabular.schema import RawTable, apply_schema, infer_schema

from ssl_core.errors import DataError


def _fit(table: RawTable, **kwargs):
    schema, parsed = infer_schema(table, **kwargs)
    return TablePreprocessor.fit(schema, parsed), parsed


def test_minmax_matches_sklearn():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3)) * [1, 10, 100]
    table = RawTable({f"c{j}": x[:, j] for j in range(3)})
    prep, parsed = _fit(table)
    ours = prep.transform(parsed).x_num.double().numpy()
    np.testing.assert_allclose(ours, MinMaxScaler().fit_transform(x), atol=1e-6)


def test_label_encoding_and_unseen_category(write_csv):
    train = read_csv(write_csv("c,y\nb,1\na,0\nb,1\n?,0\n", "train.csv"))
    test = read_csv(write_csv("c,y\na,0\nz,1\n?,1\n", "test.csv"))
    prep, parsed = _fit(train, target="y")
    assert prep.categories["c"] == sorted(["a", "b", MISSING]) and prep.cardinalities == [4]
    assert prep.transform(parsed).x_cat[:, 0].tolist() == [3, 2, 3, 1]
    with pytest.warns(UserWarning, match="1 categorical cells unseen"):
        enc = prep.transform(apply_schema(test, prep.schema))
    assert enc.x_cat[:, 0].tolist() == [2, 0, 1] and enc.n_unseen == 1
    with pytest.raises(DataError) as err:
        prep.transform(apply_schema(test, prep.schema), strict=True)
    assert err.value.field == "c" and "'z' was not seen in training" in err.value.reason


def test_constant_column_scales_to_zero(capsys: pytest.CaptureFixture[str]):
    table = RawTable({"k": np.full(5, 3.0), "v": np.arange(5.0)}, "t.csv")
    prep, parsed = _fit(table)
    assert (
        capsys.readouterr().err
        == "warning: t.csv: k: constant column (every training value is 3); it scales to 0\n"
    )
    enc = prep.transform(RawTable({"k": np.array([3.0, 7.0]), "v": np.array([0.0, 4.0])}))
    assert enc.x_num[:, 0].tolist() == [0.0, 0.0] and enc.x_num[:, 1].tolist() == [0.0, 1.0]


def test_missing_numeric_filled_with_train_mean():
    table = RawTable({"v": np.array([0.0, np.nan, 4.0, 2.0])})
    prep, parsed = _fit(table)
    assert prep.transform(parsed).x_num[:, 0].tolist() == [0.0, 0.5, 1.0, 0.5]


def test_regression_target_standardised_and_unseen_label():
    table = RawTable({"x": np.arange(30.0), "y": np.linspace(0, 3, 30) ** 2})
    prep, parsed = _fit(table, target="y")
    assert prep.schema.task == "regression"
    y = prep.transform(parsed).y
    assert abs(float(y.mean())) < 1e-6 and abs(float(y.std(unbiased=False)) - 1) < 1e-5
    cls, parsed = _fit(
        RawTable({"x": np.arange(4.0), "y": np.array(["a", "b", "a", "b"], dtype=object)}), target="y"
    )
    assert cls.transform(parsed).y.tolist() == [0, 1, 0, 1]
    with pytest.raises(DataError, match="label 'c' was not seen"):
        cls.transform(RawTable({"x": np.arange(1.0), "y": np.array(["c"], dtype=object)}))


def test_missing_feature_column_at_inference():
    prep, _ = _fit(RawTable({"x": np.arange(4.0), "w": np.arange(4.0)}))
    with pytest.raises(DataError) as err:
        apply_schema(RawTable({"x": np.arange(2.0)}, "new.csv"), prep.schema)
    assert err.value.field == "w" and err.value.file == "new.csv"


@pytest.mark.parametrize("target", ["y", "r"])
def test_state_roundtrips_exactly_through_weights_only_and_json(tmp_path, target):
    table = RawTable({
        "x": np.array([0.1, 1 / 3, np.nan, 7e-9]), "c": np.array(["a", "b", None, "a"], dtype=object),
        "y": np.array(["no", "yes", "no", "yes"], dtype=object), "r": np.array([0.5, 1 / 7, 2.25, 3.0]),
    })  # fmt: skip
    prep, parsed = _fit(table, target=target, drop=["r" if target == "y" else "y"])
    torch.save(prep.to_state(), tmp_path / "prep.pt")
    again = TablePreprocessor.from_state(torch.load(tmp_path / "prep.pt", weights_only=True))
    assert again == prep and again.schema == prep.schema  # every float, category and name, exactly
    assert TablePreprocessor.from_state(json.loads(json.dumps(prep.to_state()))) == prep
    a, b = prep.transform(parsed), again.transform(parsed)
    assert torch.equal(a.x_num, b.x_num) and torch.equal(a.x_cat, b.x_cat) and torch.equal(a.y, b.y)


def test_integer_labels_are_classes():
    prep, _ = _fit(RawTable({"x": np.arange(6.0), "y": np.array([0.0, 1, 2, 0, 1, 2])}), target="y")
    assert prep.schema.task == "classification" and prep.classes == ["0", "1", "2"]
