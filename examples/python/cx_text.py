#!/usr/bin/env python3
"""cx_text.py: the voice of the customer in the demo data, with pandas.

Loads examples/data/*.csv, indexes every survey comment (Arabic and
English) once, and prints the detractor themes of home_delivery (weighted
log-odds, z-scores) as a DataFrame, the same themes from two shards whose
counts travel as bytes and are merged, a search, and the sentiment per
touchpoint from a lexicon learned from the NPS scores.

Usage: python3 cx_text.py [DATA_DIR]   (default: the demo data)
Runs from the build tree (PYTHONPATH=build/bindings/python) or installed.
"""
import pathlib
import sys

import cxkit

TABLES = ["customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions"]


def load(data_dir):
    store = cxkit.Store()
    for table in TABLES:
        store.import_csv(table, str(data_dir / (table + ".csv")))
    return store


def main():
    here = pathlib.Path(__file__).resolve().parent
    data_dir = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent / "data"
    store = load(data_dir)
    ix = cxkit.TextIndex(store)
    print(f"{ix.comment_count()} comments, {ix.term_count()} terms")

    themes = ix.themes("nps", "touchpoint", min_count=5).to_pandas()
    hd = themes[themes["group"] == "home_delivery"]
    print("\nhome_delivery: what detractors write (z > 0)")
    print(hd.head(6)[["label", "kind", "low_count", "high_count", "low_share", "z"]].to_string(index=False))

    # shards: counts of 2024 and 2025 as bytes (what a worker would send), merged
    mid = cxkit.to_ms("2025-01-01T00:00:00+03:00")
    parts = [cxkit.text_counts_serialize(ix.counts("nps", "touchpoint", end=mid)),
             cxkit.text_counts_serialize(ix.counts("nps", "touchpoint", start=mid))]
    merged = cxkit.text_counts_merge(*(cxkit.text_counts_deserialize(p) for p in parts))
    again = cxkit.text_themes(merged, 0, 5).to_pandas()
    cols = ["group", "kind", "term", "low_count", "high_count", "z"]  # labels: the first form each shard met
    print(f"\nthemes from two shards: {len(again)} rows, the same as at once: {again[cols].equals(themes[cols])}")

    hits = ix.search("late delivery").to_pandas()
    print(f"\n'late delivery': {len(hits)} comments")
    print(hits.head(3)[["customer", "touchpoint", "question", "score", "comment"]].to_string(index=False))

    lex = cxkit.TextLexicon.learn(ix, "nps", 5, 1.0)
    sent = ix.sentiment(lex).to_pandas()
    print("\nmean sentiment by touchpoint (lexicon learned from NPS)")
    print(sent.groupby("touchpoint")["sentiment"].mean().sort_values().head(5).round(2).to_string())


if __name__ == "__main__":
    main()
