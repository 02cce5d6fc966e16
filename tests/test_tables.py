"""CSV tables: reading, choosing the target and inputs, the kind of problem, missing
values, splits and scaling — and every bad input refused with a message that says where."""

import gzip
import re

import numpy as np
import pytest

from nncli.data import tables
from nncli.errors import DataError

IRIS_LIKE = """sepal_length,sepal_width,species
5.1,3.5,setosa
4.9,3.0,setosa
7.0,3.2,versicolor
6.4,3.2,versicolor
6.3,3.3,virginica
5.8,2.7,virginica
"""


def table(text, name="t.csv"):
    return tables.parse_table(text, name)


def refused(text_or_table, message, **select):
    """Assert that selecting from the table raises DataError matching `message` (literal)."""
    with pytest.raises(DataError, match=re.escape(message)) as error:
        t = table(text_or_table) if isinstance(text_or_table, str) else text_or_table
        tables.select(t, **{"target": "y", **select})
    assert "\n" not in str(error.value)  # one line
    return str(error.value)


# --- reading -----------------------------------------------------------------------------


def test_header_rows_and_their_lines():
    t = table("a,b\n\n1,2\n , \n3,4\n")
    assert t.header == ["a", "b"] and t.rows == [["1", "2"], ["3", "4"]] and t.lines == [3, 5]


def test_byte_order_mark_crlf_quotes_and_gzip_are_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes('\ufeffx,"name, with comma",y\r\n1,"a, b",2\r\n3,c,4\r\n'.encode())
    t = tables.read_table(path)
    assert t.header == ["x", "name, with comma", "y"] and t.rows == [["1", "a, b", "2"], ["3", "c", "4"]]
    zipped = tmp_path / "t.csv.gz"
    zipped.write_bytes(gzip.compress(path.read_bytes()))
    assert tables.read_table(zipped).rows == t.rows


@pytest.mark.parametrize(
    "content, message",
    [
        (b"a,b\n1,\x002\n", "not a text file (it holds NUL bytes)"),
        (b"a,b\n1,\xff\n", "not a text file (byte 7 is not UTF-8)"),
        (b"", "it is empty"),
        (b"\n\n", "it is empty"),
        (b"a,b\n", "only a header, no rows of data"),
        (b"a,,c\n1,2,3\n", "line 1: column 2 of the header has no name"),
        (b"a,b,a\n1,2,3\n", "line 1: the header names 'a' twice (columns 1 and 3)"),
        (b"1,2\n3,4\n", "line 1: the first row should name the columns, but it holds only numbers"),
        (b"a,b\n1,2\n\n3\n", "line 4: 1 cells, but the header names 2 columns"),
        (b'a,b\n1,"2\n', "line 2: not valid CSV"),
    ],
)
def test_files_that_are_not_tables(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=re.escape(message)) as error:
        tables.read_table(path)
    assert str(error.value).startswith(str(path))


def test_a_missing_file_or_a_folder(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        tables.read_table(tmp_path / "none.csv")
    with pytest.raises(DataError, match="is a folder"):
        tables.read_table(tmp_path)


# --- the target and the kind of problem --------------------------------------------------


def test_text_labels_classify_with_sorted_class_names():
    columns = tables.select(table(IRIS_LIKE), "species")
    assert columns.kind == "classify" and columns.classes == ["setosa", "versicolor", "virginica"]
    assert columns.reason == "the target 'species' holds text labels"
    assert columns.inputs == ["sepal_length", "sepal_width"]
    np.testing.assert_array_equal(columns.y, [0, 0, 1, 1, 2, 2])
    assert columns.y.dtype == np.int64 and columns.X.dtype == np.float64
    np.testing.assert_array_equal(columns.X[0], [5.1, 3.5])


def test_few_whole_numbers_classify_in_numeric_order_one_spelling_each():
    rows = "".join(f"{i},{label}\n" for i, label in enumerate(["10", "2", "2.0", "10", "1e1", "2"]))
    columns = tables.select(table("x,y\n" + rows), "y")
    assert columns.kind == "classify" and columns.classes == ["2", "10"]
    np.testing.assert_array_equal(columns.y, [1, 0, 0, 1, 1, 0])
    assert "2 distinct whole numbers" in columns.reason and "--kind regress" in columns.reason


def test_many_numbers_or_fractions_regress():
    many = "x,y\n" + "".join(f"{i},{i * 3}\n" for i in range(tables.FEW_DISTINCT + 1))
    columns = tables.select(table(many), "y")
    assert columns.kind == "regress" and columns.classes is None
    assert columns.reason == "the target 'y' holds numbers"
    np.testing.assert_array_equal(columns.y, np.arange(11) * 3.0)
    fractions = tables.select(table("x,y\n1,0.5\n2,1.5\n3,0.5\n"), "y")
    assert fractions.kind == "regress"


def test_kind_overrides_the_detection():
    few = table("x,y\n1,0\n2,1\n3,0\n4,1\n")
    assert tables.select(few, "y", kind="regress").kind == "regress"
    forced = tables.select(table("x,y\n1,0.5\n2,1.5\n3,0.5\n4,1.5\n"), "y", kind="classify")
    assert forced.kind == "classify" and forced.classes == ["0.5", "1.5"] and forced.reason == "told by --kind classify"
    message = refused(IRIS_LIKE, "line 2, column 'species': 'setosa' is not a number", target="species", kind="regress")
    assert "--kind classify" in message
    with pytest.raises(ValueError):
        tables.select(few, "y", kind="cluster")


def test_one_class_too_few_rows_and_too_many_classes():
    refused("x,y\n1,a\n2,a\n3,a\n", "the target 'y' holds one class only ('a'); nothing to tell apart")
    message = refused("x,y\n1,a\n2,b\n3,c\n4,c\n5,d\n", "5 rows for 4 classes in 'y'; a classifier needs at least two")
    assert "right --target" in message
    message = refused("x,y\n1,0\n2,1\n3,2\n", "3 rows for 3 classes", kind="classify")
    assert "--kind regress" in message
    many = "x,y\n" + "".join(f"{i},c{i % 1001}\n" for i in range(2100))
    refused(many, "holds 1,001 classes, more than the 1,000 nncli classifies")


def test_a_constant_target_cannot_be_regressed():
    refused("x,y\n1,2.5\n2,2.5\n3,2.5\n", "the target 'y' is '2.5' in every row; nothing to learn", kind="regress")


# --- choosing columns --------------------------------------------------------------------


def test_inputs_are_chosen_by_name_in_the_order_given():
    columns = tables.select(table("a,b,c,y\n1,2,3,x\n4,5,6,z\n7,8,9,x\n1,1,1,z\n"), "y", inputs=["c", "a"])
    assert columns.inputs == ["c", "a"]
    np.testing.assert_array_equal(columns.X[:2], [[3, 1], [6, 4]])


def test_unknown_names_suggest_the_closest_and_list_the_columns():
    t = table(IRIS_LIKE)
    message = refused(t, "t.csv has no column 'specis' for --target; did you mean 'species'?", target="specis")
    assert message.endswith("its columns: sepal_length, sepal_width, species")
    refused(t, "no column 'Species' for --target; did you mean 'species'?", target="Species")
    message = refused(t, "no column 'zzz' for --inputs; its columns:", target="species", inputs=["sepal_width", "zzz"])
    assert "did you mean" not in message
    wide = table(",".join(f"c{i}" for i in range(30)) + "\n" + ",".join(["1"] * 30) + "\n")
    assert refused(wide, "no column 'y'", target="y").endswith("c11, … (30 in all)")


def test_bad_input_lists():
    t = table(IRIS_LIKE)
    refused(t, "'species' is the target (--target); it cannot also be an input", target="species", inputs=["species"])
    refused(t, "--inputs names 'sepal_width' twice", target="species", inputs=["sepal_width", "sepal_width"])
    refused(t, "--inputs names no columns", target="species", inputs=[])
    refused(table("y\na\nb\n"), "no columns besides the target 'y' to learn from")
    assert tables.parse_names(" a, b ,,c ") == ["a", "b", "c"]


def test_a_non_numeric_input_says_file_line_and_column():
    message = refused(
        "a,b,y\n1,2,x\n3,4,z\n5,six,x\n7,8,z\n", "t.csv, line 4, column 'b': 'six' is not a number (inputs must be"
    )
    assert "--inputs" in message
    refused("a,y\n1,x\ninf,z\n", "line 3, column 'a': 'inf' is not a number")
    # a column left out of the inputs may hold anything
    columns = tables.select(table("a,name,y\n1,Ann,x\n3,Bob,z\n5,Cy,x\n7,Di,z\n"), "y", inputs=["a"])
    assert columns.X.shape == (4, 1)


# --- missing values ----------------------------------------------------------------------

MISSING = "a,b,y\n1,2,x\n3,,z\n5,NA,x\nnan,8,z\n9,10,NULL\n11,12,x\n13,14,z\n15,16,x\n,, \n"


def test_missing_values_are_refused_counted_and_the_first_named():
    refused(
        MISSING,
        "t.csv: 4 missing values (empty, NA, NaN or null) in 4 rows, the first at line 3, column 'b'; "
        "use --drop-missing to leave those rows out",
    )
    refused("a,y\n1,x\n,z\n", "1 missing value (empty, NA, NaN or null) in 1 row, the first at line 3, column 'a'")


def test_drop_missing_leaves_those_rows_out_and_counts_them():
    columns = tables.select(table(MISSING), "y", drop_missing=True)
    assert columns.dropped == 4 and len(columns.y) == 4
    np.testing.assert_array_equal(columns.X[:, 0], [1, 11, 13, 15])


def test_missing_values_only_matter_in_the_columns_used():
    columns = tables.select(table(MISSING), "y", inputs=["a"], drop_missing=True)
    assert columns.dropped == 2
    columns = tables.select(table("a,b,y\n1,,x\n2,NA,z\n3,,x\n4,,z\n"), "y", inputs=["a"])
    assert columns.dropped == 0 and len(columns.y) == 4


def test_every_row_missing_leaves_nothing():
    refused("a,y\nNA,x\n,z\n", "every row has a missing value", drop_missing=True)


# --- splitting and scaling ---------------------------------------------------------------


def test_split_is_stratified_for_classes_and_seeded():
    text = "x,y\n" + "".join(f"{i},{'abc'[i % 3]}\n" for i in range(60))
    columns = tables.select(table(text), "y")
    train, test = tables.split(columns, 0.3, seed=1)
    assert len(test) == 18 and np.bincount(columns.y[test]).tolist() == [6, 6, 6]
    assert set(train).isdisjoint(test) and len(train) + len(test) == 60
    np.testing.assert_array_equal(tables.split(columns, 0.3, seed=1)[1], test)


def test_split_of_a_regression_and_too_few_rows():
    columns = tables.select(table("x,y\n" + "".join(f"{i},{i / 7}\n" for i in range(20))), "y")
    train, test = tables.split(columns, 0.25, seed=0)
    assert len(test) == 5 and len(train) == 15
    tiny = tables.select(table("x,y\n1,0.5\n2,0.7\n"), "y")
    with pytest.raises(DataError, match="2 rows are too few to hold out 0.1 of them"):
        tables.split(tiny, 0.1)


def test_standardise_uses_the_rows_it_is_given():
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    scaling = tables.standardise(X)
    assert scaling == {"x_mean": [2.0, 5.0], "x_std": [1.0, 1.0]}
    scaled = (X - scaling["x_mean"]) / np.array(scaling["x_std"])
    np.testing.assert_array_equal(scaled, [[-1, 0], [1, 0]])


# --- rows for a trained model ------------------------------------------------------------


def test_input_rows_are_found_by_name_in_any_order_target_ignored():
    t = table("species,sepal_width,sepal_length\nsetosa,3.5,5.1\n,3.0,4.9\n")
    np.testing.assert_array_equal(tables.input_rows(t, ["sepal_length", "sepal_width"]), [[5.1, 3.5], [4.9, 3.0]])
    with pytest.raises(DataError, match="has no column 'petal' for the model's inputs"):
        tables.input_rows(t, ["sepal_length", "petal"])
    with pytest.raises(DataError, match="1 missing value"):
        tables.input_rows(table("a,b\n1,\n"), ["a", "b"])


def test_labelled_rows_map_labels_to_the_models_classes():
    t = table("x,y\n1,b\n2,a\n3,b\n")
    X, y = tables.labelled_rows(t, ["x"], "y", ["a", "b"])
    np.testing.assert_array_equal(y, [1, 0, 1])
    with pytest.raises(DataError, match="line 3, column 'y': class 'a' is not one the model knows"):
        tables.labelled_rows(t, ["x"], "y", ["b", "c"])
    numeric = table("x,y\n1,2.0\n2,10\n")
    np.testing.assert_array_equal(tables.labelled_rows(numeric, ["x"], "y", ["2", "10"])[1], [0, 1])
    np.testing.assert_array_equal(tables.labelled_rows(numeric, ["x"], "y", None)[1], [2.0, 10.0])
    with pytest.raises(DataError, match="line 2, column 'y': 'b' is not a number"):
        tables.labelled_rows(t, ["x"], "y", None)


def test_scikit_learns_iris_csv_reads_as_a_table():
    """scikit-learn ships iris.csv with a first row of counts and class names: it is a
    header to nncli, so its last column is called 'virginica'."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("sklearn")  # found, not imported: importing scikit-learn takes a second
    if spec is None:
        pytest.skip("scikit-learn is not installed")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "iris.csv"
    columns = tables.select(tables.read_table(path), "virginica")
    assert columns.kind == "classify" and columns.classes == ["0", "1", "2"] and columns.X.shape == (150, 4)
