"""Your own data: a CSV table with a header row, one column to predict and inputs to
predict it from.

Reading is strict, because a model trained on misread data is worse than none: every
row must have as many cells as the header has names, every input cell must be a number,
and missing values (empty cells, NA, NaN, null) are refused — or, when asked, their rows
are dropped and counted. Each problem raises DataError with one line naming the file, and
where it helps the line and the column. A UTF-8 byte-order mark and CRLF line ends are
fine; a gzip'd file is read as it is.

The target decides the kind of problem: text labels, or a few distinct whole numbers,
are classes to tell apart (classify); other numbers are values to fit (regress).
"""

import csv
import difflib
import functools
import math
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from nncli.data import MISSING, MISSING_NAMES, _open_binary, source_name, stratified_split, train_test_split
from nncli.errors import DataError
from nncli.settings import MAX_TEXT

MAX_LABELS = 1000  # distinct classes a CSV target may hold
FEW_DISTINCT = 10  # a target of at most this many distinct whole numbers holds classes
MAX_TABLE_BYTES = 500_000_000
# Read as text, a table takes far more memory than its file: a list per row and a string per
# cell. Counting each row as ROW_CELLS cells more (its list and line number), no table may
# hold more than MAX_TABLE_CELLS: about 1 GB of lists and cells, the text itself aside.
MAX_TABLE_CELLS = 20_000_000
ROW_CELLS = 4
MAX_NAME = MAX_TEXT  # characters in a column name or class label: what a model file keeps
COLUMNS_LISTED = 12  # column names a message lists before saying how many there are
KINDS = ("classify", "regress")


@dataclass
class RawTable:
    """A CSV file's header and rows, as text: `lines[i]` is the file line of `rows[i]`."""

    name: str
    header: list
    rows: list
    lines: list
    shipped: bool = False  # read from the copy shipped with nncli (see `locate`)

    @functools.cached_property
    def column_at(self):
        """Column name → its index (a header names every column once)."""
        return {name: i for i, name in enumerate(self.header)}


@dataclass
class Columns:
    """The inputs and target chosen from a table, as numbers.

    X (n, inputs) holds the inputs; y holds class indices into `classes` (classify) or the
    target's values (regress). `reason` says in words why that kind was chosen.
    """

    name: str
    inputs: list
    target: str
    kind: str
    reason: str
    X: np.ndarray
    y: np.ndarray
    classes: list | None = None
    dropped: int = 0


# --- reading -----------------------------------------------------------------------------


SHIPPED_TABLES = ("iris.csv",)  # in datasets/, with their provenance in its README.md


def locate(path):
    """(the file `--data PATH` means, whether it is a copy shipped with nncli): PATH itself,
    unless there is no such file and PATH is the bare name of a shipped table — so the tour's
    `--data iris.csv` works in any folder, and a file of the user's own always comes first."""
    if str(path) in SHIPPED_TABLES and not Path(path).exists():
        return Path(str(files("nncli.datasets") / str(path))), True
    return path, False


def read_table(path):
    """The header and rows of the CSV file at `path`, or of the shipped table it names
    (see `locate`); DataError if it cannot be used."""
    path, shipped = locate(path)
    name = source_name(path)
    with _open_binary(path) as raw:
        try:
            content = raw.read(MAX_TABLE_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise DataError(f"{name}: cannot read it ({exc})") from None
    if len(content) > MAX_TABLE_BYTES:
        raise DataError(f"{name}: larger than the {MAX_TABLE_BYTES // 1_000_000:,} MB nncli reads as a table")
    text = decode(content, name)
    del content  # the bytes are not needed beside their text
    table = parse_table(text, name)
    table.shipped = shipped
    return table


def decode(content, name):
    """The text of a file's bytes: UTF-8, with or without a byte-order mark."""
    if b"\0" in content:
        raise DataError(f"{name}: not a text file (it holds NUL bytes); give a CSV file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: not a text file (byte {exc.start + 1} is not UTF-8); give a CSV file") from None


def parse_table(text, name):
    """The RawTable of CSV text whose first non-blank row names the columns.

    Cells are stripped of surrounding spaces; rows with no text at all are skipped.
    """
    reader = csv.reader(_lines(text), strict=True, skipinitialspace=True)
    header, rows, lines, held = None, [], [], 0
    try:
        for cells in reader:
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            held += len(cells) + ROW_CELLS
            if held > MAX_TABLE_CELLS:
                raise DataError(
                    f"{name}: more than {MAX_TABLE_CELLS:,} cells (by line {reader.line_num:,}), "
                    "more than nncli holds in memory as a table; give fewer rows"
                )
            if header is None:
                header = _checked_header(cells, name, reader.line_num)
            elif len(cells) != len(header):
                raise DataError(
                    f"{name}, line {reader.line_num}: {len(cells)} cells, but the header names {len(header)} columns"
                )
            else:
                rows.append(cells)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataError(f"{name}, line {reader.line_num}: not valid CSV ({exc})") from None
    if header is None:
        raise DataError(f"{name}: it is empty; give a CSV file with a header row")
    if not rows:
        raise DataError(f"{name}: only a header, no rows of data")
    return RawTable(name, header, rows, lines)


LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # a line and its end (\n, \r\n or \r), or a last one without


def _lines(text):
    """The lines of `text`, ends kept, one at a time: what csv reads, without the copy
    io.StringIO makes (four bytes a character)."""
    return (match.group() for match in LINE.finditer(text))


def _checked_header(cells, name, line):
    first_column = {}  # name → the column that has it: one look-up a name, however wide the table
    for column, cell in enumerate(cells, start=1):
        if not cell:
            raise DataError(f"{name}, line {line}: column {column} of the header has no name; name every column")
        if cell in first_column:
            raise DataError(
                f"{name}, line {line}: the header names {cell!r} twice "
                f"(columns {first_column[cell]} and {column}); give each column its own name"
            )
        first_column[cell] = column
    if all(_number_or_none(cell) is not None for cell in cells):
        raise DataError(
            f"{name}, line {line}: the first row should name the columns, but it holds only numbers; add a header row"
        )
    return cells


# --- choosing columns --------------------------------------------------------------------


def find_column(table, name, role="column"):
    """The index of the column called `name`; DataError suggesting the closest name if
    there is none (`role`, e.g. "--target", says what asked for it)."""
    if name in table.column_at:
        return table.column_at[name]
    return _no_column(table, name, role)


def _no_column(table, name, role):
    close = [h for h in table.header if h.lower() == name.lower()] or difflib.get_close_matches(
        name, table.header, n=1, cutoff=0.6
    )
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise DataError(f"{table.name} has no column {name!r} for {role}; {hint}its columns: {listed(table.header)}")


def listed(names):
    """Column names for a message: the first COLUMNS_LISTED, and how many there are."""
    shown = ", ".join(names[:COLUMNS_LISTED])
    return shown if len(names) <= COLUMNS_LISTED else f"{shown}, … ({len(names)} in all)"


def parse_names(text):
    """Column names from a comma-separated option value ("a, b,c" → ["a", "b", "c"])."""
    return [part.strip() for part in str(text).split(",") if part.strip()]


def select(table, target, inputs=None, kind=None, drop_missing=False):
    """The Columns of `table`: `target` and the `inputs` (default: every other column),
    with the kind of problem detected unless `kind` ("classify" or "regress") says.

    Rows with a missing value in a chosen column are refused (DataError counting them and
    naming the first), or with `drop_missing` left out and counted in `dropped`.
    """
    if kind not in (None, *KINDS):
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    target_at = find_column(table, target, "--target")
    if inputs is None:
        input_at = [i for i in range(len(table.header)) if i != target_at]
        if not input_at:
            raise DataError(f"{table.name}: no columns besides the target {target!r} to learn from")
    else:
        input_at = _input_columns(table, inputs, target)
    names = [table.header[i] for i in input_at]
    for name in (target, *names):  # a model file keeps them: too long a name is refused before any work
        _check_name_length(name, "column name", table)
    rows, lines, dropped = _complete_rows(table, [target_at, *input_at], drop_missing)
    X = _numbers(rows, lines, input_at, table)
    cells = [row[target_at] for row in rows]
    kind, reason, y, classes = _target(cells, lines, table, target, kind)
    return Columns(table.name, names, target, kind, reason, X, y, classes, dropped)


def _check_name_length(name, what, table):
    if len(name) > MAX_NAME:
        raise DataError(
            f"{table.name}: a {what} of {len(name):,} characters ({name[:20]!r}…); "
            f"a model keeps names of at most {MAX_NAME:,}"
        )


def _numbers(rows, lines, columns, table):
    """The cells of `columns` in `rows` as an (n, len(columns)) float64 array, filled in
    place (a list of Python floats first would take four times the memory)."""
    X = np.empty((len(rows), len(columns)))
    for r, (row, line) in enumerate(zip(rows, lines)):
        X[r] = [_input_number(row[i], table, line, i) for i in columns]
    return X


def _input_columns(table, inputs, target):
    if not inputs:
        raise DataError("--inputs names no columns")
    at = []
    for name in inputs:
        if name == target:
            raise DataError(f"{name!r} is the target (--target); it cannot also be an input")
        if inputs.count(name) > 1:
            raise DataError(f"--inputs names {name!r} twice")
        at.append(find_column(table, name, "--inputs"))
    return at


def _complete_rows(table, columns, drop_missing, advice="use --drop-missing to leave those rows out"):
    """The rows (and their lines) with a value in every one of `columns`, and how many
    were left out; DataError on any missing value unless `drop_missing`, with `advice`
    (naming only what the command at hand can do)."""
    kept, lines, missing, first = [], [], 0, None
    for row, line in zip(table.rows, table.lines):
        gaps = [i for i in columns if _is_missing(row[i])]
        if gaps:
            missing += len(gaps)
            first = first or (line, table.header[min(gaps)])
        if not gaps or not drop_missing:
            kept.append(row)
            lines.append(line)
    dropped = len(table.rows) - len(kept)
    if missing and not drop_missing:
        rows_with = sum(1 for row in table.rows if any(_is_missing(row[i]) for i in columns))
        raise DataError(
            f"{table.name}: {count(missing, 'missing value')} ({MISSING_NAMES}) in {count(rows_with, 'row')}, "
            f"the first at line {first[0]}, column {first[1]!r}; {advice}"
        )
    if not kept:
        raise DataError(f"{table.name}: every row has a missing value ({MISSING_NAMES}); nothing is left to learn from")
    return kept, lines, dropped


def count(n, noun):
    """ "1 row", "2 rows"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _is_missing(cell):
    return cell.lower() in MISSING


def _input_number(cell, table, line, column):
    value = _number_or_none(cell)
    if value is None:
        raise DataError(
            f"{table.name}, line {line}, column {table.header[column]!r}: {cell!r} is not a number "
            "(inputs must be numbers; choose the columns with --inputs)"
        )
    return value


def _number_or_none(cell):
    """The finite number a cell holds, or None."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --- the target --------------------------------------------------------------------------


def _target(cells, lines, table, target, kind):
    """(kind, reason, y, classes) for the target's cells."""
    numbers = [_number_or_none(cell) for cell in cells]
    numeric = all(v is not None for v in numbers)
    if kind == "regress" or (kind is None and numeric and not _few_whole_numbers(numbers)):
        if not numeric:
            at = numbers.index(None)
            raise DataError(
                f"{table.name}, line {lines[at]}, column {target!r}: {cells[at]!r} is not a number, "
                "so the target cannot be regressed (use --kind classify)"
            )
        y = np.array(numbers, dtype=np.float64)
        if np.ptp(y) == 0:
            raise DataError(f"{table.name}: the target {target!r} is {cells[0]!r} in every row; nothing to learn")
        reason = "told by --kind regress" if kind else f"the target {target!r} holds numbers"
        return "regress", reason, y, None
    names = [class_name(cell, numeric) for cell in cells]
    classes = sorted(set(names), key=(lambda n: float(n)) if numeric else None)
    _check_classes(classes, len(cells), table, target, numeric)
    if kind:
        reason = "told by --kind classify"
    elif numeric:
        reason = f"the target {target!r} holds {len(classes)} distinct whole numbers (--kind regress fits them instead)"
    else:
        reason = f"the target {target!r} holds text labels"
    index = {name: k for k, name in enumerate(classes)}
    return "classify", reason, np.array([index[n] for n in names], dtype=np.int64), classes


def _few_whole_numbers(numbers):
    return all(v == round(v) for v in numbers) and len(set(numbers)) <= FEW_DISTINCT


def class_name(cell, numeric):
    """A class label as stored: numbers in one spelling ("1", "1.0" and "1e0" are one
    class, called "1"); text as it is."""
    if not numeric:
        return cell
    value = float(cell)
    return str(int(value)) if value == round(value) else repr(value)


def _check_classes(classes, rows, table, target, numeric):
    hint = " (use --kind regress to fit it as a number)" if numeric else " (is it the right --target?)"
    if len(classes) == 1:
        raise DataError(
            f"{table.name}: the target {target!r} holds one class only ({classes[0]!r}); nothing to tell apart"
        )
    for name in classes:
        _check_name_length(name, "class label", table)
    if len(classes) > MAX_LABELS:
        raise DataError(
            f"{table.name}: the target {target!r} holds {len(classes):,} classes, more than the {MAX_LABELS:,} "
            f"nncli classifies{hint}"
        )
    if rows < 2 * len(classes):
        raise DataError(
            f"{table.name}: {count(rows, 'row')} for {len(classes):,} classes in {target!r}; "
            f"a classifier needs at least two rows per class{hint}"
        )


# --- splitting and scaling ---------------------------------------------------------------


def split(columns, test_fraction=0.3, seed=0):
    """Seeded (train_idx, test_idx) of the rows: the same fraction of every class held out
    when classifying. DataError if either part would be empty."""
    n = len(columns.y)
    if columns.kind == "classify":
        train, test = stratified_split(columns.y, test_fraction, seed)
    else:
        train, test = train_test_split(n, test_fraction, seed)
    if len(test) == 0 or len(train) < 2:
        raise DataError(
            f"{columns.name}: {count(n, 'row')} are too few to hold out {test_fraction:g} of them "
            "and learn from the rest; give more rows or another --test-fraction"
        )
    return train, test


def standardise(X_train):
    """The scaling that gives each column of X_train mean 0 and standard deviation 1,
    as stored in a model file: {"x_mean": [...], "x_std": [...]} (a constant column's
    standard deviation is taken as 1, so it passes through centred)."""
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return {"x_mean": mean.tolist(), "x_std": np.where(std > 0, std, 1.0).tolist()}


# --- reading rows for a trained model ----------------------------------------------------


def input_rows(table, inputs):
    """The inputs named `inputs` from a table with a header (found by name, in any order;
    other columns, such as the target, are ignored), as an (n, len(inputs)) array. A row
    with a missing input is refused: there is nothing to answer it from."""
    at = [find_column(table, name, "the model's inputs") for name in inputs]
    rows, lines, _ = _complete_rows(table, at, drop_missing=False, advice="give every input a value")
    return _numbers(rows, lines, at, table)


def labelled_rows(table, inputs, target, classes, drop_missing=False):
    """(X, y) from a table holding the model's inputs and its target: y as class indices
    when `classes` (the model's class names) is given, else as numbers. `drop_missing`:
    rows with a missing input or target are left out, else refused."""
    at_inputs = [find_column(table, name, "the model's inputs") for name in inputs]
    at = find_column(table, target, "the model's target")
    rows, lines, _ = _complete_rows(table, [*at_inputs, at], drop_missing)
    X = _numbers(rows, lines, at_inputs, table)
    cells = [row[at] for row in rows]
    if classes is None:
        y = [_number_or_none(cell) for cell in cells]
        if None in y:
            bad = y.index(None)
            raise DataError(f"{table.name}, line {lines[bad]}, column {target!r}: {cells[bad]!r} is not a number")
        return X, np.array(y, dtype=np.float64)
    numeric = all(_number_or_none(c) is not None for c in classes)
    index = {name: k for k, name in enumerate(classes)}
    y = []
    for cell, line in zip(cells, lines):
        name = class_name(cell, numeric and _number_or_none(cell) is not None)
        if name not in index:
            raise DataError(
                f"{table.name}, line {line}, column {target!r}: class {cell!r} is not one the model knows "
                f"({listed(classes)})"
            )
        y.append(index[name])
    return X, np.array(y, dtype=np.int64)
