"""Tables, columns and types follow schema.py; generation is deterministic per seed."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from leadpilot.schema import TABLES
from leadpilot.synth import generate

ARROW_TYPES = {"timestamp": pa.timestamp("us"), "date": pa.date32(), "number": pa.float64()}


def check_shape(tables: dict[str, pa.Table]) -> None:
    assert list(tables) == list(TABLES)
    for name, table in tables.items():
        spec = TABLES[name]
        assert table.column_names == list(spec.column_names), name
        for col in spec.columns:
            expected = ARROW_TYPES.get(col.kind, pa.string())
            assert table.schema.field(col.name).type == expected, (name, col.name)
            if col.required:
                assert table.column(col.name).null_count == 0, (name, col.name)
            if col.allowed is not None:
                values = set(table.column(col.name).drop_null().unique().to_pylist())
                assert values <= set(col.allowed), (name, col.name, values - set(col.allowed))


def test_columns_and_types(medium, small):
    check_shape(medium)
    check_shape(small)


@pytest.mark.parametrize("n", [1, 7, 99, 200])
def test_tiny_datasets(n):
    tables = generate(n, seed=n)
    check_shape(tables)
    assert tables["leads"].num_rows == n


def test_rejects_no_leads():
    with pytest.raises(ValueError):
        generate(0)


def test_same_seed_same_tables():
    a, b = generate(3_000, seed=11), generate(3_000, seed=11)
    for name in TABLES:
        assert a[name].equals(b[name]), name


def test_other_seed_other_tables():
    a, b = generate(3_000, seed=11), generate(3_000, seed=12)
    assert a["leads"].num_rows == b["leads"].num_rows
    for name in TABLES:
        assert not a[name].equals(b[name]), name


def test_all_enum_values_used(medium):
    """Every stage, touchpoint type, deal status and acquisition type appears."""
    stages = set(medium["stage_events"].column("stage").unique().to_pylist())
    assert stages == set(TABLES["stage_events"].column("stage").allowed)
    types = set(medium["touchpoints"].column("type").unique().to_pylist())
    assert types == set(TABLES["touchpoints"].column("type").allowed)
    statuses = set(medium["deals"].column("status").unique().to_pylist())
    assert statuses == {"open", "won", "lost"}
    acquisitions = set(medium["leads"].column("acquisition").unique().to_pylist())
    assert acquisitions == set(TABLES["leads"].column("acquisition").allowed)


def test_ids_have_one_width(medium):
    for table, column in [("leads", "lead_id"), ("deals", "deal_id"), ("touchpoints", "touch_id")]:
        lengths = pc.utf8_length(medium[table].column(column)).unique()
        assert len(lengths) == 1, (table, lengths)
