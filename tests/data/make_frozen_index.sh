#!/usr/bin/env bash
# Makes the frozen index of the current format version that
# tests/integration/test_old_indexes.cpp opens, and the answers it must give:
#   bash tests/data/make_frozen_index.sh [BUILD]     (BUILD: the build folder, default build)
# Run it once per format version, from the repository root, and commit
# tests/data/index-vN/ with tests/data/index-vN.run. Never regenerate an old
# version's folder: it stands for the indexes users already have. Later
# builds must open it and answer exactly as recorded, or refuse it with an
# error that names both format versions.
#
# tests/data/index-v3 predates this script: it was made by the same steps
# with the build of commit c874519 (format version 3), and has no .run file,
# since every later build refuses it.
#
# The corpus is synthetic (fathom-bench generate-corpus, seeded), so no
# third-party text enters the repository. The index has two segments and a
# deletion file, so every kind of file is there; since version 5 a third
# segment comes from a folder (a text file and a TREC SGML file written
# here), so that its `sources` file lists files; since version 9 a fourth
# holds typed fields (since version 10, two of them without every use; since
# version 12, a record of word pairs).
set -euo pipefail
build="${1:-build}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
version="$(sed -n 's/^inline constexpr std::uint32_t kFormatVersion = \([0-9]*\);/\1/p' common/format/format.hpp)"
out="tests/data/index-v$version"
if [ -e "$out" ]; then
  echo "$out exists: a frozen index is never regenerated" >&2
  exit 1
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$build/bench/fathom-bench" generate-corpus --docs 80 --seed 4 --output "$scratch/all.jsonl" >/dev/null
head -n 60 "$scratch/all.jsonl" >"$scratch/first.jsonl"
tail -n 20 "$scratch/all.jsonl" >"$scratch/second.jsonl"
"$build/indexer/fathom-index" "$scratch/first.jsonl" "$out" --threads 1 >/dev/null
"$build/indexer/fathom-index" add "$out" "$scratch/second.jsonl" --threads 1 >/dev/null
"$build/indexer/fathom-index" delete "$out" d3 d61 >/dev/null
mkdir -p "$scratch/folder/sub"
printf 'Frozen folder note\n\nA plain text file kept in a folder, read by a folder build.\n' \
  >"$scratch/folder/note.txt"
printf '<DOC>\n<DOCNO> frozen-1 </DOCNO>\n<TEXT>\nfirst frozen record\n</TEXT>\n</DOC>\n<DOC>\n<DOCNO> frozen-2 </DOCNO>\n<TEXT>\nsecond frozen record\n</TEXT>\n</DOC>\n' \
  >"$scratch/folder/sub/records.trec"
"$build/indexer/fathom-index" add "$out" "$scratch/folder" --threads 1 >/dev/null
# Since version 9, typed fields: JSON members of every type, besides the
# folder documents' metadata.
printf '%s\n' \
  '{"id": "typed-1", "body": "typed frozen record", "year": 2001, "published": "2025-02-22", "kind": "memo", "draft": true, "weight": 1.5}' \
  '{"id": "typed-2", "body": "typed frozen record two", "year": 2012, "published": "2024-12-31T23:00:00Z", "kind": "letter", "draft": false, "weight": -3}' \
  >"$scratch/typed.jsonl"
# Since version 12, word pairs: a record whose pair words ("of the", "in
# the") stand side by side, which frozen_queries.tsv's phrases match.
printf '%s\n' \
  '{"id": "paired-1", "body": "the record of the frozen index in the folder of the run"}' \
  >>"$scratch/typed.jsonl"
# Since version 10, a schema takes uses away from two of them.
printf '%s\n' '{"kind": {"type": "keyword", "stored": false}, "weight": {"type": "float", "sortable": false}}' \
  >"$scratch/schema.json"
"$build/indexer/fathom-index" add "$out" "$scratch/typed.jsonl" --threads 1 \
  --schema "$scratch/schema.json" >/dev/null
rm -f "$out/lock"
"$build/indexer/fathom-index" check "$out"
"$build/searcher/fathom-search" "$out" --queries tests/data/frozen_queries.tsv --syntax -k 10 \
  --tag frozen --output "tests/data/index-v$version.run"
echo "made $out and tests/data/index-v$version.run"
