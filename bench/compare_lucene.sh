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
# Environment (defaults): DOCS=1000000 QUERIES=1000 RUNS=3 ROUNDS=15 MODES=top10,top100,count
# THREADS=1,<nproc> WARMUP_QUERIES=50000 LUCENE_JAR=/usr/share/java/lucene-core-8*.jar
# JAVA_OPTS="-Xms4g -Xmx4g" CPU= (a taskset CPU list, such as 0: every timed
# step of both engines runs on those CPUs only; on a machine whose cores run
# at different speeds, as shared virtual machines' do, an unpinned ratio
# depends on where each engine was scheduled). Steps whose output already exists in WORK_DIR are
# skipped (delete a file to redo its step), so the slow ones (corpus, both
# indexes) are done once. ROUNDS: rounds of the interleaved comparison of
# what users run (0: none), which times both engines on one query kind
# seconds apart, round after round, and takes the median of the rounds'
# ratios: on a machine whose speed drifts between minutes, as shared
# virtual machines' does, ratios of steps run minutes apart drift with it.
set -euo pipefail

BUILD=${1:?usage: compare_lucene.sh BUILD_DIR WORK_DIR}
WORK=${2:?usage: compare_lucene.sh BUILD_DIR WORK_DIR}
DOCS=${DOCS:-1000000}
QUERIES=${QUERIES:-1000}
RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-15}
MODES=${MODES:-top10,top100,count}
THREADS=${THREADS:-1,$(nproc)}
# Lucene's means still fall between 20,000 and 50,000 warm-up queries on
# this VM (bench/README.md, "Warm JVM"): fewer would time a JVM still compiling.
WARMUP_QUERIES=${WARMUP_QUERIES:-50000}
LUCENE_JAR=${LUCENE_JAR:-$(ls /usr/share/java/lucene-core-8*.jar 2>/dev/null | head -1)}
JAVA_OPTS=${JAVA_OPTS:--Xms4g -Xmx4g}
CPU=${CPU:-}
PIN=()
[ -z "$CPU" ] || PIN=(taskset -c "$CPU")
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH="$BUILD/bench/fathom-bench"
INDEXER="$BUILD/indexer/fathom-index"
SEARCHER="$BUILD/searcher/fathom-search"

for tool in "$BENCH" "$INDEXER" "$SEARCHER"; do
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

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), timed steps on CPUs ${CPU:-any}"
step "Fathom (auto), modes $MODES, threads $THREADS"
"${PIN[@]}" "$BENCH" queries "$INDEX" "$QUERY_FILE" --modes "$MODES" --threads "$THREADS" --runs "$RUNS" \
  --warmup 2 --results "$WORK/fathom-results.tsv" --json "$WORK/fathom.json" | tee "$WORK/fathom.txt"
step "Fathom (exhaustive, the unpruned baseline), top10, 1 thread"
"${PIN[@]}" "$BENCH" queries "$INDEX" "$QUERY_FILE" --modes top10 --algorithm exhaustive,maxscore,bmw \
  --threads 1 --runs "$RUNS" --warmup 1 --json "$WORK/fathom-algorithms.json" | tee "$WORK/fathom-algorithms.txt"
# The queries of each kind, one file each, for the fathom-search processes.
KIND_DIR="$WORK/queries-by-kind"
mkdir -p "$KIND_DIR"
rm -f "$KIND_DIR"/*.tsv
awk -F'\t' -v dir="$KIND_DIR" '{ kind = $1; sub(/-[0-9]+$/, "", kind); print > (dir "/" kind ".tsv") }' \
  "$QUERY_FILE"
: >"$KIND_DIR/empty.tsv"
# The interleaved comparison runs fathom_process.sh once a round, from the
# JVM: absolute paths.
export SEARCHER INDEX KIND_DIR
SEARCHER=$(realpath "$SEARCHER")
INDEX=$(realpath "$INDEX")
KIND_DIR=$(realpath "$KIND_DIR")
# shellcheck source=bench/fathom_process.sh
source "$HERE/fathom_process.sh"
INTERLEAVE=()
if [ "$ROUNDS" -gt 0 ]; then
  INTERLEAVE=(--interleave "bash $HERE/fathom_process.sh" --rounds "$ROUNDS"
    --interleave-json "$WORK/interleaved.json")
fi
step "Lucene, modes $MODES, threads $THREADS"
# shellcheck disable=SC2086
"${PIN[@]}" java $JAVA_OPTS -cp "$LUCENE_JAR:$CLASSES" LuceneBench search "$LUCENE_INDEX" \
  "$QUERIES_ANALYZED" --modes "$MODES" --threads "$THREADS" --runs "$RUNS" \
  --warmup-queries "$WARMUP_QUERIES" --compare "$WORK/fathom-results.tsv" \
  --json "$WORK/lucene.json" "${INTERLEAVE[@]}" | tee "$WORK/lucene.txt"
# What `fathom-search INDEX --queries Q --syntax -k N` (or --count) runs:
# AnswerBatch, TREC output, no match counting for ranked queries.
for mode in ${MODES//,/ }; do
  case $mode in
    count) batch_mode=(--count 1) ;;
    top*) batch_mode=(--k "${mode#top}") ;;
    *) continue ;;
  esac
  step "Fathom's batch path, $mode, 1 thread"
  "${PIN[@]}" "$BENCH" batch "$INDEX" "$QUERY_FILE" --syntax 1 "${batch_mode[@]}" --threads 1 \
    --warmup 1 --runs "$RUNS" --kinds 1 --json "$WORK/fathom-batch-$mode.json" |
    tee "$WORK/fathom-batch-$mode.txt"
done

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

# What a user's process pays as well: one `fathom-search` process per kind
# and mode reads its queries once, from a cold start (pages mapped,
# verified and cached on first use). Start-up is taken out as the same
# command's time on an empty query file; each figure is the median of RUNS.
step "fathom-search processes, one per kind and mode, $RUNS times each"
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >"$WORK/fathom-process.tsv"
for mode in ${MODES//,/ }; do
  set_search_mode "$mode" || continue
  for file in "$KIND_DIR"/*.tsv; do
    kind=$(basename "$file" .tsv)
    [ "$kind" = empty ] && continue
    empty_times="" kind_times=""
    for _ in $(seq "$RUNS"); do
      empty_times+=" $(process_nanoseconds "$KIND_DIR/empty.tsv")"
      kind_times+=" $(process_nanoseconds "$file")"
    done
    queries=$(wc -l <"$file")
    empty_median=$(echo "$empty_times" | median)
    kind_median=$(echo "$kind_times" | median)
    printf '%s\t%s\t%s\t%s\n' "$mode" "$kind" "$queries" \
      "$(awk -v k="$kind_median" -v e="$empty_median" -v n="$queries" 'BEGIN { printf "%.1f", (k - e) / 1000 / n }')" \
      >>"$WORK/fathom-process.tsv"
  done
done

echo
echo "What users run vs Lucene, 1 thread, mean microseconds a query. F batch: fathom-bench batch"
echo "(AnswerBatch, warm: after a warm-up batch); F process: one fathom-search process per kind,"
echo "its queries read once from a cold start, less an empty run's time (median of RUNS)"
for mode in ${MODES//,/ }; do
  [ -f "$WORK/fathom-batch-$mode.json" ] || continue
  awk -v mode="$mode" "$JSON_FIELD"'
    FILENAME ~ /lucene.json$/ && /"kind"/ && field($0, "mode") == mode && field($0, "threads") == "1" {
      lucene[field($0, "kind")] = field($0, "mean_us")
    }
    FILENAME ~ /fathom-process.tsv$/ {
      split($0, column, "\t")
      if (column[1] == mode) process[column[2]] = column[4]
    }
    FILENAME !~ /lucene.json$/ && /"kind"/ && field($0, "threads") == "1" {
      kind = field($0, "kind"); order[++n] = kind
      batch[kind] = field($0, "batch_ms") * 1000 / field($0, "count")
    }
    END {
      if (mode == "'"${MODES%%,*}"'") {
        printf "%-7s %-7s | %9s %6s | %9s %6s | %9s\n", "mode", "kind", "F batch", "F/L",
          "F process", "F/L", "L mean"
      }
      for (i = 1; i <= n; i++) {
        kind = order[i]
        if (!(kind in lucene)) continue
        if (kind in process) {
          printf "%-7s %-7s | %9.1f %6.2f | %9.1f %6.2f | %9.1f\n", mode, kind, batch[kind],
            batch[kind] / lucene[kind], process[kind], process[kind] / lucene[kind], lucene[kind]
        } else {
          printf "%-7s %-7s | %9.1f %6.2f | %9s %6s | %9.1f\n", mode, kind, batch[kind],
            batch[kind] / lucene[kind], "-", "-", lucene[kind]
        }
      }
    }' "$WORK/lucene.json" "$WORK/fathom-process.tsv" "$WORK/fathom-batch-$mode.json"
done | tee "$WORK/comparison-batch.txt"

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

if [ "$ROUNDS" -gt 0 ]; then
  echo
  echo "What users run vs Lucene, interleaved: $ROUNDS rounds, each one pass of a kind's queries on"
  echo "Lucene (warm JVM) and, seconds later, one fathom-search process on them less start-up (the"
  echo "fastest of three processes on no query);"
  echo "F/L is the median of the rounds' ratios (min and max beside it)"
  awk '/^Interleaved/ { on = 1; next } on && NF == 0 { on = 0 } on' "$WORK/lucene.txt" |
    tee "$WORK/comparison-interleaved.txt"
fi
