"""nncli train csv through the command line: classify and regress your own table, predict
by column name, evaluate on the held-out rows the model keeps, and every bad input refused
in one line with nothing saved."""

import json

import numpy as np
import pytest
from conftest import json_lines, run

from nncli.store import read_meta


def write_classes(path, rows=90, seed=0, crlf=False, bom=False):
    """Three separable classes of (a, b) points, with a column that is not an input."""
    rng = np.random.default_rng(seed)
    names = ["north", "south", "east"]
    centres = {"north": (0, 3), "south": (0, -3), "east": (3, 0)}
    end = "\r\n" if crlf else "\n"
    lines = ["id,b,a,kind"]
    for i in range(rows):
        name = names[i % 3]
        a, b = np.array(centres[name]) + 0.3 * rng.standard_normal(2)
        lines.append(f"{i},{b:.4f},{a:.4f},{name}")
    path.write_bytes(("\ufeff" if bom else "").encode() + end.join(lines).encode() + end.encode())
    return path


def write_line(path, rows=80):
    """y = 3a − 2b + 100 (a little noise): a regression in the target's own units."""
    rng = np.random.default_rng(1)
    a, b = rng.uniform(-1, 1, rows), rng.uniform(-1, 1, rows)
    y = 3 * a - 2 * b + 100 + 0.01 * rng.standard_normal(rows)
    path.write_text("a,b,y\n" + "".join(f"{p:.5f},{q:.5f},{r:.5f}\n" for p, q, r in zip(a, b, y)))
    return path


def test_classify_a_table_and_predict_by_column_name(tmp_path):
    data = write_classes(tmp_path / "compass.csv")
    result = run("train", "csv", "--data", data, "--target", "kind", "--inputs", "a,b", "--json")
    assert result.exit_code == 0, result.output
    last = json_lines(result)[-1]
    assert last["accuracy"] == 1.0 and last["train_accuracy"] == 1.0
    # columns by name, in another order, the target present and ignored
    predictions = json_lines(run("predict", "--json", input="kind,b,a\nwhatever,3.1,0.1\n,-2.9,0\n,0,3\n"))
    assert [p["prediction"] for p in predictions] == ["north", "south", "east"]
    bare = json_lines(run("predict", "0,3", "--json"))  # numbers in the inputs' order: a, b
    assert bare[0]["prediction"] == "north"
    missing = run("predict", input="a,c\n1,2\n")
    assert missing.exit_code == 1 and "no column 'b'" in missing.stderr


def test_iris_csv_is_the_shipped_copy_unless_the_folder_has_its_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = run("train", "csv", "--data", "iris.csv", "--target", "species", "--json")
    assert shipped.exit_code == 0, shipped.stderr
    assert "iris.csv: no such file here; using the copy shipped with nncli" in shipped.stderr
    assert json_lines(shipped)[-1]["accuracy"] >= 0.9
    write_classes(tmp_path / "iris.csv")  # a table of the user's own, by the same name
    own = run("train", "csv", "--data", "iris.csv", "--target", "species", "--json")
    assert own.exit_code == 1 and "no column 'species'" in own.stderr and "shipped" not in own.stderr


def test_evaluate_uses_the_held_out_rows_kept_in_the_model_not_the_file(tmp_path):
    data = write_classes(tmp_path / "compass.csv", rows=60)
    assert run("train", "csv", "--data", data, "--target", "kind", "--inputs", "a,b").exit_code == 0
    data.unlink()  # the model never reopens it
    result = run("evaluate", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["examples"] == 18 and report["accuracy"] == 1.0 and "compass.csv" in report["data"]
    model_bytes = next((tmp_path / "store").glob("csv*.npz")).read_bytes()
    assert str(tmp_path).encode() not in model_bytes  # no path to the data in the model file


def test_evaluate_on_another_table_finds_columns_by_name(tmp_path):
    data = write_classes(tmp_path / "compass.csv")
    run("train", "csv", "--data", data, "--target", "kind", "--inputs", "a,b")
    other = write_classes(tmp_path / "more.csv", rows=30, seed=5)
    report = json.loads(run("evaluate", "--data", other, "--json").stdout)
    assert report["examples"] == 30 and report["accuracy"] == 1.0


def test_regression_reports_r2_and_rmse_in_the_targets_units(tmp_path):
    data = write_line(tmp_path / "line.csv")
    result = run("train", "csv", "--data", data, "--target", "y", "--hidden", "0", "--lr", "0.05", "--json")
    last = json_lines(result)[-1]
    assert last["r2"] > 0.999 and last["rmse"] < 0.1  # y's spread is about 2: rmse in y's units
    predictions = json_lines(run("predict", "0.5,0.5", "--json"))
    assert predictions[0]["output"] == pytest.approx(100.5, abs=0.1)
    human = run("evaluate")
    assert "rmse" in human.stdout and "r2" in human.stdout


def test_bom_crlf_and_drop_missing_are_said(tmp_path):
    data = write_classes(tmp_path / "c.csv", crlf=True, bom=True)
    lines = data.read_bytes().decode("utf-8").split("\r\n")
    lines[3] = lines[3].split(",")[0] + ",,NA,north"  # file line 4: two missing values
    data.write_bytes("\r\n".join(lines).encode("utf-8"))
    assert data.read_bytes().startswith("\ufeffid,".encode())
    refused = run("train", "csv", "--data", data, "--target", "kind")
    assert refused.exit_code == 1
    assert "2 missing values (empty, NA, NaN or null) in 1 row, the first at line 4, column 'b'" in refused.stderr
    result = run("train", "csv", "--data", data, "--target", "kind", "--drop-missing", "--epochs", "5")
    assert result.exit_code == 0 and "dropped 1 row with missing values" in result.stderr


@pytest.mark.parametrize(
    "content, args, message",
    [
        ("a,a,y\n1,2,x\n", [], "the header names 'a' twice"),
        ("a,,y\n1,2,x\n", [], "column 2 of the header has no name"),
        ("a,b,y\n1,2,x\n3,4,z\n", ["--target", "Y"], "no column 'Y' for --target; did you mean 'y'?"),
        ("a,b,y\n1,2,x\n3,4,z\n", ["--inputs", "a,c"], "no column 'c' for --inputs"),
        ("a,y\n1,x\nfive,z\n1,x\n2,z\n", [], "line 3, column 'a': 'five' is not a number"),
        ("a,y\n1,x\n2,x\n3,x\n", [], "holds one class only"),
        ("a,y\n1,p\n2,q\n3,r\n", [], "3 rows for 3 classes"),
        ("a,y\n1,x\n\x002,z\n", [], "not a text file (it holds NUL bytes)"),
        ("", [], "it is empty"),
    ],
)
def test_bad_tables_are_refused_in_one_line_with_nothing_saved(tmp_path, model_home, content, args, message):
    data = tmp_path / "bad.csv"
    data.write_text(content)
    target = [] if "--target" in args else ["--target", "y"]
    result = run("train", "csv", "--data", data, *target, *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not model_home.exists()


def test_more_than_a_thousand_classes_and_a_missing_target(tmp_path):
    data = tmp_path / "many.csv"
    data.write_text("a,y\n" + "".join(f"{i},c{i % 1001}\n" for i in range(2002)))
    result = run("train", "csv", "--data", data, "--target", "y")
    assert result.exit_code == 1 and "1,001 classes, more than the 1,000" in result.stderr
    no_target = run("train", "csv", "--data", data)
    assert no_target.exit_code == 2 and "--target" in no_target.stderr and "a, y" in no_target.stderr


def test_kind_overrides_and_limit(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,y\n" + "".join(f"{i / 10},{i % 3}\n" for i in range(60)))
    classify = json_lines(run("train", "csv", "--data", data, "--target", "y", "--epochs", "2", "--json"))
    assert "accuracy" in classify[-1]
    regress = run("train", "csv", "--data", data, "--target", "y", "--kind", "regress", "--epochs", "2", "--json")
    assert "r2" in json_lines(regress)[-1]
    limited = json_lines(
        run("train", "csv", "--data", data, "--target", "y", "--limit", "10", "--epochs", "2", "--json", "--force")
    )
    assert "10 rows to learn from" in read_meta(limited[-1]["model"])["data"]
    bad_kind = run("train", "csv", "--data", data, "--target", "y", "--kind", "cluster")
    assert bad_kind.exit_code == 2
