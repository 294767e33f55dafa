#!/usr/bin/env bash
# What `fathom-index sync` costs against a fresh build, and a check that the
# two answer alike.
#
#   bash bench/sync_folder.sh BUILD_DIR [FOLDER] [SCRATCH]
#
# FOLDER (default /usr/share/doc) is copied into SCRATCH (default a new
# temporary folder) with its times, so that the test can change files
# without touching the original. It then:
#   1. builds the index with `sync` (no index yet: a fresh build), timed;
#   2. runs `sync` three times with nothing changed, timed;
#   3. adds two files, edits one, removes two and touches five, then syncs;
#   4. builds the changed copy afresh, and compares the two indexes' runs of
#      500 generated queries (`fathom-bench generate-queries --seed 3`) and
#      their segment files byte for byte (all but `meta` and `store`, whose
#      creation time and block boundaries differ by construction).
# Times are wall seconds from /usr/bin/time; nothing else should run.
set -euo pipefail
build="$1"
folder="${2:-/usr/share/doc}"
scratch="${3:-$(mktemp -d)}"
index="$build/indexer/fathom-index"
search="$build/searcher/fathom-search"
copy="$scratch/folder"
mkdir -p "$scratch"
rm -rf "$copy" "$scratch/synced" "$scratch/fresh"
cp -a "$folder" "$copy"
timed() { /usr/bin/time -f "  %e s wall, peak %M KB" "$@"; }

echo "== first sync (no index: a fresh build) of $folder"
timed "$index" sync "$copy" "$scratch/synced" -q | sed -n 1,2p
echo "== sync, nothing changed (3 runs)"
for _ in 1 2 3; do timed "$index" sync "$copy" "$scratch/synced" -q; done

echo "== sync after 2 files added, 1 edited, 2 removed, 5 touched"
mapfile -t files < <(cd "$copy" && find . -type f -name 'copyright' | sort | sed 's|^\./||')
echo "a new note about rivers and harbors" >"$copy/sync-new-note.txt"
mkdir -p "$copy/sync-new"
echo "<html><title>Fresh page</title><body><p>harbor lights</p></body></html>" \
  >"$copy/sync-new/page.html"
echo "an edited line" >>"$copy/${files[3]}"
rm "$copy/${files[8]}" "$copy/${files[19]}"
for i in 29 30 31 32 33; do touch "$copy/${files[$i]}"; done
timed "$index" sync "$copy" "$scratch/synced" -q

echo "== fresh build of the changed folder"
timed "$index" "$copy" "$scratch/fresh" -q | sed -n 1p

echo "== the two indexes compared"
"$build/bench/fathom-bench" generate-queries "$scratch/fresh" --count 500 --seed 3 \
  --output "$scratch/queries.tsv" >/dev/null
for name in synced fresh; do
  "$search" "$scratch/$name" --queries "$scratch/queries.tsv" --syntax -k 10 --tag t \
    --output "$scratch/$name.run"
done
echo "  $(wc -l <"$scratch/synced.run") result lines for 500 queries"
cmp "$scratch/synced.run" "$scratch/fresh.run" && echo "  runs identical"
for file in terms.dict postings.doc postings.pos doclens docids minhash sources; do
  cmp "$scratch/synced"/seg-*/"$file" "$scratch/fresh"/seg-*/"$file"
done
echo "  segment files identical (terms.dict postings.doc postings.pos doclens docids minhash sources)"
