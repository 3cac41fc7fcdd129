"""Readers: CSV parsing, arrays, and every malformed input named in issue #5."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch
from ssl_plugin_tabular.data import TableSpec, prepare_table
from ssl_plugin_tabular.readers import load_arrays, load_npy, read_csv, split_rows

from ssl_core.errors import DataError


def test_read_csv_header_missing_and_suffix(write_csv):
    path = write_csv("x, y ,lab\n1, ?,a.\n2,NA, b.\n\n")
    table = read_csv(path, strip_suffix={"lab": "."})
    assert list(table.columns) == ["x", "y", "lab"]
    assert table.columns["y"].tolist() == [None, None]
    assert table.columns["lab"].tolist() == ["a", "b"]


def test_read_csv_gzip(tmp_path, csv_text):
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(csv_text(9).encode()))
    assert read_csv(path).n_rows == 9


def test_ragged_row_names_line(write_csv):
    path = write_csv("a,b\n1,2\n3,4,5\n")
    with pytest.raises(DataError) as err:
        read_csv(path)
    assert err.value.field == "line 3" and "ragged" in err.value.reason and str(path) in str(err.value)


@pytest.mark.parametrize("text", ["", "\n\n", "a,b\n"])
def test_empty_file(write_csv, text):
    with pytest.raises(DataError, match="empty file|no data rows"):
        read_csv(write_csv(text))


def test_corrupt_gzip(tmp_path):
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,2\n")[:12])
    with pytest.raises(DataError, match="corrupt gzip"):
        read_csv(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        prepare_table(tmp_path / "nope.csv")


def test_load_arrays_checks(tmp_path):
    np.save(tmp_path / "x.npy", np.ones((4, 2), dtype=np.float32))
    np.save(tmp_path / "y.npy", np.ones(3, dtype=np.float32))
    with pytest.raises(DataError, match="3 labels for 4 rows"):
        load_arrays(tmp_path / "x.npy", tmp_path / "y.npy")
    np.save(tmp_path / "inf.npy", np.array([[1.0, np.inf]]))
    with pytest.raises(DataError) as err:
        load_arrays(tmp_path / "inf.npy", names=["p", "q"])
    assert err.value.field == "q"
    np.save(tmp_path / "obj.npy", np.array([[1]], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="not a readable"):
        load_npy(tmp_path / "obj.npy", ndim=2, kind="f")
    table = load_arrays(tmp_path / "x.npy", names=["p", "q"])
    assert table.columns["p"].dtype == np.float64 and table.n_rows == 4


def test_split_rows_is_a_partition():
    keep, out = split_rows(10, 0.3, seed=1)
    assert len(out) == 3 and sorted([*keep, *out]) == list(range(10))
    assert (split_rows(10, 0.3, seed=1)[1] == out).all()


def test_prepare_csv_end_to_end(write_csv, csv_text):
    prepared = prepare_table(write_csv(csv_text(100)), TableSpec(target="label"))
    assert prepared.task == "classification"
    assert prepared.prep.schema.numeric == ["a", "b"] and prepared.prep.schema.categorical == ["color"]
    assert sum(len(s) for s in prepared.splits.values()) == 100
    train = prepared.splits["train"]
    assert float(train.x_num.min()) == 0.0 and float(train.x_num.max()) == 1.0
    assert set(train.x_cat[:, 0].tolist()) <= {1, 2, 3}


def test_missing_target_column(write_csv, csv_text):
    with pytest.raises(DataError) as err:
        prepare_table(write_csv(csv_text()), TableSpec(target="price"))
    assert err.value.field == "price" and "not found" in err.value.reason


def test_text_in_numeric_column(write_csv, csv_text):
    text = csv_text(60).replace("\n3.0,", "\nthree,", 1)
    with pytest.raises(DataError) as err:
        prepare_table(write_csv(text), TableSpec(target="label"))
    assert err.value.field == "a" and "'three' is not a number" in err.value.reason


def test_declared_numeric_with_text(write_csv, csv_text):
    with pytest.raises(DataError, match="declared numeric"):
        prepare_table(write_csv(csv_text()), TableSpec(target="label", numeric=["color"]))


def test_all_nan_column(write_csv):
    text = "a,b,label\n" + "".join(f"{i},?,{i % 2}\n" for i in range(20))
    with pytest.raises(DataError) as err:
        prepare_table(write_csv(text), TableSpec(target="label"))
    assert err.value.field == "b" and "all values are missing" in err.value.reason


def test_missing_label_is_an_error(write_csv):
    text = "a,label\n" + "".join(f"{i},{'?' if i == 5 else i % 2}\n" for i in range(20))
    with pytest.raises(DataError, match="label is missing"):
        prepare_table(write_csv(text), TableSpec(target="label"))


def test_encode_numpy_file_for_embedding(tmp_path):
    from ssl_plugin_tabular.data import encode_file
    from ssl_plugin_tabular.preprocess import TablePreprocessor
    from ssl_plugin_tabular.schema import RawTable, infer_schema

    schema, parsed = infer_schema(RawTable({"p": np.arange(5.0), "q": np.arange(5.0) * 2}))
    prep = TablePreprocessor.fit(schema, parsed)
    np.save(tmp_path / "x.npy", np.array([[4.0, 0.0], [2.0, 8.0]], dtype=np.float32))
    enc = encode_file(tmp_path / "x.npy", prep)
    assert enc.x_num.tolist() == [[1.0, 0.0], [0.5, 1.0]]
    np.save(tmp_path / "wide.npy", np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(DataError, match="3 feature columns"):
        encode_file(tmp_path / "wide.npy", prep)


def test_run_data_state_restores_without_the_file(tmp_path, write_csv, csv_text):
    from ssl_plugin_tabular.config import TJEPAArgs
    from ssl_plugin_tabular.data import build_data, restore_data

    path = write_csv(csv_text(100))
    args = TJEPAArgs(data=str(path), target="label", eval_max_train=10)
    prepared = build_data(args)
    assert len(prepared.train) == len(prepared.splits["train"]) > 10 and prepared.label_key == "y"
    state = prepared.state_dict()
    kept = state["splits"]["train"]["x_num"]
    assert kept.untyped_storage().nbytes() == 10 * 2 * 4  # only the kept rows are saved, not the storage
    torch.save(state, tmp_path / "data.pt")
    path.unlink()
    restored = restore_data(args, torch.load(tmp_path / "data.pt", weights_only=True))
    assert restored.train is None and restored.prep == prepared.prep and restored.name == prepared.name
    assert sorted(restored.splits) == ["test", "train", "val"] and len(restored.splits["train"]) == 10
    for name, split in restored.splits.items():
        full = prepared.splits[name].head(10 if name == "train" else None)
        assert all(torch.equal(a, b) for a, b in zip(split.tensors().values(), full.tensors().values()))
    assert torch.equal(restored.eval.tensors["y"], prepared.splits["val"].y)


def test_split_rows_keep_their_file_lines(write_csv):
    """Rows taken into a shuffled split still know their line in the file (errors name it)."""
    text = "a,b\n\n" + "".join(f"{i},{i * 2}\n" for i in range(10))  # a blank line 2: data starts on line 3
    table = read_csv(write_csv(text))
    part = table.take(np.array([7, 2]))
    assert part.columns["a"].tolist() == ["7", "2"] and part.lines.tolist() == [10, 5]
    assert part.locate(0) == "line 10" and part.take(np.array([1])).locate(0) == "line 5"


def test_constant_columns_are_warned_about(write_csv, capsys):
    text = "a,k,c,label\n" + "".join(f"{i},4,same,{i % 2}\n" for i in range(30))
    path = write_csv(text)
    prepare_table(path, TableSpec(target="label"))
    assert capsys.readouterr().err.splitlines() == [
        f"warning: {path}: k: constant column (every training value is 4); it scales to 0",
        f"warning: {path}: c: constant column (every training value is 'same')",
    ]


def test_varying_columns_give_no_warning(write_csv, csv_text, capsys):
    prepare_table(write_csv(csv_text()), TableSpec(target="label"))
    assert capsys.readouterr().err == ""
