"""Fathom full-text search from Python.

    import fathom

    with fathom.IndexWriter("idx") as writer:
        writer.add({"id": "1", "title": "Hello", "body": "Hello, world"})

    index = fathom.Index("idx")
    for hit in index.search("hello"):
        print(hit.id, hit.score, hit.title, hit.snippet)

Everything runs in the C++ engine (the same code as fathom-index and
fathom-search); long calls release the GIL.
"""

from ._fathom import (  # noqa: F401
    CorruptIndexError,
    Document,
    Error,
    FormatVersionError,
    Hit,
    HitList,
    Index,
    IndexWriter,
    InputError,
    IoError,
    QuerySyntaxError,
    Results,
    build_from_corpus,
    check,
    evaluate,
)


def build(index, source, **options):
    """Build a fresh index at `index` from `source`: a corpus path (a folder
    of files or a JSON Lines file) or an iterable of document dicts. Options
    are IndexWriter's (language, stop_words, threads, memory). Returns what
    the commit did."""
    import os

    if isinstance(source, (str, bytes, os.PathLike)):
        return build_from_corpus(source, index, **options)
    writer = IndexWriter(index, **options)
    writer.add_all(source)
    return writer.commit()


__all__ = [
    "CorruptIndexError",
    "Document",
    "Error",
    "FormatVersionError",
    "Hit",
    "HitList",
    "Index",
    "IndexWriter",
    "InputError",
    "IoError",
    "QuerySyntaxError",
    "Results",
    "build",
    "build_from_corpus",
    "check",
    "evaluate",
]
