#!/usr/bin/env bash
# fathom-serve under load, measured with wrk (Debian `wrk`) on loopback, and
# the same queries through fathom-search's batch path for comparison.
#
#   bash bench/serve_load.sh BUILD_DIR INDEX QUERY_FILE [OUT.md]
#
# QUERY_FILE: qid<TAB>query lines (bench/README.md: `fathom-bench
# queries-file`, or a real query log). For 1, 2, 8, 32 and 64 connections
# (CONNECTIONS overrides), SECONDS (10) each after a 5 s warm-up, it reports
# QPS, p50 and p99 latency, errors (which must be 0) and the server's
# resident memory. Each request asks for what the batch's JSON lines hold
# (k 10, snippets, counts to 1,000, no folding, no "did you mean"); a
# second table uses the page's defaults (folding and "did you mean" on).
# The batch figure is `fathom-bench batch --format json --syntax 1 --k 10
# --threads 2`: fathom-search --queries' own code, start-up excluded.
# The server gets THREADS (2) workers and wrk one thread; on a 2-core
# machine they share the cores, as any client on the same machine would.
set -euo pipefail
build="$1"
index="$2"
queries="$3"
out="${4:-/dev/stdout}"
seconds="${SECONDS_PER_RUN:-10}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-1 2 8 32 64}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v wrk >/dev/null || { echo "serve_load.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

log="$(mktemp)"
"$build/searcher/serve/fathom-serve" "$index" --port 0 --threads "$threads" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q "at http://" "$log" && break; sleep 0.1; done
port="$(grep -o 'at http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$')"
[ -n "$port" ] || { cat "$log" >&2; exit 1; }
url="http://127.0.0.1:$port"

rss_mb() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status"; }
peak_mb() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server/status"; }

run_table() {
  local params="$1" title="$2"
  echo "$title"
  echo
  echo "| connections | QPS | p50 ms | p99 ms | errors | server RSS MB |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
  QUERY_FILE="$queries" SEARCH_PARAMS="$params" wrk -t1 -c8 -d5s -s "$here/serve_load.lua" "$url" >/dev/null
  for c in $connections; do
    local line
    line="$(QUERY_FILE="$queries" SEARCH_PARAMS="$params" wrk -t1 -c"$c" -d"${seconds}s" --timeout 10s \
      -s "$here/serve_load.lua" "$url" | grep '^RESULT')"
    eval "$(echo "$line" | sed 's/^RESULT //')"
    awk -v c="$c" -v n="$requests" -v s="$elapsed" -v p50="$p50_us" -v p99="$p99_us" \
      -v e="$((errors + non2xx))" -v rss="$(rss_mb)" \
      'BEGIN { printf "| %d | %.0f | %.2f | %.2f | %d | %d |\n", c, n / s, p50 / 1000, p99 / 1000, e, rss }'
  done
  echo
}

{
  echo "fathom-serve on $(basename "$index"), $(grep -c . "$queries") queries, $threads worker threads, wrk 1 thread, ${seconds} s per row"
  echo
  run_table "k=10&fold=false&suggest=false" "Requests as the batch's JSON lines (k=10&fold=false&suggest=false):"
  run_table "k=10" "Requests as the search page sends them (k=10, folding and \"did you mean\" on):"
  echo "Server peak RSS: $(peak_mb) MB"
  echo
  echo "The same queries through fathom-search's batch path (fathom-bench batch, start-up excluded):"
  echo
  "$build/bench/fathom-bench" batch "$index" "$queries" --format json --syntax 1 --k 10 \
    --threads "$threads" --kinds 0 --runs 3 | sed 's/^/    /'
} >"$out"
