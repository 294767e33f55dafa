#!/usr/bin/env bash
# Search quality on the judged collections of ../shared/corpora: indexes each
# collection with Fathom, with Apache Lucene 8.8 (bench/quality/LuceneRun.java,
# Debian's liblucene8-java) and with Xapian 1.4 (bench/quality/XapianRun.cpp,
# Debian's libxapian-dev), runs its queries, scores every run with
# fathom-eval (trec_eval's definitions, judged queries only) and prints
# Markdown tables: Fathom's defaults next to Lucene's and Xapian's, then the
# variants.
#
# Usage: bench/quality/run.sh [--build DIR] [--work DIR] [--collections "cranfield cisi ..."]
#                             [--no-variants] [--no-lucene] [--no-xapian]
#   --build      Fathom build folder (default: build; configured and built if needed)
#   --work       scratch folder for corpora, indexes and runs (default: /tmp/quality)
#   --no-lucene  without the Lucene comparison
#   --no-xapian  without the Xapian comparison
# Needs: cmake and a C++ toolchain, zstd, a JDK (javac), liblucene8-java and
# libxapian-dev.
# A run whose query file holds queries fathom-search cannot parse (--syntax
# reads topics as query language) is scored with those unanswered (0), and
# the tables are followed by the list of such runs; any other failure stops.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="$ROOT/build"
WORK="/tmp/quality"
CORPORA="$ROOT/../shared/corpora"
COLLECTIONS="cranfield cisi cacm npl time scifact"
VARIANTS=1
LUCENE=1
XAPIAN=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD="$(realpath -m "$2")"; shift 2 ;;
    --work) WORK="$(realpath -m "$2")"; shift 2 ;;
    --collections) COLLECTIONS="$2"; shift 2 ;;
    --no-variants) VARIANTS=0; shift ;;
    --no-lucene) LUCENE=0; shift ;;
    --no-xapian) XAPIAN=0; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { echo "$*" >&2; }

# --- Tools -------------------------------------------------------------------
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >&2
fi
cmake --build "$BUILD" --target fathom-index fathom-search fathom-eval -j "$(nproc)" >&2
INDEX="$BUILD/indexer/fathom-index"
SEARCH="$BUILD/searcher/fathom-search"
EVAL="$BUILD/searcher/fathom-eval"

LUCENE_JARS=""
if [ "$LUCENE" -eq 1 ]; then
  for jar in core analyzers-common; do
    found=$(ls /usr/share/java/lucene-"$jar"-8.*.jar 2>/dev/null | head -n 1 || true)
    if [ -z "$found" ]; then
      echo "run.sh: Lucene 8 not found; install it with: apt-get install liblucene8-java" \
           "(or run Fathom alone with --no-lucene)" >&2
      exit 1
    fi
    LUCENE_JARS="$LUCENE_JARS:$found"
  done
  LUCENE_JARS="${LUCENE_JARS#:}"
  mkdir -p "$WORK/classes"
  javac -nowarn -d "$WORK/classes" -cp "$LUCENE_JARS" "$ROOT/bench/quality/LuceneRun.java" >&2
  LUCENE_VERSION=$(unzip -p "$(echo "$LUCENE_JARS" | cut -d: -f1)" META-INF/MANIFEST.MF |
                   sed -n 's/^Specification-Version: *//p' | tr -d '\r')
fi

if [ "$XAPIAN" -eq 1 ]; then
  if pkg-config --exists xapian-core 2>/dev/null; then
    XAPIAN_FLAGS=$(pkg-config --cflags --libs xapian-core)
    XAPIAN_VERSION=$(pkg-config --modversion xapian-core)
  elif command -v xapian-config > /dev/null; then
    XAPIAN_FLAGS="$(xapian-config --cxxflags) $(xapian-config --libs)"
    XAPIAN_VERSION=$(xapian-config --version | sed 's/.* //')
  else
    echo "run.sh: Xapian not found; install it with: apt-get install libxapian-dev" \
         "(or run without it with --no-xapian)" >&2
    exit 1
  fi
  mkdir -p "$WORK"
  # XAPIAN_FLAGS is word-split on purpose: it holds several compiler options.
  # shellcheck disable=SC2086
  g++ -O2 -std=c++17 "$ROOT/bench/quality/XapianRun.cpp" -o "$WORK/xapian-run" $XAPIAN_FLAGS >&2
fi

# --- Runs --------------------------------------------------------------------
# Each result is one line in $WORK/results.tsv:
#   collection  system  variant  ndcg10  map  p10  r100  r1000
mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
# Runs that skipped malformed queries, one line each, listed after the tables.
SKIPPED="$WORK/skipped.txt"
: > "$SKIPPED"

score() {  # score COLLECTION SYSTEM VARIANT QRELS RUN
  local measures
  measures=$("$EVAL" "$4" "$5" | awk '$2 == "all" { v[$1] = $3 }
    END { printf "%s\t%s\t%s\t%s\t%s", v["ndcg_cut_10"], v["map"], v["P_10"], v["recall_100"], v["recall_1000"] }')
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$measures" >> "$RESULTS"
}

# fathom_search COLLECTION NAME INDEX QUERIES RUN [fathom-search options]
# fathom-search exits 3 when it answered every query but the malformed ones,
# each named on stderr: the run is kept and noted; any other failure stops.
fathom_search() {
  local collection="$1" name="$2" index="$3" queries="$4" run="$5" status=0
  shift 5
  "$SEARCH" "$index" --queries "$queries" --output "$run" "$@" 2> "$run.err" || status=$?
  cat "$run.err" >&2
  if [ "$status" -eq 3 ]; then
    printf -- '- %s, %s: %s\n' "$collection" "$name" \
      "$(tail -n 1 "$run.err" | sed 's/^fathom-search: //; s/ (errors above)//')" >> "$SKIPPED"
  elif [ "$status" -ne 0 ]; then
    echo "run.sh: fathom-search failed (exit status $status) on $collection, $name" >&2
    exit "$status"
  fi
}

fathom_index() {  # fathom_index CORPUS INDEX [fathom-index options]
  local corpus="$1" index="$2"
  shift 2
  [ -f "$index/meta" ] || "$INDEX" "$corpus" "$index" --quiet "$@" >&2
}

for collection in $COLLECTIONS; do
  src="$CORPORA/$collection"
  queries="$src/queries.tsv"
  qrels="$src/qrels.txt"
  if [ "$collection" = scifact ]; then
    queries="$src/queries.train.tsv"
    qrels="$src/qrels.train.txt"
  fi
  dir="$WORK/$collection"
  mkdir -p "$dir"
  corpus="$dir/corpus.jsonl"
  [ -f "$corpus" ] || zstd -q -dc "$src/corpus.jsonl.zst" > "$corpus"
  log "== $collection"

  # Fathom: one index per analysis setting, query-time options on top.
  rm -rf "$dir"/idx-*  # indexes always reflect the current build
  fathom_index "$corpus" "$dir/idx-default"
  fathom_search "$collection" default "$dir/idx-default" "$queries" "$dir/fathom.run"
  score "$collection" Fathom default "$qrels" "$dir/fathom.run"
  # BM25F (title stream weight 3, title b 0.4: the best of a grid, see
  # bench/README.md) in place of the title clause.
  fathom_search "$collection" BM25F "$dir/idx-default" "$queries" "$dir/fathom-bm25f.run" \
    --bm25f 3 --bm25f-title-b 0.4
  score "$collection" "Fathom BM25F" default "$qrels" "$dir/fathom-bm25f.run"

  if [ "$LUCENE" -eq 1 ]; then
    java -cp "$LUCENE_JARS:$WORK/classes" LuceneRun "$corpus" "$queries" "$dir/lucene.run"
    score "$collection" Lucene default "$qrels" "$dir/lucene.run"
  fi

  if [ "$XAPIAN" -eq 1 ]; then
    # Id, title and body, each ended by NUL, read by Python's json module.
    python3 -c 'import json, sys
out = open(sys.argv[2], "w", encoding="utf-8", newline="")
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        d = json.loads(line)
        out.write(d["id"] + "\0" + (d.get("title") or "") + "\0" + (d.get("body") or "") + "\0")' \
      "$corpus" "$dir/xapian-documents"
    "$WORK/xapian-run" "$dir/xapian-documents" "$queries" "$dir/xapian.run"
    score "$collection" Xapian default "$qrels" "$dir/xapian.run"
    "$WORK/xapian-run" "$dir/xapian-documents" "$queries" "$dir/xapian-stem-all.run" --stem-all
    score "$collection" "Xapian STEM_ALL" default "$qrels" "$dir/xapian-stem-all.run"
  fi

  [ "$VARIANTS" -eq 1 ] || continue
  fathom_variant() {  # fathom_variant NAME INDEX [fathom-search options]
    local name="$1" index="$2"
    shift 2
    fathom_search "$collection" "$name" "$index" "$queries" "$dir/fathom-$name.run" "$@"
    score "$collection" Fathom "$name" "$qrels" "$dir/fathom-$name.run"
  }
  lucene_variant() {  # lucene_variant NAME [LuceneRun options]
    local name="$1"
    shift
    [ "$LUCENE" -eq 1 ] || return 0
    java -cp "$LUCENE_JARS:$WORK/classes" LuceneRun "$corpus" "$queries" "$dir/lucene-$name.run" "$@"
    score "$collection" Lucene "$name" "$qrels" "$dir/lucene-$name.run"
  }
  fathom_index "$corpus" "$dir/idx-stop" --stop-words
  fathom_index "$corpus" "$dir/idx-nostem" --language none
  fathom_variant "stop words in the index" "$dir/idx-stop"
  lucene_variant "stop words in the index" --stop-words
  fathom_variant "no stop words at all" "$dir/idx-default" --keep-stop-words
  fathom_variant "no title weight" "$dir/idx-default" --title-weight 0
  fathom_variant "title weight 0.5" "$dir/idx-default" --title-weight 0.5
  fathom_variant "BM25F title weight 1" "$dir/idx-default" --bm25f 1
  fathom_variant "BM25F title weight 5" "$dir/idx-default" --bm25f 5
  fathom_variant "BM25F title weight 3, title b 0.75" "$dir/idx-default" --bm25f 3 \
    --bm25f-title-b 0.75
  fathom_variant "no stemming" "$dir/idx-nostem"
  lucene_variant "no stemming" --no-stemming
  fathom_variant "k1=1.2 b=0.75" "$dir/idx-default" --k1 1.2 --b 0.75
  lucene_variant "k1=1.2 b=0.75" --k1 1.2 --b 0.75
  fathom_variant "RM3" "$dir/idx-default" --rm3
  fathom_variant "query syntax (--syntax)" "$dir/idx-default" --syntax
done

# --- Tables ------------------------------------------------------------------
echo "Fathom $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?') with its defaults:"
echo "fathom-index CORPUS INDEX, fathom-search INDEX --queries Q --output RUN (k1=0.9 b=0.4,"
echo "English Snowball stemming, stop words dropped from topics, title weight 0.25)."
echo "Fathom BM25F: the same with --bm25f 3 --bm25f-title-b 0.4: each word scored by BM25F over"
echo "the document and its title instead of a separate title clause."
if [ "$LUCENE" -eq 1 ]; then
  echo "Lucene $LUCENE_VERSION: BM25 k1=0.9 b=0.4, English Snowball stemming, no stop words, title and"
  echo "body as one field (the issue's reference setup)."
else
  echo "Lucene: not run (--no-lucene)."
fi
if [ "$XAPIAN" -eq 1 ]; then
  echo "Xapian $XAPIAN_VERSION out of the box: BM25Weight() (k1=1 k2=0 k3=1 b=0.5 min_normlen=0.5),"
  echo "title and body as one field, TermGenerator and QueryParser with the English stemmer and"
  echo "STEM_SOME (words starting with a capital letter stay unstemmed), no stop words, OR of the"
  echo "words, QueryParser flags 0 (no AND/OR/NOT, quotes, +/-; hyphenated words are phrases)."
  echo "Xapian STEM_ALL: the same with every word stemmed in documents and queries, as Fathom and"
  echo "Lucene stem them (the upper-case topics of TIME and NPL are otherwise searched unstemmed)."
else
  echo "Xapian: not run (--no-xapian)."
fi
echo "Judged queries only, scored by fathom-eval (trec_eval -c definitions)."
echo
echo "| collection | system | nDCG@10 | MAP | P@10 | R@100 | R@1000 |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
awk -F'\t' '$3 == "default" {
  printf "| %s | %s | %.4f | %.4f | %.4f | %.4f | %.4f |\n", $1, $2, $4, $5, $6, $7, $8 }' "$RESULTS"

if [ "$VARIANTS" -eq 1 ]; then
  echo
  echo "Variants (nDCG@10 / MAP); each changes one setting of the defaults above."
  echo
  awk -F'\t' '
    { key = $2 " | " $3
      if (!(key in seen)) { seen[key] = 1; order[++n] = key }
      if (!($1 in cseen)) { cseen[$1] = 1; cols[++m] = $1 }
      v[key, $1] = sprintf("%.4f / %.4f", $4, $5) }
    END {
      header = "| system | variant"; rule = "| --- | ---"
      for (j = 1; j <= m; j++) { header = header " | " cols[j]; rule = rule " | ---:" }
      print header " |"; print rule " |"
      for (i = 1; i <= n; i++) {
        line = "| " order[i]
        for (j = 1; j <= m; j++) line = line " | " ((order[i], cols[j]) in v ? v[order[i], cols[j]] : "")
        print line " |"
      }
    }' "$RESULTS"
fi

if [ -s "$SKIPPED" ]; then
  echo
  echo "Runs without some queries (malformed in the query language; they score 0):"
  echo
  cat "$SKIPPED"
fi
