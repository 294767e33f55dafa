#!/usr/bin/env bash
# Fathom against Apache Lucene 8 (Debian's liblucene8-java) on the same
# corpus, the same analyzed terms and the same queries, in one run, with the
# ratio Fathom/Lucene per query kind. See bench/README.md ("Fathom vs Lucene").
#
#   bench/compare_lucene.sh BUILD_DIR WORK_DIR
#
# By default on a generated corpus; on real text with CORPUS (a JSON Lines
# file, .zst allowed) and, optionally, QUERY_FILE (qid<TAB>query lines in the
# query language), for example:
#   CORPUS=../shared/corpora/wiki/corpus.jsonl.zst bench/compare_lucene.sh build /tmp/cmp-wiki
# Environment (defaults): DOCS=1000000 QUERIES=1000 RUNS=3 MODES=top10,top100,count
# THREADS=1,<nproc> WARMUP_QUERIES=20000 LUCENE_JAR=/usr/share/java/lucene-core-8*.jar
# JAVA_OPTS="-Xms4g -Xmx4g". Steps whose output already exists in WORK_DIR are
# skipped (delete a file to redo its step), so the slow ones (corpus, both
# indexes) are done once.
set -euo pipefail

BUILD=${1:?usage: compare_lucene.sh BUILD_DIR WORK_DIR}
WORK=${2:?usage: compare_lucene.sh BUILD_DIR WORK_DIR}
DOCS=${DOCS:-1000000}
QUERIES=${QUERIES:-1000}
RUNS=${RUNS:-3}
MODES=${MODES:-top10,top100,count}
THREADS=${THREADS:-1,$(nproc)}
WARMUP_QUERIES=${WARMUP_QUERIES:-20000}
LUCENE_JAR=${LUCENE_JAR:-$(ls /usr/share/java/lucene-core-8*.jar 2>/dev/null | head -1)}
JAVA_OPTS=${JAVA_OPTS:--Xms4g -Xmx4g}
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH="$BUILD/bench/fathom-bench"
INDEXER="$BUILD/indexer/fathom-index"

for tool in "$BENCH" "$INDEXER"; do
  [ -x "$tool" ] || { echo "missing $tool: build Fathom first (cmake --build $BUILD)" >&2; exit 1; }
done
[ -f "$LUCENE_JAR" ] || { echo "missing $LUCENE_JAR: apt-get install liblucene8-java" >&2; exit 1; }
command -v javac >/dev/null || { echo "missing javac: apt-get install default-jdk-headless" >&2; exit 1; }
mkdir -p "$WORK"
step() { echo "== $*" >&2; }

if [ -n "${CORPUS:-}" ]; then
  [ -f "$CORPUS" ] || { echo "CORPUS=$CORPUS: no such file" >&2; exit 1; }
  NAME=$(basename "$(dirname "$CORPUS")")-$(basename "$CORPUS" | sed 's/\..*//')
else
  NAME=$DOCS
  CORPUS="$WORK/corpus-$DOCS.jsonl"
  [ -f "$CORPUS" ] || { step "corpus: $DOCS documents"; "$BENCH" generate-corpus --docs "$DOCS" --seed 1 --output "$CORPUS"; }
fi
INDEX="$WORK/fathom-$NAME"
LUCENE_INDEX="$WORK/lucene-$NAME"
# An index is there when its manifest is (docs/FORMAT.md, "Index folder").
[ -f "$INDEX/manifest" ] || { step "Fathom index"; "$INDEXER" "$CORPUS" "$INDEX"; }
if [ -z "${QUERY_FILE:-}" ]; then
  QUERY_FILE="$WORK/queries-$NAME-$QUERIES.tsv"
  [ -f "$QUERY_FILE" ] || { step "queries"; "$BENCH" generate-queries "$INDEX" --count "$QUERIES" --seed 7 --output "$QUERY_FILE"; }
fi
QUERIES_ANALYZED="$WORK/$(basename "$QUERY_FILE" .tsv).analyzed"
[ -f "$WORK/docs-$NAME.analyzed" ] || { step "analyzed documents (Fathom's terms, for Lucene)";
  "$BENCH" analyze "$INDEX" --corpus "$CORPUS" --output "$WORK/docs-$NAME.analyzed"; }
"$BENCH" analyze "$INDEX" --queries "$QUERY_FILE" --output "$QUERIES_ANALYZED"

CLASSES="$WORK/lucene-classes"
mkdir -p "$CLASSES"
javac -nowarn -d "$CLASSES" -cp "$LUCENE_JAR" "$HERE/lucene/LuceneBench.java"
# shellcheck disable=SC2086
[ -f "$LUCENE_INDEX/segments_1" ] || ls "$LUCENE_INDEX"/segments_* >/dev/null 2>&1 || {
  step "Lucene index"; java $JAVA_OPTS -cp "$LUCENE_JAR:$CLASSES" LuceneBench index \
    "$WORK/docs-$NAME.analyzed" "$LUCENE_INDEX"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
step "Fathom (auto), modes $MODES, threads $THREADS"
"$BENCH" queries "$INDEX" "$QUERY_FILE" --modes "$MODES" --threads "$THREADS" --runs "$RUNS" \
  --warmup 2 --results "$WORK/fathom-results.tsv" --json "$WORK/fathom.json" | tee "$WORK/fathom.txt"
step "Fathom (exhaustive, the unpruned baseline), top10, 1 thread"
"$BENCH" queries "$INDEX" "$QUERY_FILE" --modes top10 --algorithm exhaustive,maxscore,bmw \
  --threads 1 --runs "$RUNS" --warmup 1 --json "$WORK/fathom-algorithms.json" | tee "$WORK/fathom-algorithms.txt"
step "Lucene, modes $MODES, threads $THREADS"
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$LUCENE_JAR:$CLASSES" LuceneBench search "$LUCENE_INDEX" \
  "$QUERIES_ANALYZED" --modes "$MODES" --threads "$THREADS" --runs "$RUNS" \
  --warmup-queries "$WARMUP_QUERIES" --compare "$WORK/fathom-results.tsv" \
  --json "$WORK/lucene.json" | tee "$WORK/lucene.txt"

# field(line, name): a value of the one-object-per-line JSON fathom-bench
# and LuceneBench write, for the awk programs below.
JSON_FIELD='
  function field(line, name,   m) {
    if (match(line, "\"" name "\": \"?[^,\"}]*")) {
      m = substr(line, RSTART, RLENGTH); sub(/^[^:]*: "?/, "", m); return m
    }
    return ""
  }
'

# One row per (mode, threads, kind): both engines and the ratio of mean
# latencies (below 1: Fathom is faster).
echo
echo "Fathom vs Lucene (latency in microseconds; ratio = Fathom mean / Lucene mean)"
awk "$JSON_FIELD"'
  /"kind"/ {
    key = field($0, "mode") " " field($0, "threads") " " field($0, "kind")
    algorithm = field($0, "algorithm")
    if (FILENAME ~ /fathom.json$/ && algorithm != "auto") next
    engine = FILENAME ~ /lucene.json$/ ? "L" : "F"
    mean[engine, key] = field($0, "mean_us"); p50[engine, key] = field($0, "p50_us")
    p99[engine, key] = field($0, "p99_us"); qps[engine, key] = field($0, "qps")
    if (engine == "F") order[++n] = key
  }
  END {
    printf "%-7s %3s %-7s | %9s %9s %9s %8s | %9s %9s %9s %8s | %6s\n", "mode", "thr", "kind",
      "F mean", "F p50", "F p99", "F QPS", "L mean", "L p50", "L p99", "L QPS", "F/L"
    for (i = 1; i <= n; i++) {
      key = order[i]; split(key, part, " ")
      if (!(("L", key) in mean)) continue
      printf "%-7s %3s %-7s | %9.1f %9.1f %9.1f %8.0f | %9.1f %9.1f %9.1f %8.0f | %6.2f\n",
        part[1], part[2], part[3], mean["F", key], p50["F", key], p99["F", key], qps["F", key],
        mean["L", key], p50["L", key], p99["L", key], qps["L", key], mean["F", key] / mean["L", key]
    }
  }' "$WORK/fathom.json" "$WORK/lucene.json" | tee "$WORK/comparison.txt"

echo
echo "Pruning vs exhaustive (top10, 1 thread; speedup = exhaustive mean / algorithm mean)"
awk "$JSON_FIELD"'
  /"kind"/ && field($0, "mode") == "top10" && field($0, "threads") == "1" {
    a = field($0, "algorithm"); k = field($0, "kind"); mean[a, k] = field($0, "mean_us")
    if (!(k in seen)) { seen[k] = 1; kinds[++n] = k }
  }
  END {
    printf "%-7s %12s %12s %12s %12s %9s %9s %9s\n", "kind", "exhaustive", "maxscore", "bmw", "auto",
      "x maxsc", "x bmw", "x auto"
    for (i = 1; i <= n; i++) {
      k = kinds[i]
      printf "%-7s %12.1f %12.1f %12.1f %12.1f %9.1f %9.1f %9.1f\n", k, mean["exhaustive", k],
        mean["maxscore", k], mean["bmw", k], mean["auto", k], mean["exhaustive", k] / mean["maxscore", k],
        mean["exhaustive", k] / mean["bmw", k], mean["exhaustive", k] / mean["auto", k]
    }
  }' "$WORK/fathom-algorithms.json" "$WORK/fathom.json" | tee "$WORK/pruning.txt"
