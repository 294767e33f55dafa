#!/usr/bin/env bash
# What a query costs a user's `fathom-search` process: one process per
# query kind reads the kind's queries once from a cold start, less start-up.
# compare_lucene.sh sources it for its "F process" rows, and LuceneBench
# --interleave runs it for each round of the interleaved comparison.
#
# Environment: SEARCHER, INDEX and KIND_DIR (a file KIND.tsv per kind, and
# an empty empty.tsv), absolute paths when LuceneBench runs it; PIN, when
# sourced, a command each process is run under (taskset -c CPU).
# Run as a command, with MODE (top10, count, ...) and KIND set: prints the
# kind's microseconds a query, start-up taken as the fastest of three
# processes on the empty file (an outlier there would otherwise make
# Fathom look faster).

# Sets search_mode to fathom-search's options for a mode; fails for a mode
# it has none for.
set_search_mode() {
  case $1 in
    count) search_mode=(--count) ;;
    top*) search_mode=(-k "${1#top}") ;;
    *) return 1 ;;
  esac
}

# query file: the wall time, in nanoseconds, of one process answering it in
# the mode set_search_mode set (a failed query still counts: it is timed).
process_nanoseconds() {
  local start end
  start=$(date +%s%N)
  ${PIN[@]+"${PIN[@]}"} "$SEARCHER" "$INDEX" --queries "$1" --syntax "${search_mode[@]}" \
    >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $((end - start))
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  set_search_mode "${MODE:?}" || { echo "no fathom-search mode for $MODE" >&2; exit 1; }
  file="$KIND_DIR/${KIND:?}.tsv"
  [ -s "$file" ] || { echo "no queries of kind $KIND in $KIND_DIR" >&2; exit 1; }
  empty=$(for _ in 1 2 3; do process_nanoseconds "$KIND_DIR/empty.tsv"; done | sort -n | head -1)
  kind=$(process_nanoseconds "$file")
  awk -v k="$kind" -v e="$empty" -v n="$(wc -l <"$file")" 'BEGIN { printf "%.1f\n", (k - e) / 1000 / n }'
fi
