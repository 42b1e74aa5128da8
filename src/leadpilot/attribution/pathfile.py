"""Reader for ChannelAttribution's aggregated path format.

One row per distinct path: ``path`` (channels joined by " > "), ``total_conversions``,
optionally ``total_conversion_value`` and ``total_null``. The column delimiter (comma,
semicolon, tab) and the path separator (" > ", ">", "->", "|", ",") are detected. The
paths are split in the engine into the same touch table as a workspace's journeys, so the
order-only models (first/last/last non-direct/linear, markov, shapley) run unchanged.
"""

from __future__ import annotations

import csv
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

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
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read path file {path}: {exc}") from None
    head = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
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


def detect_separator(paths: pd.Series) -> str:
    sample = paths.head(1000)
    for sep in PATH_SEPARATORS:
        if sample.str.contains(sep, regex=False).any():
            return sep
    return " > "  # every path has one channel: any separator reads them


def journeys_from_paths(df: pd.DataFrame, sep: str) -> ir.Table:
    """The touch table (see paths.py) of an aggregated path file, split in DuckDB."""
    con = ibis.duckdb.connect()
    src = con.create_table(
        "paths",
        df.assign(jid=range(len(df))).rename(
            columns={
                "total_conversions": "conv",
                "total_null": "nulls",
                "total_conversion_value": "value",
            }
        ),
    )
    t = src.mutate(_ch=src.path.split(sep.strip() if sep.strip() else sep))
    t = t.unnest("_ch", offset="pos")
    t = t.mutate(dim=t._ch.strip())
    t = t.filter(t.dim != "")
    w = ibis.window(group_by=t.jid, order_by=t.pos)
    t = t.mutate(pos=ibis.row_number().over(w), n=t.jid.count().over(ibis.window(group_by=t.jid)))
    return t.select(
        "jid",
        "pos",
        "n",
        "dim",
        channel=t.dim,
        period=ibis.literal(None, "date"),
        conv=t.conv,
        nulls=t.nulls,
        value=t.value,
    )
