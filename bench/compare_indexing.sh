#!/usr/bin/env bash
# Indexing at scale, Fathom against Apache Lucene 8 (Debian's liblucene8-java),
# in one run on one generated corpus: issue 4's done-when. See bench/README.md
# ("Indexing at scale vs Lucene").
#
#   bench/compare_indexing.sh BUILD_DIR WORK_DIR
#
# 1. Generates a corpus of at least SIZE_GB GiB of JSON Lines in WORK_DIR
#    (fathom-bench generate-corpus --seed 1), unless it is already there.
# 2. Times three builds of it with /usr/bin/time -v (wall clock, peak resident
#    memory, CPU), each from a cold page cache (or each warm, CACHE=warm):
#      (a) fathom-index --memory MEMORY --threads THREADS
#      (b) Lucene (bench/lucene/LuceneIndexBench.java) with THREADS indexing
#          threads, a RAM buffer of MEMORY and a heap of LUCENE_HEAP_MB,
#          ending with forceMerge(1) and commit
#      (c) fathom-index --memory BIG_MEMORY --threads THREADS (in one go)
# 3. Checks (a) and (c) with fathom-index check, and compares their answers
#    to QUERIES generated queries byte for byte (TREC runs of fathom-search
#    --syntax, and of the same lines read as topics).
# 4. Prints a table and the done-when verdicts; writes indexing.tsv and
#    indexing.json in WORK_DIR. Logs of every step are in WORK_DIR too.
#
# Environment (defaults): SIZE_GB=5 MEMORY=1G THREADS=$(nproc) BIG_MEMORY=16G
# QUERIES=1000 CACHE=cold (drop the page cache before each build: needs root)
# or warm (read the corpus into it before each build); LUCENE_HEAP_MB (twice
# MEMORY); JAVA_OPTS (extra JVM options); DOCS (document count, instead of
# SIZE_GB); CORPUS (a real JSON Lines corpus, uncompressed, instead of the
# generated one: e.g. the wiki passages, zstd -dc'd); LUCENE_DIR=/usr/share/java; ALLOW_OLD_INDEXER=1 runs a
# fathom-index without --memory/--threads (to test this script only).
set -euo pipefail

die() {
  echo "compare_indexing.sh: $*" >&2
  exit 1
}
[ $# -eq 2 ] || die "usage: compare_indexing.sh BUILD_DIR WORK_DIR"
BUILD=$1
WORK=$2
SIZE_GB=${SIZE_GB:-5}
MEMORY=${MEMORY:-1G}
THREADS=${THREADS:-$(nproc)}
BIG_MEMORY=${BIG_MEMORY:-16G}
QUERIES=${QUERIES:-1000}
CACHE=${CACHE:-cold}
LUCENE_DIR=${LUCENE_DIR:-/usr/share/java}
JAVA_OPTS=${JAVA_OPTS:-}
ALLOW_OLD_INDEXER=${ALLOW_OLD_INDEXER:-0}
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH="$BUILD/bench/fathom-bench"
INDEXER="$BUILD/indexer/fathom-index"
SEARCHER="$BUILD/searcher/fathom-search"

# A size as fathom-index reads it (N, NK, NM, NG; powers of 1024) in MiB.
size_mb() {
  local text=$1 number unit
  [[ $text =~ ^([0-9]+)([KkMmGg]?)$ ]] || die "$2: '$text' is not a size like 512M or 1G"
  number=${BASH_REMATCH[1]}
  unit=${BASH_REMATCH[2]}
  case $unit in
    K | k) echo $((number / 1024)) ;;
    M | m) echo "$number" ;;
    G | g) echo $((number * 1024)) ;;
    *) echo $((number / 1048576)) ;;
  esac
}

# Checks, all before the first slow step.
for tool in "$BENCH" "$INDEXER" "$SEARCHER"; do
  [ -x "$tool" ] || die "missing $tool: build Fathom with -DFATHOM_BUILD_BENCH=ON first"
done
[ -x /usr/bin/time ] || die "missing /usr/bin/time: apt-get install time"
command -v javac >/dev/null || die "missing javac: apt-get install default-jdk-headless"
LUCENE_CORE=$(find "$LUCENE_DIR" -maxdepth 1 -name 'lucene-core-8*.jar' | sort | head -1)
LUCENE_ANALYZERS=$(find "$LUCENE_DIR" -maxdepth 1 -name 'lucene-analyzers-common-8*.jar' | sort | head -1)
[[ -n $LUCENE_CORE && -n $LUCENE_ANALYZERS ]] ||
  die "missing lucene-core-8*.jar or lucene-analyzers-common-8*.jar in $LUCENE_DIR: apt-get install liblucene8-java"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS: '$THREADS' is not a thread count"
[[ $QUERIES =~ ^[1-9][0-9]*$ ]] || die "QUERIES: '$QUERIES' is not a query count"
[[ $SIZE_GB =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SIZE_GB: '$SIZE_GB' is not a number of GiB"
MEMORY_MB=$(size_mb "$MEMORY" MEMORY)
size_mb "$BIG_MEMORY" BIG_MEMORY >/dev/null
[ "$MEMORY_MB" -ge 16 ] || die "MEMORY: $MEMORY is below 16M"
LUCENE_HEAP_MB=${LUCENE_HEAP_MB:-$((2 * MEMORY_MB))}
[[ $LUCENE_HEAP_MB =~ ^[0-9]+$ && $LUCENE_HEAP_MB -gt $MEMORY_MB ]] ||
  die "LUCENE_HEAP_MB: '$LUCENE_HEAP_MB' must be a number of MiB above the RAM buffer ($MEMORY_MB)"
case $CACHE in
  cold) [ -w /proc/sys/vm/drop_caches ] ||
    die "CACHE=cold drops the page cache and needs root (/proc/sys/vm/drop_caches); use CACHE=warm" ;;
  warm) ;;
  *) die "CACHE: expected cold or warm, not '$CACHE'" ;;
esac
FATHOM_FLAGS=(--memory "$MEMORY" --threads "$THREADS")
BIG_FLAGS=(--memory "$BIG_MEMORY" --threads "$THREADS")
if ! "$INDEXER" --help | grep -q -- '--memory' || ! "$INDEXER" --help | grep -q -- '--threads'; then
  [ "$ALLOW_OLD_INDEXER" = 1 ] ||
    die "$INDEXER has no --memory/--threads (not issue 4's indexer): build it, or set ALLOW_OLD_INDEXER=1 to test this script without those options"
  echo "compare_indexing.sh: WARNING: $INDEXER has no --memory/--threads; running it without them (a test of the script, not a measurement)" >&2
  FATHOM_FLAGS=()
  BIG_FLAGS=()
fi
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
step() { echo "== $*" >&2; }

# The corpus: the smallest document count whose JSON Lines reach SIZE_GB GiB
# (so the corpus is at least that in GB too), estimated from the first 20,000
# documents (a prefix of every corpus of the same seed) plus 0.5%.
TARGET_BYTES=$(awk -v g="$SIZE_GB" 'BEGIN { printf "%.0f", g * 1073741824 }')
if [ -n "${CORPUS:-}" ]; then
  # A real corpus instead (uncompressed JSON Lines, as both indexers read it).
  [ -f "$CORPUS" ] || die "CORPUS: $CORPUS: no such file"
  case "$CORPUS" in *.zst | *.gz | *.xz | *.bz2) die "CORPUS: $CORPUS: decompress it first (LuceneIndexBench reads plain JSON Lines)" ;; esac
  CORPUS=$(cd "$(dirname "$CORPUS")" && pwd)/$(basename "$CORPUS")
  DOCS=$(grep -c . "$CORPUS") || die "CORPUS: $CORPUS has no lines"
  TARGET_BYTES=0
elif [ -z "${DOCS:-}" ]; then
  SAMPLE="$WORK/sample-20000.jsonl"
  if [ ! -f "$SAMPLE" ]; then
    "$BENCH" generate-corpus --docs 20000 --seed 1 --output "$SAMPLE.partial" 2>"$WORK/sample.err" ||
      die "fathom-bench generate-corpus failed: $(tail -1 "$WORK/sample.err")"
    mv "$SAMPLE.partial" "$SAMPLE"
  fi
  DOCS=$(awk -v t="$TARGET_BYTES" -v s="$(stat -c %s "$SAMPLE")" \
    'BEGIN { d = t / (s / 20000) * 1.005; printf "%d", (d == int(d) ? d : int(d) + 1) }')
else
  [[ $DOCS =~ ^[1-9][0-9]*$ ]] || die "DOCS: '$DOCS' is not a document count"
  TARGET_BYTES=0
fi
CORPUS=${CORPUS:-$WORK/corpus-$DOCS.jsonl}
FATHOM_MEM="$WORK/fathom-memory"
FATHOM_BIG="$WORK/fathom-one-go"
LUCENE_INDEX="$WORK/lucene"

# Disk: the corpus, two Fathom indexes and their runs, the Lucene index and
# its merge: about 4.5 times the corpus (indexes of earlier runs are replaced).
need=$((TARGET_BYTES > 0 ? TARGET_BYTES * 9 / 2 : 0))
[ -f "$CORPUS" ] && need=$((need - $(stat -c %s "$CORPUS")))
for old in "$FATHOM_MEM" "$FATHOM_BIG" "$LUCENE_INDEX"; do
  [ -d "$old" ] && need=$((need - $(du -sb "$old" | cut -f1)))
done
free=$(df --output=avail -B1 "$WORK" | tail -1)
[ "$need" -le "$free" ] ||
  die "$WORK: $((free >> 30)) GiB free, the run needs about $((need >> 30)) GiB more"

if [ ! -f "$CORPUS" ]; then
  step "corpus: $DOCS documents (at least $SIZE_GB GiB)"
  "$BENCH" generate-corpus --docs "$DOCS" --seed 1 --output "$CORPUS.partial" ||
    die "fathom-bench generate-corpus failed (disk full?)"
  mv "$CORPUS.partial" "$CORPUS"
fi
CORPUS_BYTES=$(stat -c %s "$CORPUS")
[ "$CORPUS_BYTES" -ge "$TARGET_BYTES" ] ||
  die "$CORPUS has $CORPUS_BYTES bytes, less than $SIZE_GB GiB: delete it and set DOCS above $DOCS"

step "compiling LuceneIndexBench"
CLASSES="$WORK/lucene-classes"
mkdir -p "$CLASSES"
LUCENE_CP="$LUCENE_CORE:$LUCENE_ANALYZERS"
javac -nowarn -d "$CLASSES" -cp "$LUCENE_CP" "$HERE/lucene/LuceneIndexBench.java" ||
  die "javac failed on $HERE/lucene/LuceneIndexBench.java"

# Before each timed build: the same page cache state for every engine.
prepare_cache() {
  if [ "$CACHE" = cold ]; then
    sync
    echo 3 >/proc/sys/vm/drop_caches
  else
    cat "$CORPUS" >/dev/null
  fi
}

# timed NAME COMMAND...: runs COMMAND under /usr/bin/time -v; its output goes
# to WORK/NAME.out and .err, the figures to WORK/NAME.time.
timed() {
  local name=$1
  shift
  prepare_cache
  echo "$*" >"$WORK/$name.command"
  if ! /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; then
    die "$name failed: $(grep -v '^$' "$WORK/$name.err" | tail -1) (log: $WORK/$name.err)"
  fi
}

# Figures of a timed build: wall seconds, peak RSS in KiB, CPU percent.
wall_seconds() {
  awk -F': ' '/Elapsed \(wall clock\)/ {
      n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"
}
peak_rss_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
cpu_percent() { awk -F': ' '/Percent of CPU this job got/ { sub(/%/, "", $2); print $2 }' "$1"; }
fathom_docs() {
  local docs
  docs=$(sed -n 's/^Indexed \([0-9,]*\) documents.*/\1/p' "$1" | tr -d ,)
  if [ -z "$docs" ]; then
    echo "compare_indexing.sh: no 'Indexed N documents' line in $1: counting the corpus' $DOCS" >&2
    docs=$DOCS
  fi
  echo "$docs"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$FATHOM_MEM" "$LUCENE_INDEX" "$FATHOM_BIG"
step "(a) Fathom, --memory $MEMORY --threads $THREADS"
timed fathom-memory "$INDEXER" "$CORPUS" "$FATHOM_MEM" "${FATHOM_FLAGS[@]}"
step "(b) Lucene, $THREADS threads, RAM buffer $MEMORY_MB MB, heap $LUCENE_HEAP_MB MB"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
timed lucene java "-Xms${LUCENE_HEAP_MB}m" "-Xmx${LUCENE_HEAP_MB}m" $JAVA_OPTS -cp "$LUCENE_CP:$CLASSES" \
  LuceneIndexBench "$CORPUS" "$LUCENE_INDEX" --threads "$THREADS" --ram-buffer-mb "$MEMORY_MB" \
  --json "$WORK/lucene-figures.json"
step "(c) Fathom in one go, --memory $BIG_MEMORY --threads $THREADS"
timed fathom-one-go "$INDEXER" "$CORPUS" "$FATHOM_BIG" "${BIG_FLAGS[@]}"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

step "(d) fathom-index check of both Fathom indexes"
CHECK=sound
for index in "$FATHOM_MEM" "$FATHOM_BIG"; do
  name=$(basename "$index")
  if "$INDEXER" check "$index" >"$WORK/check-$name.out" 2>&1; then
    echo "  $(cat "$WORK/check-$name.out")"
  else
    echo "  $name: NOT SOUND: $(tail -1 "$WORK/check-$name.out")"
    CHECK="NOT SOUND"
  fi
done

step "(d) the same results from both: $QUERIES queries, as query syntax and as topics"
"$BENCH" generate-queries "$FATHOM_MEM" --count "$QUERIES" --seed 7 --output "$WORK/queries.tsv" \
  2>"$WORK/queries.err" || die "fathom-bench generate-queries failed: $(tail -1 "$WORK/queries.err")"
RESULTS=identical
RESULT_LINES=0
for mode in syntax topics; do
  flags=()
  [ "$mode" = syntax ] && flags=(--syntax)
  for index in "$FATHOM_MEM" "$FATHOM_BIG"; do
    run="$WORK/run-$mode-$(basename "$index")"
    "$SEARCHER" "$index" --queries "$WORK/queries.tsv" "${flags[@]}" --threads "$THREADS" \
      --output "$run.trec" 2>"$run.err" || die "fathom-search failed on $index: $(tail -1 "$run.err")"
  done
  a="$WORK/run-$mode-$(basename "$FATHOM_MEM").trec"
  c="$WORK/run-$mode-$(basename "$FATHOM_BIG").trec"
  lines=$(wc -l <"$a")
  RESULT_LINES=$((RESULT_LINES + lines))
  if cmp -s "$a" "$c"; then
    echo "  $mode: identical ($lines result lines, $(cut -d' ' -f1 "$a" | uniq | wc -l) queries with results)"
  else
    # Tell a different order of equal scores from different results.
    if cmp -s <(awk '{ print $1, $3, $5 }' "$a" | sort) <(awk '{ print $1, $3, $5 }' "$c" | sort); then
      why="the same documents and scores, in another order among equal scores"
    else
      why="different documents or scores"
    fi
    echo "  $mode: DIFFERENT ($why; $(cmp "$a" "$c" | head -1))"
    RESULTS=different
  fi
done
# The indexers' own statistics must agree too.
for stat in "distinct terms" postings tokens; do
  x=$(awk -v s="  $stat " 'index($0, s) == 1 { print $NF; exit }' "$WORK/fathom-memory.out")
  y=$(awk -v s="  $stat " 'index($0, s) == 1 { print $NF; exit }' "$WORK/fathom-one-go.out")
  [ "$x" = "$y" ] || { echo "  $stat: $x with --memory $MEMORY, $y in one go: DIFFERENT"; RESULTS=different; }
done

# The table.
LUCENE_VERSION=$(sed -n 's/.*"version": "\([^"]*\)".*/\1/p' "$WORK/lucene-figures.json")
LUCENE_DOCS=$(sed -n 's/.*"documents": \([0-9]*\).*/\1/p' "$WORK/lucene-figures.json")
SOURCE=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
COMMIT=$(git -C "${SOURCE:-$HERE}" describe --always --dirty 2>/dev/null || echo '?')
TSV="$WORK/indexing.tsv"
printf 'engine\tsettings\tdocs\tcorpus_bytes\twall_s\tdocs_per_s\tmb_per_s\tpeak_rss_kb\tcpu_percent\tindex_bytes\n' >"$TSV"
row() { # name settings docs time-file index
  local wall
  wall=$(wall_seconds "$4")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$CORPUS_BYTES" "$wall" \
    "$(awk -v d="$3" -v w="$wall" 'BEGIN { printf "%.0f", d / w }')" \
    "$(awk -v b="$CORPUS_BYTES" -v w="$wall" 'BEGIN { printf "%.2f", b / 1e6 / w }')" \
    "$(peak_rss_kb "$4")" "$(cpu_percent "$4")" "$(du -sb "$5" | cut -f1)" >>"$TSV"
}
old_note=""
[ ${#FATHOM_FLAGS[@]} -eq 0 ] && old_note=" (old indexer: options not applied)"
row fathom "--memory $MEMORY --threads $THREADS$old_note" "$(fathom_docs "$WORK/fathom-memory.out")" \
  "$WORK/fathom-memory.time" "$FATHOM_MEM"
row "lucene-$LUCENE_VERSION" "$THREADS threads, RAM buffer ${MEMORY_MB}M, heap ${LUCENE_HEAP_MB}M" \
  "$LUCENE_DOCS" "$WORK/lucene.time" "$LUCENE_INDEX"
row fathom "--memory $BIG_MEMORY --threads $THREADS$old_note" "$(fathom_docs "$WORK/fathom-one-go.out")" \
  "$WORK/fathom-one-go.time" "$FATHOM_BIG"

echo
echo "Indexing $CORPUS ($DOCS documents, $CORPUS_BYTES bytes), page cache $CACHE before each build"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ { print $2 }') GiB; load $LOAD_BEFORE before, $LOAD_AFTER after"
echo "Fathom $COMMIT; Lucene $LUCENE_VERSION on Java $(sed -n 's/.*"java": "\([^"]*\)".*/\1/p' "$WORK/lucene-figures.json")"
awk -F'\t' '{ line[NR] = $0; if (length($2) > width) width = length($2) }
  END {
    for (i = 1; i <= NR; i++) {
      split(line[i], f, "\t")
      if (i == 1) {
        printf "%-14s %-" width "s %10s %7s %9s %9s %7s %10s %5s %10s\n", "engine", "settings", "docs",
          "GB read", "wall s", "docs/s", "MB/s", "peak RSS", "CPU", "index"
      } else {
        printf "%-14s %-" width "s %10s %7.2f %9.1f %9s %7.2f %7.0f MB %4s%% %7.0f MB\n", f[1], f[2], f[3],
          f[4] / 1e9, f[5], f[6], f[7], f[8] * 1024 / 1e6, f[9], f[10] / 1e6
      }
    }
  }' "$TSV"
echo "Lucene's own figures: $(cat "$WORK/lucene.out")"
# Both engines did the same analysis when they made the same terms.
lucene_field() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$WORK/lucene-figures.json"; }
summary_figure() { awk -v s="  $1 " 'index($0, s) == 1 { gsub(",", "", $NF); print $NF; exit }' "$WORK/fathom-memory.out"; }
F_TOKENS=$(summary_figure tokens)
F_TERMS=$(summary_figure "distinct terms")
L_TOKENS=$(lucene_field tokens)
L_TERMS=$(($(lucene_field text_terms) + $(lucene_field title_terms)))
ANALYSIS=different
[[ $F_TOKENS == "$L_TOKENS" && $F_TERMS == "$L_TERMS" ]] && ANALYSIS=same
echo "Analysis: Fathom ${F_TOKENS:-?} tokens, ${F_TERMS:-?} distinct terms (words and title: terms);" \
  "Lucene $L_TOKENS tokens, $L_TERMS terms (text and title fields): $ANALYSIS"

# The done-when of issue 4, for the --memory build.
FATHOM_WALL=$(awk -F'\t' 'NR == 2 { print $5 }' "$TSV")
LUCENE_WALL=$(awk -F'\t' 'NR == 3 { print $5 }' "$TSV")
RSS_KB=$(peak_rss_kb "$WORK/fathom-memory.time")
CPU=$(cpu_percent "$WORK/fathom-memory.time")
verdict() { if [ "$1" = yes ]; then echo "yes"; else echo "NO"; fi; }
RSS_OK=$(awk -v k="$RSS_KB" 'BEGIN { print (k * 1024 < 1.5e9 ? "yes" : "no") }')
CPU_OK=$(awk -v c="$CPU" -v t="$THREADS" 'BEGIN { print (t >= 2 && c > 150 ? "yes" : "no") }')
SPEED=$(awk -v f="$FATHOM_WALL" -v l="$LUCENE_WALL" 'BEGIN { printf "%.2f", l / f }')
SPEED_OK=$(awk -v s="$SPEED" 'BEGIN { print (s > 1 ? "yes" : "no") }')
SAME_OK=no
[[ $RESULTS == identical && $CHECK == sound ]] && SAME_OK=yes
SIZE_OK=$(awk -v b="$CORPUS_BYTES" 'BEGIN { print (b >= 5e9 ? "yes" : "no") }')
echo
echo "Done-when of issue 4 (the --memory $MEMORY build):"
echo "  corpus of at least 5 GB:            $(verdict "$SIZE_OK") ($(awk -v b="$CORPUS_BYTES" 'BEGIN { printf "%.2f GB, %.2f GiB", b / 1e9, b / 1073741824 }'))"
echo "  peak RSS under 1.5 GB:              $(verdict "$RSS_OK") ($(awk -v k="$RSS_KB" 'BEGIN { printf "%.0f MB = %.2f GiB", k * 1024 / 1e6, k / 1048576 }'))"
echo "  both cores used (CPU above 150%):   $(verdict "$CPU_OK") ($CPU%)"
echo "  same results as the one-go build:   $(verdict "$SAME_OK") (results $RESULTS, $RESULT_LINES lines; indexes $CHECK)"
echo "  faster than Lucene, same threads:   $(verdict "$SPEED_OK") (Lucene wall / Fathom wall = $SPEED)"
[ -z "$old_note" ] || echo "  (the indexer had no --memory/--threads: this run only tests the script)"

{
  printf '{\n  "corpus": "%s", "documents": %s, "corpus_bytes": %s, "cache": "%s",\n' \
    "$CORPUS" "$DOCS" "$CORPUS_BYTES" "$CACHE"
  printf '  "cores": %s, "threads": %s, "memory": "%s", "big_memory": "%s", "fathom_commit": "%s",\n' \
    "$(nproc)" "$THREADS" "$MEMORY" "$BIG_MEMORY" "$COMMIT"
  printf '  "load_before": "%s", "load_after": "%s",\n  "runs": [\n' "$LOAD_BEFORE" "$LOAD_AFTER"
  awk -F'\t' 'NR > 1 { printf "%s    {\"engine\": \"%s\", \"settings\": \"%s\", \"docs\": %s, \"wall_s\": %s, \"docs_per_s\": %s, \"mb_per_s\": %s, \"peak_rss_kb\": %s, \"cpu_percent\": %s, \"index_bytes\": %s}",
      (NR > 2 ? ",\n" : ""), $1, $2, $3, $5, $6, $7, $8, $9, $10 } END { print "" }' "$TSV"
  printf '  ],\n  "lucene": %s,\n' "$(cat "$WORK/lucene-figures.json")"
  printf '  "results": "%s", "result_lines": %s, "check": "%s", "analysis": "%s",\n' "$RESULTS" \
    "$RESULT_LINES" "$CHECK" "$ANALYSIS"
  printf '  "done_when": {"size": "%s", "rss": "%s", "cpu": "%s", "same_results": "%s", "faster_than_lucene": "%s", "speedup": %s}\n}\n' \
    "$SIZE_OK" "$RSS_OK" "$CPU_OK" "$SAME_OK" "$SPEED_OK" "$SPEED"
} >"$WORK/indexing.json"
echo
echo "Figures: $TSV and $WORK/indexing.json; logs: $WORK/*.err, *.time"
