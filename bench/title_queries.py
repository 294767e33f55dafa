#!/usr/bin/env python3
"""Queries as a person types them, from a corpus's document titles.

    bench/title_queries.py CORPUS OUT_PREFIX [--count 301] [--seed 11]

CORPUS is a JSON Lines file (.zst read through `zstd -dc`) with a "title"
field. Picks COUNT distinct titles of one to four words (letters, digits,
spaces and hyphens only), lower-cased, hyphens as spaces, in a seeded
order, and writes them three ways, one 'qid<TAB>query' line each:
OUT_PREFIX-or.tsv (the words), OUT_PREFIX-and.tsv (+word +word) and
OUT_PREFIX-phrase.tsv ("the words"). On Wikipedia passages the titles are
article names ("henry mancini", "october 18", "university of pennsylvania"):
short, mostly rare words with some frequent ones, as the searches people
run on such a collection are; generated queries (fathom-bench
generate-queries) are longer on average and weigh more on frequent words.
See bench/README.md, "Title queries".
"""
import argparse
import json
import random
import subprocess
import sys


def titles(path):
    if path.endswith(".zst"):
        proc = subprocess.Popen(["zstd", "-dc", path], stdout=subprocess.PIPE, text=True)
        stream = proc.stdout
    else:
        proc, stream = None, open(path, encoding="utf-8")
    seen = set()
    for number, line in enumerate(stream, 1):
        try:
            title = json.loads(line).get("title", "")
        except json.JSONDecodeError as error:
            sys.exit(f"{path}: line {number}: not JSON: {error}")
        if title:
            seen.add(title)
    if proc is not None and proc.wait() != 0:
        sys.exit(f"{path}: zstd -dc failed")
    return sorted(seen)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("out_prefix")
    parser.add_argument("--count", type=int, default=301)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    pool = titles(args.corpus)
    random.Random(args.seed).shuffle(pool)
    usable = [t for t in pool
              if 1 <= len(t.split()) <= 4 and all(c.isalnum() or c in " -" for c in t)]
    chosen = usable[:args.count]
    if len(chosen) < args.count:
        sys.exit(f"{args.corpus}: only {len(chosen)} usable titles, {args.count} asked for")
    forms = {"or": lambda w: " ".join(w), "and": lambda w: " ".join("+" + x for x in w),
             "phrase": lambda w: '"' + " ".join(w) + '"'}
    for kind, form in forms.items():
        with open(f"{args.out_prefix}-{kind}.tsv", "w", encoding="utf-8") as out:
            for i, title in enumerate(chosen):
                out.write(f"{kind}-{i}\t{form(title.lower().replace('-', ' ').split())}\n")


if __name__ == "__main__":
    main()
