"""Reader for ChannelAttribution's aggregated path format.

One row per distinct path: ``path`` (channels joined by " > "), ``total_conversions``,
optionally ``total_conversion_value`` and ``total_null``. The column delimiter (comma,
semicolon, tab) and the path separator (" > ", ">", "->", "|", ",") are detected. The
paths are split in the engine into the same touch table as a workspace's journeys, so the
order-only models (first/last/last non-direct/linear, markov, shapley) run unchanged.
The delimiter is sniffed from the first 4 KiB; the file is then read whole with pandas.
"""

from __future__ import annotations

import csv
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import Problem, SourceError, ValidationError

REQUIRED = ("path", "total_conversions")
OPTIONAL = ("total_conversion_value", "total_null")
PATH_SEPARATORS = (" -> ", "->", " > ", ">", " | ", "|")  # arrows before ">"


def read_path_file(path: str | Path) -> tuple[pd.DataFrame, str]:
    """The validated rows and the detected path separator."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"path file {path} not found")
    try:
        with path.open(encoding="utf-8-sig") as fh:
            head = fh.read(4096)
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read path file {path}: {exc}") from None
    try:
        delimiter = csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    fast = _read_fast(path, delimiter)
    if fast is not None:
        return fast, detect_separator(fast["path"])
    try:
        df = pd.read_csv(
            path, sep=delimiter, dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(f"path file {path}: not a readable CSV ({exc})") from None
    df.columns = [c.strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise SourceError(
            f"path file {path}: missing column(s) {missing}; found {list(df.columns)}; "
            f"expected {list(REQUIRED)} and optionally {list(OPTIONAL)} "
            "(ChannelAttribution's aggregated format)"
        )
    problems: list[Problem] = []
    df["path"] = df["path"].str.strip()
    for i in df.index[df["path"] == ""][:20]:
        problems.append(Problem("paths", str(path), int(i) + 2, "path", "", "a path of channels"))
    out = pd.DataFrame({"path": df["path"]})
    for col in ("total_conversions", *OPTIONAL):
        if col not in df.columns:
            out[col] = 0.0
            continue
        raw = df[col].str.strip()
        num = pd.to_numeric(raw.where(raw != "", "0"), errors="coerce")
        bad = num.isna() | (num < 0)
        for i in df.index[bad][:20]:
            problems.append(
                Problem("paths", str(path), int(i) + 2, col, raw[i], "a non-negative number")
            )
        out[col] = num.astype(float)
    if problems:
        raise ValidationError(problems, hint="Fix the path file.")
    if out.empty:
        raise SourceError(f"path file {path} has no rows")
    return out, detect_separator(out["path"])


def _read_fast(path: Path, delimiter: str) -> pd.DataFrame | None:
    """Arrow's CSV reader for a well-formed file; None sends any doubt to the slow reader,
    which names every bad row and column."""
    import pyarrow.csv as pacsv

    try:
        t = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=delimiter))
    except (pa.ArrowInvalid, OSError):
        return None
    cols = {c.strip().lower(): c for c in t.column_names}
    if any(c not in cols for c in REQUIRED) or not t.num_rows:
        return None
    out = {"path": pc.utf8_trim_whitespace(t[cols["path"]].cast(pa.string()))}
    if pc.any(pc.equal(out["path"], "")).as_py() or out["path"].null_count:
        return None
    for col in ("total_conversions", *OPTIONAL):
        if col not in cols:
            out[col] = pa.array(np.zeros(t.num_rows))
            continue
        v = t[cols[col]]
        if not pa.types.is_integer(v.type) and not pa.types.is_floating(v.type):
            return None
        v = v.cast(pa.float64()).fill_null(0.0)
        if pc.any(pc.less(v, 0)).as_py():
            return None
        out[col] = v
    return pa.table(out).to_pandas()


def detect_separator(paths: pd.Series) -> str:
    sample = paths.head(1000)
    for sep in PATH_SEPARATORS:
        if sample.str.contains(sep, regex=False).any():
            return sep
    return " > "  # every path has one channel: any separator reads them


def _split(df: pd.DataFrame, sep: str) -> pa.ListArray:
    paths = pa.array(df["path"].to_numpy(dtype=object), pa.string())
    return pc.split_pattern(paths, sep.strip() or sep)


def journeys_from_paths(df: pd.DataFrame, sep: str) -> ir.Table:
    """The touch table (see paths.py) of an aggregated path file, in an in-memory DuckDB.

    The paths are split with Arrow's vectorised kernels (no loop over rows); DuckDB's
    lateral unnest of the same lists is many times slower."""
    lists = _split(df, sep)
    tokens = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    parent = pc.list_parent_indices(lists).to_numpy()
    keep = pc.not_equal(tokens, "").to_numpy(zero_copy_only=False)
    tokens, parent = tokens.filter(pa.array(keep)), parent[keep]
    counts = np.bincount(parent, minlength=len(df))
    starts = np.cumsum(counts) - counts
    pos = np.arange(len(parent)) - starts[parent]  # parents are sorted: rank within the path
    touch = pa.table(
        {
            "jid": pa.array(parent, pa.int64()),
            "pos": pa.array(pos, pa.int64()),
            "n": pa.array(counts[parent], pa.int64()),
            "dim": tokens,
            "channel": tokens,
            "period": pa.nulls(len(parent), pa.date32()),
            "conv": df["total_conversions"].to_numpy(float)[parent],
            "nulls": df["total_null"].to_numpy(float)[parent],
            "value": df["total_conversion_value"].to_numpy(float)[parent],
        }
    )
    return ibis.duckdb.connect().create_table("journeys", touch)


def path_transition_counts(
    df: pd.DataFrame, sep: str, order: int = 1, collapse: bool = True, null_paths: bool = True
) -> pd.DataFrame:
    """markov.transition_counts for a path file, counted with NumPy on the file's columns.

    A path file is already aggregated and already in memory: shipping it to an engine only to
    count its transitions costs more than counting them here (vectorised, no loop over
    paths). Same output as the engine version; a test holds them equal."""
    conv = df["total_conversions"].to_numpy(float)
    nulls = df["total_null"].to_numpy(float) if null_paths else np.zeros(len(df))
    value = df["total_conversion_value"].to_numpy(float)
    lists = _split(df, sep)
    tokens = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    parent = pc.list_parent_indices(lists).to_numpy()
    keep = pc.not_equal(tokens, "").to_numpy(zero_copy_only=False)
    keep &= (conv + nulls)[parent] > 0  # a path with neither conversions nor nulls is no journey
    enc = pc.dictionary_encode(tokens.filter(pa.array(keep)))
    names = np.asarray(enc.dictionary.to_pylist(), dtype=object)
    code, parent = enc.indices.to_numpy().astype(np.int64), parent[keep]
    if collapse:  # a -> a -> b counts as a -> b
        same = np.zeros(len(code), dtype=bool)
        same[1:] = (code[1:] == code[:-1]) & (parent[1:] == parent[:-1])
        code, parent = code[~same], parent[~same]
    new_path = np.ones(len(code), dtype=bool)
    new_path[1:] = parent[1:] != parent[:-1]
    start_idx = np.maximum.accumulate(np.where(new_path, np.arange(len(code)), 0))
    pos = np.arange(len(code)) - start_idx
    last = np.ones(len(code), dtype=bool)
    last[:-1] = new_path[1:]
    base = len(names) + 1  # 0 stands for "no channel" (fewer than k before)
    lags = []
    for i in range(order):
        lag = np.zeros(len(code), dtype=np.int64)
        ok = pos >= i
        lag[ok] = code[np.arange(len(code))[ok] - i] + 1
        lags.append(lag)
    nxt = np.zeros(len(code), dtype=np.int64)
    nxt[:-1] = code[1:] + 1
    nxt[last] = 0
    key = nxt.copy()
    for i, lag in enumerate(lags):
        key = key + lag * base ** (i + 1)
    uniq, inv = np.unique(key, return_inverse=True)
    weight = (conv + nulls)[parent]

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(inv, weights=x, minlength=len(uniq))

    label = np.concatenate([[None], names])
    out = {"period": [None] * len(uniq)}
    for i in range(order):
        out[f"f{i}"] = label[(uniq // base ** (i + 1)) % base]
    out["nxt"] = label[uniq % base]
    out["first"] = total(np.where(pos == 0, weight, 0.0))
    out["paths"] = total(weight)
    out["conv"] = total(np.where(last, conv[parent], 0.0))
    out["nulls"] = total(np.where(last, nulls[parent], 0.0))
    out["value"] = total(np.where(last, value[parent], 0.0))
    return pd.DataFrame(out)
