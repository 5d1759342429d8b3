"""Import and export (CSV, JSON Lines), reports, SQLite persistence."""
import json

import pytest

import cxkit
from conftest import DATA, TABLE_ORDER, load_demo


def test_demo_import_counts(demo):
    assert demo.rows("customers") == 3000
    assert demo.rows("interactions") == 35247
    assert demo.rows("feedback") == 10766


def test_report_and_rejects(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,segment,acquired\nA,x,2024-01-01\nA,y,\nB,z,not a time\n", encoding="utf-8")
    s = cxkit.Store()
    rep = s.import_csv("customers", str(p))
    assert (rep.read(), rep.accepted(), rep.rejected()) == (3, 1, 2)
    rejects = rep.rejects()
    assert [r[0] for r in rejects] == [3, 4] and rejects[1][1] == 3
    assert "B" not in [r["id"] for r in s.records("customers")]
    strict = cxkit.Store()
    with pytest.raises(cxkit.Exists, match="line 3"):
        strict.import_csv("customers", str(p), cxkit.ImportOptions.make(strict=True))
    assert strict.rows("customers") == 0


def test_import_options(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("client;seg\nA;x\n", encoding="utf-8")
    o = cxkit.ImportOptions()
    o.set_delimiter(";")
    o.map_column("client", "id")
    o.map_column("seg", "segment")
    s = cxkit.Store()
    assert s.import_csv("customers", str(p), o).accepted() == 1
    assert s.record("customers", 0)["segment"] == "x"
    with pytest.raises(cxkit.Invalid):
        o.set_delimiter(";;")
    o.close()
    with pytest.raises(cxkit.Invalid, match="closed"):
        s.import_csv("customers", str(p), o)  # nothing imported with closed options
    assert s.rows("customers") == 1


def test_missing_file_is_io_error(tmp_path):
    with pytest.raises(cxkit.IO) as e:
        cxkit.Store().import_csv("customers", str(tmp_path / "none.csv"))
    assert isinstance(e.value, OSError)


def test_export_jsonl_and_csv(store, tmp_path):
    store.export_jsonl("customers", str(tmp_path / "c.jsonl"), 180)
    rows = [json.loads(l) for l in (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[0]["region"] == "الرياض"
    store.export_csv("cases", str(tmp_path / "cases.csv"))
    s2 = cxkit.Store()
    s2.import_jsonl("customers", str(tmp_path / "c.jsonl"))
    assert s2.record("customers", 0)["name"] == "سارة العتيبي"


def test_db_save_load(store, tmp_path):
    db = str(tmp_path / "cx.db")
    store.save(db)
    assert cxkit.db_schema_version(db) >= 1
    s2 = cxkit.Store.load(db)
    assert s2.rows("feedback") == 1 and s2.record("customers", 0) == store.record("customers", 0)
    with pytest.raises(cxkit.IO):
        cxkit.Store.load(str(tmp_path / "missing.db"))


def test_db_import_csv(tmp_path):
    db = str(tmp_path / "big.db")
    s = cxkit.Store()
    for t in ["customers", "touchpoints", "cases"]:
        s.import_csv(t, str(DATA / (t + ".csv")))
    s.save(db)
    rep = cxkit.db_import_csv(db, "interactions", str(DATA / "interactions.csv"))
    assert rep.accepted() == 35247
    assert cxkit.Store.load(db).rows("interactions") == 35247


def test_create_customers(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("customer,time,amount\nA,0,1\nنور,1,2\nنور,2,3\nM,3,-1\n", encoding="utf-8")
    s = cxkit.Store()
    s.add_customer("A", "consumer")
    rep = s.import_csv("transactions", str(p))  # off by default: unknown customers rejected
    assert (rep.accepted(), rep.rejected()) == (1, 3)
    assert s.rows("customers") == 1
    rep = s.import_csv("transactions", str(p), cxkit.ImportOptions.make(create_customers=True))
    assert (rep.accepted(), rep.rejected()) == (3, 1)
    assert "no customer" not in rep.reason(0)
    assert [r["id"] for r in s.records("customers")] == ["A", "نور"]  # M's row was refused: no M
    new = s.record("customers", 1)
    assert new["segment"] is None and new["acquired"] is None
    # strict: a failing import takes its customers back
    with pytest.raises(cxkit.Range, match="line 5"):
        cxkit.Store().import_csv("transactions", str(p),
                                 cxkit.ImportOptions.make(strict=True, create_customers=True))
    o = cxkit.ImportOptions()
    o.set_create_customers(True)
    j = tmp_path / "i.jsonl"
    j.write_text('{"customer":"Z","question":"nps","score":9,"time":0}\n', encoding="utf-8")
    assert s.import_jsonl("feedback", str(j), o).accepted() == 1
    assert s.rows("customers") == 3
    o.set_create_customers(False)
    j.write_text('{"customer":"Y","question":"nps","score":9,"time":0}\n', encoding="utf-8")
    assert s.import_jsonl("feedback", str(j), o).rejected() == 1


def test_db_import_csv_creates_customers(tmp_path):
    db = str(tmp_path / "c.db")
    s = cxkit.Store()
    s.add_touchpoint("web", "web", "consideration")
    s.save(db)
    p = tmp_path / "i.csv"
    p.write_text("customer,touchpoint,time\nC1,web,0\nC2,web,1\nC1,web,2\nC3,nowhere,3\n", encoding="utf-8")
    rep = cxkit.db_import_csv(db, "interactions", str(p), cxkit.ImportOptions.make(create_customers=True))
    assert (rep.accepted(), rep.rejected()) == (3, 1)
    loaded = cxkit.Store.load(db)
    assert [r["id"] for r in loaded.records("customers")] == ["C1", "C2"]
    assert loaded.rows("interactions") == 3


def test_files_as_pathlike(store, tmp_path):
    """Every file argument takes an os.PathLike as well as a str (SWIG's
    type error refused a pathlib.Path); anything else is still a TypeError."""
    store.export_csv("customers", tmp_path / "c.csv")
    store.export_jsonl("customers", tmp_path / "c.jsonl")
    s2 = cxkit.Store()
    assert s2.import_csv("customers", tmp_path / "c.csv").accepted() == store.rows("customers")
    s3 = cxkit.Store()
    s3.import_jsonl("customers", tmp_path / "c.jsonl")
    store.save(tmp_path / "cx.db")
    assert cxkit.db_schema_version(tmp_path / "cx.db") >= 1
    assert cxkit.Store.load(tmp_path / "cx.db").rows("customers") == store.rows("customers")
    q = cxkit.Query(store)
    q.add(cxkit.MEASURE_NPS)
    r = q.run()
    r.export_csv(tmp_path / "r.csv")
    r.export_json(tmp_path / "r.json")
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").startswith("nps")

    class Where:  # any os.PathLike, bytes paths included
        def __fspath__(self):
            return bytes(tmp_path / "cx.db")

    assert cxkit.Store.load(Where()).rows("customers") == store.rows("customers")
    (tmp_path / "p.csv").write_text("path,conversions\na > b,2\n", encoding="utf-8")
    p = cxkit.Paths()
    p.import_csv(tmp_path / "p.csv", nulls=None, value=None, separator=" > ")
    assert p.count() == 1
    with pytest.raises(TypeError, match="str or os.PathLike"):
        cxkit.Store.load(42)
    with pytest.raises(cxkit.IO):
        cxkit.Store.load(tmp_path / "missing.db")
