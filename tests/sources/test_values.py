"""Value-level bad input: what the corpus cases v_* store, beyond their outcome.

tests/test_corpus.py checks each case's outcome, message and accounting; here the
numbers and keys the workspace holds afterwards are checked (a wrong number is worse
than a refusal).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from helpers import write_config

import leadpilot
from leadpilot.metrics.model import lead_model, reserved_names
from leadpilot.sources import emails
from leadpilot.sources.parsers.numbers import attribute_numbers, decide_decimal

CORPUS = Path(__file__).parents[1] / "corpus"


def load_case(case: str, tmp_path: Path, backend: str = "duckdb", **settings) -> Path:
    """A workspace holding the corpus case (before/ first), as the runner does."""
    src = tmp_path / "src"
    shutil.copytree(CORPUS / case, src, ignore=shutil.ignore_patterns("expect.yaml"))
    cfg = src / "leadpilot.yaml"
    extra = yaml.safe_load(cfg.read_text()) if cfg.exists() else {}
    through_config = "sources" in extra
    extra.pop("sources", None)
    ws = write_config(tmp_path / "ws", backend, **{**extra, **settings}).parent
    policy = yaml.safe_load((CORPUS / case / "expect.yaml").read_text()).get("policy")
    with leadpilot.open(ws) as lp:
        if (src / "before").is_dir():
            lp.ingest(src / "before")
        lp.ingest(cfg if through_config else src, policy=policy)
    return ws


def rows(ws: Path, table: str, key: str) -> dict:
    with leadpilot.open(ws) as lp:
        records = lp.workspace.table(table).to_pyarrow().to_pylist()
    return {r[key]: r for r in records}


# ------------------------------------------------------------------ numbers
def test_semicolon_file_with_decimal_commas_reads_1_250_as_1_25(tmp_path):
    ws = load_case("v_decimal_comma_semicolon_file", tmp_path)
    with leadpilot.open(ws) as lp:
        amounts = sorted(lp.table("spend")["amount"])
    assert amounts == [0.75, 1.25, 12.5]


@pytest.mark.parametrize("case", ["v_decimal_comma_separators", "v_decimal_point_separators"])
def test_every_separator_style_reads_the_same_amount(case, tmp_path):
    ws = load_case(case, tmp_path)
    amounts = {k: r["amount"] for k, r in rows(ws, "deals", "deal_id").items()}
    assert amounts == {
        "D1": 1054.0, "D2": 1054.5 if case.endswith("point_separators") else 1054.0,
        "D3": 1054.0, "D4": 1054.0, "D5": 1054.5 if case.endswith("comma_separators") else 1054.0,
        "D6": 1054.0,
    }  # fmt: skip


def test_an_ambiguous_file_loads_as_the_setting_says(tmp_path):
    ws = load_case("v_decimal_ambiguous_setting", tmp_path)
    with leadpilot.open(ws) as lp:
        assert sorted(lp.table("spend")["amount"]) == [1.25, 2.5, 300.0]


def test_comma_separated_file_reads_thousands(tmp_path):
    ws = load_case("v_thousands_comma_csv", tmp_path)
    with leadpilot.open(ws) as lp:
        assert sorted(lp.table("spend")["amount"]) == [1250.0, 2500.0]


def test_decimal_evidence():
    e = decide_decimal(pa.array(["1,250", "12,5", None, "3"]))
    assert (e.comma, e.point, e.n_ambiguous, e.decimal) == (1, 0, 1, ",")
    e = decide_decimal(pa.array(["1.054", "2.500"]))
    assert not e.told and e.n_ambiguous == 2
    assert decide_decimal(pa.array(["0,125"])).decimal == ","
    assert decide_decimal(pa.array(["1,054,000"])).decimal == "."
    assert decide_decimal(pa.array(["1.054.000"])).decimal == ","


def test_attributes_keep_codes_as_written():
    assert attribute_numbers(pa.array(["01234", "75001"])) is None  # a leading zero
    assert attribute_numbers(pa.array(["+33612345678"])) is None
    assert attribute_numbers(pa.array(["75001", "69002"]), name="zip") is None
    assert attribute_numbers(pa.array(["1,250", "2,500"])) is None  # 1250 or 1.25?
    assert attribute_numbers(pa.array(["12", "0.5", "0"])).to_pylist() == [12.0, 0.5, 0.0]


# ------------------------------------------------------------------ spend keys
def test_ad_group_rows_of_a_campaign_day_are_summed(tmp_path, backend):
    ws = load_case("v_spend_ad_groups_summed", tmp_path, backend)
    spend = rows(ws, "spend", "spend_key")
    assert {k: r["amount"] for k, r in spend.items()} == {
        "2025-01-01|paid_search|brand|": 150.0,
        "2025-01-02|paid_search|brand|": 70.0,
    }
    assert spend["2025-01-01|paid_search|brand|"]["clicks"] == 30.0


# ------------------------------------------------------------------ e-mails
def test_same_mailbox_variants_merge_into_the_first_lead(tmp_path):
    ws = load_case("v_email_same_mailbox_variants", tmp_path)
    leads = rows(ws, "leads", "lead_id")
    assert {k: r["merged_into"] for k, r in leads.items() if r["merged_into"]} == {
        f"L{i}": "L1" for i in range(2, 7)
    }
    assert {r["email_norm"] for k, r in leads.items() if k != "L7"} == {"jane.doe@acme.com"}
    # the stored e-mail keeps its case, without the invisible characters
    assert leads["L1"]["email"] == "Jane.Doe@Acme.com"
    assert leads["L5"]["email"] == "jane.doe@acme.com"
    assert leads["L6"]["email"] == "JANE.DOE@ACME.COM"


def test_placeholder_emails_merge_nobody(tmp_path):
    ws = load_case("v_placeholder_emails", tmp_path)
    leads = rows(ws, "leads", "lead_id")
    assert not any(r["merged_into"] for r in leads.values())
    assert [k for k, r in leads.items() if r["email"] is not None] == ["L9"]


def test_hashed_emails_still_merge_and_leave_no_address(tmp_path):
    ws = load_case("v_email_same_mailbox_variants", tmp_path, privacy={"hash_emails": True})
    leads = rows(ws, "leads", "lead_id")
    assert {k: r["merged_into"] for k, r in leads.items() if r["merged_into"]} == {
        f"L{i}": "L1" for i in range(2, 7)
    }
    key = emails.secret(ws, ".leadpilot-email-key")
    assert leads["L1"]["email"] == emails.hash_one("Jane.Doe@Acme.com ", key)
    assert (ws / ".leadpilot-email-key").stat().st_mode & 0o077 == 0
    with leadpilot.open(ws) as lp:
        con = lp.workspace.con
        for name in con.list_tables():
            text = lp.workspace.table(name).to_pandas().to_csv().lower()
            assert "acme" not in text, name
    assert b"acme" not in (ws / "leadpilot.duckdb").read_bytes().lower()


# ------------------------------------------------------------------ partial re-exports
def test_partial_reexport_keeps_what_the_file_does_not_say(tmp_path, backend):
    ws = load_case("v_partial_reexport_keeps_columns", tmp_path, backend)
    leads = rows(ws, "leads", "lead_id")
    l1, l2 = leads["L1"], leads["L2"]
    assert (l1["email"], l1["email_norm"], l1["channel"]) == ("a@acme.com", "a@acme.com",
                                                              "paid_search")  # fmt: skip
    assert l1["channel_derived"] is False and l2["channel"] == "email"
    assert (l1["employees"], l1["zip"], l2["zip"]) == (120.0, "01234", "75001")
    assert l1["industry"] == "fintech"
    assert l2["industry"] is None  # present in the file, blank: cleared


def test_an_attribute_that_turns_to_text_is_widened(tmp_path, backend):
    ws = load_case("v_attribute_numbers_then_text", tmp_path, backend)
    budget = {k: r["budget"] for k, r in rows(ws, "leads", "lead_id").items()}
    assert budget == {"L1": "12", "L2": "7.5", "L3": "unknown", "L4": "40"}


def test_codes_are_kept_as_written(tmp_path):
    ws = load_case("v_postal_codes_phones_as_written", tmp_path)
    leads = rows(ws, "leads", "lead_id")
    assert [leads[k]["postal_code"] for k in ("L1", "L2")] == ["01234", "75001"]
    assert [leads[k]["phone"] for k in ("L1", "L2")] == ["0612345678", "+33 6 12 34 56 78"]
    assert leads["L1"]["cp"] == "01000" and leads["L1"]["siret"] == "00012345600018"


def test_float_like_ids_match_between_tables(tmp_path):
    ws = load_case("v_ids_float_like", tmp_path)
    assert sorted(rows(ws, "leads", "lead_id")) == ["123", "124"]
    deals = rows(ws, "deals", "deal_id")
    assert {k: r["lead_id"] for k, r in deals.items()} == {"9001": "123", "9002": "124"}


def test_leading_zero_ids_are_kept(tmp_path):
    ws = load_case("v_ids_leading_zeros_kept", tmp_path)
    assert sorted(rows(ws, "leads", "lead_id")) == ["00123", "0124"]
    assert rows(ws, "deals", "deal_id")["0001"]["lead_id"] == "00123"


def test_dot_thousands_of_a_comma_file_read_with_the_setting(tmp_path):
    """Refused unsaid (tests/corpus/v_dot_thousands_comma_file); with decimal: ',' the
    dots group thousands: 1.054 is 1054, never 1.054."""
    ws = load_case("v_dot_thousands_comma_file", tmp_path, ingest={"decimal": ","})
    amounts = {k: r["amount"] for k, r in rows(ws, "deals", "deal_id").items()}
    assert amounts == {"D1": 1054.0, "D2": 550.0, "D3": 4514.0}


# ------------------------------------------------------------------ amounts after the checks
def test_currencies_are_converted_before_summing(tmp_path):
    ws = load_case("v_mixed_currencies_with_rates", tmp_path)
    assert {k: r["amount"] for k, r in rows(ws, "deals", "deal_id").items()} == {
        "D1": 1000.0, "D2": 900.0,
    }  # fmt: skip
    ws = load_case("v_spend_same_key_two_currencies", tmp_path / "2")
    ((_, spend),) = rows(ws, "spend", "spend_key").items()
    assert (spend["amount"], spend["currency"]) == (pytest.approx(190.0), "EUR")


def test_status_only_reexport_keeps_the_amount(tmp_path, backend):
    ws = load_case("v_partial_deals_reexport", tmp_path, backend)
    d1 = rows(ws, "deals", "deal_id")["D1"]
    assert (d1["status"], d1["amount"]) == ("won", 4500.0) and d1["closed_at"] is not None


def test_dots_are_thousands_where_commas_are_decimals(tmp_path):
    ws = load_case("v_semicolon_file_dot_thousands", tmp_path)
    spend = sorted(rows(ws, "spend", "spend_key").values(), key=lambda r: r["date"])
    assert [(r["amount"], r["impressions"]) for r in spend] == [(12.5, 1250.0), (8.0, 2400.0)]


def test_traffic_rows_of_one_key_are_summed(tmp_path):
    ws = load_case("v_traffic_rows_summed", tmp_path)
    assert sorted(r["visitors"] for r in rows(ws, "traffic", "traffic_key").values()) == [
        80.0, 150.0,
    ]  # fmt: skip


# ------------------------------------------------------------------ erasure (Pilot)
@pytest.mark.parametrize("hashed", [False, True], ids=["clear", "hashed"])
def test_erase_lead_leaves_no_trace_in_any_table(tmp_path, hashed):
    """Pilot.erase_lead removes the person (and the records merged into it) from leads,
    touchpoints, stage events, deals, scores and the quarantine; nothing that names it
    is left in any table, whether e-mails are stored in clear or hashed."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,email,company\n"
        "gdpr-1,2025-01-05,Erase.Me@Forget.eu,Forget Me SA\n"
        "gdpr-2,2025-01-20,erase.me@forget.eu ,Forget Me SA\n"
        "keep-1,2025-01-06,stay@here.com,Stay SA\n"
        "keep-2,2025-01-07,other@here.com,Stay SA\n"
        # quarantined (no date), the same person written in capitals: erased too (it was
        # kept, matched on the e-mail's case)
        "gdpr-3,,ERASE.ME@FORGET.EU,Forget Me SA\n"
    )
    (src / "touchpoints.csv").write_text(
        "lead_id,ts,type\ngdpr-1,2025-01-06,email_open\nkeep-1,2025-01-07,visit\n"
    )
    (src / "stage_events.csv").write_text(
        "lead_id,stage,ts\ngdpr-1,mql,2025-01-07\ngdpr-2,sql,2025-01-21\nkeep-1,mql,2025-01-08\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "d-gdpr,gdpr-1,2025-01-10,won,2025-01-20,500\n"
        "d-gdpr-bad,gdpr-2,2025-01-10,won,,700\n"  # quarantined: no close date
        "d-keep,keep-1,2025-01-10,open,,300\n"
    )
    ws = write_config(tmp_path / "ws", "duckdb", privacy={"hash_emails": hashed}).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src, policy="quarantine")
        lp.score_apply(reasons=False)
        assert lp.workspace.table("quarantine").count().execute() == 2
        out = lp.erase_lead("gdpr-2")
        assert out["found"] and out["lead_ids"] == ["gdpr-1", "gdpr-2"]
        removed = out["removed"]
        assert (removed["leads"], removed["touchpoints"], removed["stage_events"]) == (2, 1, 2)
        assert (removed["deals"], removed["quarantine"]) == (1, 2)
        assert removed["scores"] == 1  # the merged record is not scored: one person
        needles = ["gdpr", "erase.me", "forget"]
        if hashed:
            key = emails.secret(ws, ".leadpilot-email-key")
            needles.append(emails.hash_one("erase.me@forget.eu", key)[len(emails.HASH_PREFIX):])
        for name in lp.workspace.con.list_tables():
            if name == "ingest_log":
                continue
            text = lp.workspace.table(name).to_pandas().to_csv().lower()
            for needle in needles:
                assert needle not in text, (name, needle)
        assert sorted(lp.workspace.table("leads").to_pandas()["lead_id"]) == ["keep-1", "keep-2"]


def test_turning_hashing_on_hashes_what_is_stored(tmp_path):
    """A workspace that sets privacy.hash_emails after leads were stored in clear: the
    stored addresses are hashed at the next ingest, so the new lead still merges."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "leads.csv").write_text(
        "lead_id,created_at,email\nL1,2025-01-05,Jane.Doe@Acme.com\nL2,2025-01-06,bob@globex.com\n"
    )
    (second / "leads.csv").write_text("lead_id,created_at,email\nL3,2025-01-20,jane.doe@acme.com\n")
    ws = write_config(tmp_path / "ws", "duckdb").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(first)
    write_config(ws, "duckdb", privacy={"hash_emails": True})
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(second)
    assert "emails_hashed" in {getattr(n, "code", None) for n in summary.notes}
    leads = rows(ws, "leads", "lead_id")
    assert leads["L3"]["merged_into"] == "L1"
    assert all(r["email"].startswith(emails.HASH_PREFIX) for r in leads.values())
    assert all(r["email_norm"].startswith(emails.HASH_PREFIX) for r in leads.values())


def test_money_signs_give_each_row_its_currency(tmp_path):
    ws = load_case("v_money_symbols_mixed_currencies", tmp_path)
    amounts = {k: r["amount"] for k, r in rows(ws, "deals", "deal_id").items()}
    assert amounts == {"D1": pytest.approx(1080.0), "D2": 900.0}


def test_a_variant_of_a_stored_mailbox_merges_into_it(tmp_path):
    ws = load_case("v_email_variant_merges_with_stored", tmp_path)
    leads = rows(ws, "leads", "lead_id")
    assert leads["L2"]["merged_into"] == "L1" and leads["L2"]["email"] == "JANE@ACME.COM"


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_stored_values_read_by_key_or_whole_give_the_same_rows(tmp_path, backend, monkeypatch):
    # from another engine than the staging, an ingest of few keys reads back only their
    # stored rows from a large table; else the whole table: the same rows either way
    from leadpilot.sources import load

    found, queries = {}, {}
    scan = load.Staging.rows
    for way, (few, whole) in {"by key": (load.FEW_KEYS, 0), "whole": (0, 10**9)}.items():
        monkeypatch.setattr(load, "FEW_KEYS", few)
        monkeypatch.setattr(load, "COPIED_WHOLE", whole)
        counted: list[int] = []
        monkeypatch.setattr(
            load.Staging, "rows", lambda s, e, counted=counted: counted.append(1) or scan(s, e)
        )
        leads = load_case("v_partial_reexport_keeps_columns", tmp_path / f"l{few}", backend)
        deals = load_case("v_partial_deals_reexport", tmp_path / f"d{few}", backend)
        found[way] = (rows(leads, "leads", "lead_id"), rows(deals, "deals", "deal_id"))
        queries[way] = len(counted)
    assert queries["by key"] > queries["whole"]  # the keys were asked for: the other way
    drop = {"ingested_at"}
    clean = {
        few: [{k: {c: v for c, v in r.items() if c not in drop} for k, r in t.items()} for t in f]
        for few, f in found.items()
    }
    assert clean["by key"] == clean["whole"]
    assert clean["by key"][0]["L1"]["industry"] == "fintech"  # a stored value kept


def test_an_attribute_named_like_a_kpi_is_grouped_by_under_its_new_name(tmp_path, backend):
    """An account's Revenue (1,200,000 for L1 and L3) is no revenue of the lead's deals
    (500 and 700 won): grouped by, each figure stays what it is."""
    ws = load_case("v_attribute_named_like_a_kpi", tmp_path, backend)
    with leadpilot.open(ws) as lp:
        result = lp.kpi_result(by="revenue_attribute", kpis=["leads", "customers", "revenue"])
        labels = lp.labels()["column"]
        tables = lp.tables()
        computed = set(lead_model(tables).columns) - set(tables["leads"].columns)
    assert computed and computed <= reserved_names(), computed - reserved_names()
    got = {r["revenue_attribute"]: (r["leads"], r["customers"], r["revenue"]) for r in result.rows}
    assert got == {1_200_000: (2, 2, 1200.0), 35_000: (1, 0, 0.0)}
    assert labels["revenue_attribute"] == "Revenue"  # displayed as the export wrote it


def test_an_attribute_read_two_ways_stays_text_in_a_comma_file(tmp_path):
    """employees '1.054' (1054 with a European thousands dot, or 1.054): nothing in the
    file tells, and it was read as the number 1.054; it stays text as written, as the
    attribute rule says (and as a scored file reads it); decimal: ',' makes it 1054."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,employees\nL1,2025-01-02,1.054\nL2,2025-01-03,550\n"
    )
    ws = write_config(tmp_path / "ws", "duckdb").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    assert {k: r["employees"] for k, r in rows(ws, "leads", "lead_id").items()} == {
        "L1": "1.054", "L2": "550",
    }  # fmt: skip
    ws = write_config(tmp_path / "ws2", "duckdb", ingest={"decimal": ","}).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    assert rows(ws, "leads", "lead_id")["L1"]["employees"] == 1054.0


def test_every_folded_name_keeps_the_text_the_export_wrote(tmp_path):
    """'Site web' folds to 'site_web' like 'Bouche à oreille' to 'bouche_a_oreille': both
    are shown as written (a report showed one written and the other folded); a name
    written as stored needs no label."""
    from helpers import write_config

    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,channel\nL1,2025-01-02,Site web\nL2,2025-01-03,Bouche à oreille\n"
        "L3,2025-01-04,email\nL4,2025-01-05,Email\n"
    )
    ws = write_config(tmp_path / "ws", "duckdb").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        labels = lp.labels()["value:channel"]
    assert labels["site_web"] == "Site web" and labels["bouche_a_oreille"] == "Bouche à oreille"
    assert labels.get("email") in ("Email", None)  # written both ways: either, never folded
