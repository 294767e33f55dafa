"""The Python package against the engine's programs: the same results as
fathom-search, the same measures as fathom-eval, the same errors.

Run by ctest (PythonPackage.Pytest) with PYTHONPATH pointing at the build's
package and FATHOM_SEARCH_BIN / FATHOM_EVAL_BIN / FATHOM_SHARED_DIR set.
"""

import os
import subprocess
import threading
import warnings
from pathlib import Path

import pytest

import fathom

SHARED = Path(os.environ.get("FATHOM_SHARED_DIR", Path(__file__).parents[2] / ".." / "shared"))
SEARCH_BIN = os.environ.get("FATHOM_SEARCH_BIN", "fathom-search")
EVAL_BIN = os.environ.get("FATHOM_EVAL_BIN", "fathom-eval")
CACM = SHARED / "corpora" / "cacm"


def documents(count):
    """Documents where `common` is in all, `even` in every other one and
    `rare` in every 100th, with varying lengths so that scores differ."""
    for i in range(count):
        words = ["common"]
        if i % 2 == 0:
            words.append("even")
        if i % 100 == 0:
            words.append("rare")
        words += ["w%d" % ((i * 7 + j) % 53) for j in range(1 + i % 9)]
        yield {"id": "d%d" % i, "title": "Title %d" % (i % 13), "body": " ".join(words)}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "index"
    with fathom.IndexWriter(path) as writer:
        writer.add_all(documents(1500))
    return path


def test_writer_builds_and_index_searches(small):
    index = fathom.Index(small)
    results = index.search("rare")
    assert results.matches == 15 and results.matches_exact
    assert len(results) == 10
    hit = results[0]
    assert hit.id.startswith("d") and hit.score > 0
    assert hit.title.startswith("Title ")
    assert "<b>rare</b>" in hit.snippet
    assert [h.id for h in results] == [h.id for h in results.hits]
    assert index.stats()["documents"] == 1500


def test_counts_exactly_up_to_a_thousand_then_says_at_least(small):
    index = fathom.Index(small)
    results = index.search("common")
    assert (results.matches, results.matches_exact) == (1000, False)
    assert index.count("common") == 1500
    assert index.count("+common +even") == 750
    every = index.search("common", count_up_to=10**9)
    assert (every.matches, every.matches_exact) == (1500, True)


def test_paging_gives_the_next_results(small):
    index = fathom.Index(small)
    first = index.search("common even", k=20, fold_duplicates=False, snippets=False)
    second = index.search("common even", k=10, offset=10, fold_duplicates=False, snippets=False)
    assert [h.id for h in second] == [h.id for h in first.hits[10:20]]


def test_documents_and_explain(small):
    index = fathom.Index(small)
    doc = index.document("d100")
    assert doc.id == "d100" and "rare" in doc.body and doc.title == "Title 9"
    assert index.document("no-such-id") is None
    top = index.search("rare even")[0]
    explanation = index.explain("rare even", top.id)
    assert explanation.startswith("score %.4f" % top.score)
    with pytest.raises(fathom.InputError, match="no-such-id"):
        index.explain("rare", "no-such-id")


def test_errors_are_python_exceptions_of_matching_classes(tmp_path, small):
    index = fathom.Index(small)
    with pytest.raises(fathom.QuerySyntaxError) as caught:
        index.search("(common even")
    assert caught.value.column == 13
    assert "missing ')'" in caught.value.problem
    assert isinstance(caught.value, fathom.InputError)
    assert isinstance(caught.value, fathom.Error)
    with pytest.raises(fathom.Error):
        fathom.Index(tmp_path / "nothing-here")
    with pytest.raises(fathom.InputError, match="id"):
        fathom.IndexWriter(tmp_path / "x").add({"title": "no id"})
    with pytest.raises(fathom.InputError):
        fathom.IndexWriter(tmp_path / "y", language="klingon")


def test_a_damaged_index_is_refused_not_searched(tmp_path):
    path = tmp_path / "index"
    fathom.build(path, documents(200))
    segment = next(p for p in path.iterdir() if p.name.startswith("seg-"))
    postings = segment / "postings.doc"
    data = bytearray(postings.read_bytes())
    data[len(data) // 2] ^= 0x40
    postings.write_bytes(bytes(data))
    sound, problems = fathom.check(path)
    assert not sound and "postings.doc" in problems[0]
    with pytest.raises(fathom.CorruptIndexError):
        index = fathom.Index(path)
        for word in ["common", "even", "rare"] + ["w%d" % i for i in range(53)]:
            index.search(word, k=1000)


def test_add_replace_delete_commit_and_refresh(tmp_path):
    path = tmp_path / "index"
    with fathom.IndexWriter(path) as writer:
        writer.add({"id": "a", "title": "Apple", "body": "red fruit"})
        writer.add({"id": "b", "title": "Banana", "body": "yellow fruit"})
    index = fathom.Index(path)
    assert index.count("fruit") == 2
    writer = fathom.IndexWriter(path)
    writer.add({"id": "a", "title": "Apple", "body": "green fruit"})  # replaces a
    writer.delete("b")
    writer.delete("missing")
    assert (writer.pending_documents, writer.pending_deletions) == (1, 2)
    summary = writer.commit()
    assert summary["added"] == 1 and summary["replaced"] == 1 and summary["deleted"] == 1
    assert summary["not_found"] == ["missing"] and summary["documents"] == 1
    assert index.count("fruit") == 2  # the old snapshot until refresh
    assert index.refresh() and not index.refresh()
    assert index.count("fruit") == 1 and index.count("green") == 1 and index.count("red") == 0
    writer.merge()
    index.refresh()
    assert index.stats()["segments"] == 1 and index.stats()["deleted"] == 0


def test_documents_carry_typed_fields(tmp_path):
    path = tmp_path / "index"
    with fathom.IndexWriter(path) as writer:
        for i in range(20):
            writer.add({"id": f"n{i}", "body": "shared words", "year": 2000 + i,
                        "price": i + 0.25, "kind": "book" if i % 2 else "film",
                        "day": f"2025-03-{i + 1:02d}", "draft": i < 5, "note": None})
    index = fathom.Index(path)
    assert index.count("shared +year:>=2015") == 5
    assert index.count("shared +kind:book +draft:false") == 8  # odd i from 5 to 19
    assert index.count("shared +day:[2025-03-01 TO 2025-03-03]") == 3
    assert index.document("n7").fields == {"year": 2007, "price": 7.25, "kind": "book",
                                          "day": "2025-03-08", "draft": False}
    writer = fathom.IndexWriter(path)
    writer.add({"id": "clash", "body": "shared", "year": "soon"})
    with pytest.raises(fathom.InputError, match="'year'"):
        writer.commit()
    assert fathom.Index(path).count("shared") == 20
    with pytest.raises(fathom.InputError, match="'tags'"):
        writer.add({"id": "x", "tags": ["a", "b"]})


def test_an_exception_in_the_with_block_commits_nothing(tmp_path):
    path = tmp_path / "index"
    fathom.build(path, [{"id": "1", "body": "kept"}])
    with pytest.raises(ZeroDivisionError):
        with fathom.IndexWriter(path) as writer:
            writer.add({"id": "2", "body": "lost"})
            1 / 0
    assert fathom.Index(path).count("lost") == 0
    assert fathom.Index(path).count("kept") == 1


def test_threads_share_an_index(small):
    index = fathom.Index(small)
    queries = ["common w%d" % i for i in range(40)]
    expected = {q: [(h.id, h.score) for h in index.search(q)] for q in queries}
    seen = {}

    def work(part):
        for q in part:
            seen[q] = [(h.id, h.score) for h in index.search(q)]

    threads = [threading.Thread(target=work, args=(queries[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == expected


def test_batch_skips_a_malformed_query_with_a_warning(small):
    index = fathom.Index(small)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answers = index.batch_search({"q1": "rare", "q2": "(rare", "q3": "even"}, syntax=True)
    assert set(answers) == {"q1", "q3"}
    assert any("query q2" in str(w.message) for w in caught)


@pytest.fixture(scope="module")
def cacm(tmp_path_factory):
    assert CACM.exists(), "missing test data: %s" % CACM
    path = tmp_path_factory.mktemp("cacm") / "index"
    summary = fathom.build(path, CACM / "corpus.jsonl.zst")
    assert summary["documents"] > 3000
    return path


def test_trec_run_is_byte_for_byte_fathom_search(cacm, tmp_path):
    queries = dict(
        line.split("\t", 1) for line in (CACM / "queries.tsv").read_text().splitlines() if line
    )
    ours = tmp_path / "python.run"
    answered = fathom.Index(cacm).write_trec_run(queries, ours, threads=2)
    assert answered == len(queries)
    program = subprocess.run(
        [SEARCH_BIN, str(cacm), "--queries", str(CACM / "queries.tsv")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert ours.read_text() == program


def test_evaluate_is_fathom_eval(cacm, tmp_path):
    queries = dict(
        line.split("\t", 1) for line in (CACM / "queries.tsv").read_text().splitlines() if line
    )
    index = fathom.Index(cacm)
    run = index.batch_search(queries, k=1000, threads=2)
    measures = fathom.evaluate(CACM / "qrels.txt", run)
    run_file = tmp_path / "run"
    index.write_trec_run(queries, run_file)
    assert fathom.evaluate(CACM / "qrels.txt", run_file) == measures
    printed = subprocess.run(
        [EVAL_BIN, str(CACM / "qrels.txt"), str(run_file)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    program = {line.split()[0]: line.split()[2] for line in printed.splitlines()}
    for name in ["map", "P_10", "recall_100", "recall_1000", "ndcg_cut_10"]:
        assert "%.4f" % measures[name] == program[name], name
    for name in ["num_ret", "num_rel", "num_rel_ret"]:
        assert str(measures[name]) == program[name], name
    assert measures["ndcg_cut_10"] > 0.4
    assert len(measures["per_query"]) == int(program["num_q"])


SCIFACT = SHARED / "corpora" / "scifact"


def test_scifact_from_memory_gives_fathom_search_run(tmp_path):
    """Issue 12's check: SciFact's train corpus indexed from Python dicts with
    IndexWriter, then batch_search gives the run fathom-search --queries
    gives on the same index: the same ids, the same scores to 4 decimals."""
    import json

    assert SCIFACT.exists(), "missing test data: %s" % SCIFACT
    lines = subprocess.run(
        ["zstd", "-dc", str(SCIFACT / "corpus.jsonl.zst")], check=True, capture_output=True
    ).stdout.decode("utf-8").splitlines()
    path = tmp_path / "index"
    with fathom.IndexWriter(path) as writer:
        assert writer.add_all(json.loads(line) for line in lines) == 5183
    index = fathom.Index(path)
    assert index.stats()["documents"] == 5183
    queries_file = SCIFACT / "queries.train.tsv"
    queries = dict(line.split("\t", 1) for line in queries_file.read_text().splitlines() if line)
    run = index.batch_search(queries, k=1000, threads=2)
    ours = [
        "%s %s %.4f" % (qid, hit.id, hit.score) for qid in queries for hit in run[qid]
    ]
    program = subprocess.run(
        [SEARCH_BIN, str(path), "--queries", str(queries_file)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    theirs = ["%s %s %s" % (f[0], f[2], f[4]) for f in (line.split() for line in program)]
    assert len(ours) == len(theirs) > 100000
    assert ours == theirs


def test_hits_from_a_folder_name_their_file(tmp_path):
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "harbor.txt").write_text("Harbor notes\n\nthe harbor pilots\n")
    (folder / "sub" / "river.html").write_text(
        "<html><title>River</title><body><p>harbor and river</p></body></html>"
    )
    os.utime(folder / "harbor.txt", (0, 1_700_000_000))  # 2023-11-14T22:13:20Z
    fathom.build_from_corpus(folder, tmp_path / "index", threads=1)
    hits = fathom.Index(tmp_path / "index").search("harbor").hits
    files = {hit.id: (hit.file_path, hit.file_size, hit.file_modified) for hit in hits}
    assert files["harbor.txt"] == (
        "harbor.txt",
        (folder / "harbor.txt").stat().st_size,
        "2023-11-14T22:13:20Z",
    )
    assert files["sub/river.html"][0] == "sub/river.html"
    assert files["sub/river.html"][2].endswith("Z")


def test_hits_of_documents_in_memory_have_no_file(small):
    hit = fathom.Index(small).search("rare").hits[0]
    assert (hit.file_path, hit.file_size, hit.file_modified) == ("", 0, "")
