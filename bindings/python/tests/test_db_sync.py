"""The SQLite side of ids, sync and erasure: files saved with event ids,
db_import_csv(existing=...) and db_forget()."""
import pytest

import cxkit
from test_forget import build, snapshot
from test_sync import write_files


def test_save_and_load_keep_ids_and_links(tmp_path):
    s = build()
    db = str(tmp_path / "cx.db")
    s.save(db)
    assert cxkit.db_schema_version(db) == 2
    back = cxkit.Store.load(db)
    assert snapshot(back) == snapshot(s)
    assert back.find("feedback", "F-1") == s.find("feedback", "F-1")
    assert back.record("feedback", 0)["interaction"] == "I-0-b"


def test_db_import_csv_twice_with_update_is_unchanged(tmp_path):
    write_files(tmp_path)
    db = str(tmp_path / "cx.db")
    for t in ("customers", "touchpoints", "cases", "interactions", "feedback", "transactions"):
        rep = cxkit.db_import_csv(db, t, str(tmp_path / (t + ".csv")), existing="update")
        assert rep.rejected() == 0, rep.rejects()
        assert rep.added() == rep.accepted()
    for t in ("customers", "touchpoints", "cases", "interactions", "feedback", "transactions"):
        rep = cxkit.db_import_csv(db, t, str(tmp_path / (t + ".csv")), cxkit.ImportOptions.make(existing="update"))
        assert (rep.added(), rep.updated()) == (0, 0) and rep.unchanged() == rep.read()
    mem = cxkit.Store()
    for t in ("customers", "touchpoints", "cases", "interactions", "feedback", "transactions"):
        mem.import_csv(t, str(tmp_path / (t + ".csv")))
    assert snapshot(cxkit.Store.load(db)) == snapshot(mem)


def test_db_forget_matches_store_forget(tmp_path):
    s = build()
    db = str(tmp_path / "cx.db")
    s.save(db)
    assert cxkit.db_forget(db, ["C-2"]) == s.forget(["C-2"]) == 8
    assert snapshot(cxkit.Store.load(db)) == snapshot(s) == snapshot(build(without={"C-2"}))
    s.add_customer("C-9")  # later saves go on appending
    s.save(db)
    assert snapshot(cxkit.Store.load(db)) == snapshot(s)


def test_db_forget_unknown_id_erases_nothing(tmp_path):
    s = build()
    db = str(tmp_path / "cx.db")
    s.save(db)
    with pytest.raises(cxkit.NotFound, match="nobody"):
        cxkit.db_forget(db, ["C-1", "nobody"])
    assert snapshot(cxkit.Store.load(db)) == snapshot(s)
    with pytest.raises(TypeError):
        cxkit.db_forget(db, "C-1")
