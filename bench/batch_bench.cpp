// fathom-bench batch: the batch path of fathom-search (--queries) timed as
// users run it.
//
// What's measured: fathom::AnswerBatch, the function `fathom-search INDEX
//   --queries FILE` calls once it has read the file and opened the index
//   (process start-up, reading the file and opening the index are not
//   timed), with fathom-search's batch defaults: topics (plain text, every
//   word optional), k = 1000, a TREC run (which counts no matches beyond
//   what ranking visits), one thread. Results go to a stream that discards
//   them, after being formatted as fathom-search formats them.
// Rows: the whole file as one batch ("all"), and each query kind's queries
//   as a batch of their own, since a batch has no per-query latency to
//   split by kind.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "bench/args.hpp"
#include "bench/commands.hpp"
#include "bench/output_file.hpp"
#include "bench/query_file.hpp"
#include "common/command_line.hpp"
#include "common/json_text.hpp"
#include "searcher/present/batch.hpp"

namespace fathom::bench {
namespace {

// Swallows what it is given: results are formatted, not kept.
class NullBuffer final : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

struct BatchRow {
  std::string kind;
  std::size_t threads = 1;
  std::size_t queries = 0;
  std::size_t failed = 0;
  double mean_ms = 0, min_ms = 0, max_ms = 0;  // one batch, over the runs
  double qps = 0;                              // queries x runs / total time
};

std::string Fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

BatchRow TimeBatch(Searcher& searcher, const std::string& kind,
                   const std::vector<BatchQuery>& queries, const BatchOptions& options,
                   std::size_t warmup, std::size_t runs) {
  NullBuffer null_buffer;
  std::ostream null(&null_buffer);
  BatchRow row;
  row.kind = kind;
  row.threads = options.threads;
  row.queries = queries.size();
  for (std::size_t i = 0; i < warmup; ++i) AnswerBatch(searcher, queries, options, null, null);
  std::vector<double> ms;
  for (std::size_t i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    row.failed = AnswerBatch(searcher, queries, options, null, null).failed;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  double total = 0;
  for (const double m : ms) total += m;
  row.mean_ms = total / static_cast<double>(runs);
  row.min_ms = *std::min_element(ms.begin(), ms.end());
  row.max_ms = *std::max_element(ms.begin(), ms.end());
  row.qps = total > 0 ? static_cast<double>(queries.size() * runs) / (total / 1000) : 0;
  return row;
}

void PrintRows(const std::vector<BatchRow>& rows, std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line, "%3s %-7s %7s %7s %12s %12s %12s %12s %9s\n", "thr", "kind",
                "queries", "failed", "batch ms", "min ms", "max ms", "us/query", "QPS");
  out << line;
  for (const BatchRow& row : rows) {
    std::snprintf(line, sizeof line, "%3zu %-7s %7zu %7zu %12.1f %12.1f %12.1f %12.1f %9.0f\n",
                  row.threads, row.kind.c_str(), row.queries, row.failed, row.mean_ms, row.min_ms,
                  row.max_ms, row.queries > 0 ? row.mean_ms * 1000 / row.queries : 0.0, row.qps);
    out << line;
  }
}

std::string ToJson(const std::string& index, const std::string& queries_path,
                   const BatchOptions& options, std::size_t warmup, std::size_t runs,
                   const std::vector<BatchRow>& rows) {
  std::ostringstream json;
  json << "{\n  \"engine\": \"fathom\",\n  \"path\": \"AnswerBatch\",\n  \"index\": \""
       << JsonEscape(index) << "\",\n  \"queries\": \"" << JsonEscape(queries_path)
       << "\",\n  \"format\": \"" << (options.format == BatchFormat::kTrec ? "trec" : "json")
       << "\",\n  \"topics\": " << (options.topics ? "true" : "false")
       << ",\n  \"k\": " << options.search.k
       << ",\n  \"count\": " << (options.search.count_only ? "true" : "false")
       << ",\n  \"warmup\": " << warmup << ",\n  \"runs\": " << runs << ",\n  \"results\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const BatchRow& row = rows[i];
    json << "    {\"threads\": " << row.threads << ", \"kind\": \"" << JsonEscape(row.kind)
         << "\", \"count\": " << row.queries << ", \"failed\": " << row.failed
         << ", \"batch_ms\": " << Fixed(row.mean_ms, 3) << ", \"min_ms\": " << Fixed(row.min_ms, 3)
         << ", \"max_ms\": " << Fixed(row.max_ms, 3) << ", \"qps\": " << Fixed(row.qps, 1) << "}"
         << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  json << "  ]\n}\n";
  return json.str();
}

}  // namespace

int RunBatchBench(const std::vector<std::string>& arg_list) {
  const Args args(arg_list, {"format", "syntax", "k", "threads", "warmup", "runs", "json", "kinds",
                             "sort", "facet", "count"});
  if (args.help()) {
    std::cout
        << "Usage: fathom-bench batch INDEX QUERIES [--format trec|json] [--syntax 0|1]\n"
           "         [--k 1000] [--threads 1[,N]] [--warmup 1] [--runs 3] [--kinds 1|0]\n"
           "         [--sort FIELD[:asc|desc],...] [--facet FIELD[:BUCKETS][:N]] [--count 0|1]\n"
           "         [--json FILE]\n\n"
           "Times fathom::AnswerBatch, what `fathom-search INDEX --queries QUERIES` runs once\n"
           "the index is open, with its defaults: topics (--syntax 1: the query language),\n"
           "k 1000, a TREC run (--format json: JSON lines with snippets, counting matches up\n"
           "to 1,000). --warmup untimed batches, then --runs timed ones, of the whole file\n"
           "and (--kinds 1) of each query kind's queries (the qid before its last '-').\n"
           "--sort, --facet and --count (only the exact number of matches) as fathom-search's\n"
           "(one facet here).\n"
           "Reports the mean, min and max time of a batch and queries per second.\n";
    return 0;
  }
  args.ExpectPositional(2, "INDEX and QUERIES");
  const std::string index = args.positional()[0];
  const std::string queries_path = args.positional()[1];
  BatchOptions options;
  options.source = queries_path;
  const std::string format = args.GetString("format", "trec");
  if (format != "trec" && format != "json") {
    throw UsageError("--format: expected trec or json, not '" + format + "'");
  }
  options.format = format == "trec" ? BatchFormat::kTrec : BatchFormat::kJson;
  options.topics = args.GetUint("syntax", 0) == 0;
  options.search.k = args.GetUint("k", 1000);
  if (options.search.k == 0) throw UsageError("--k must be at least 1");
  options.search.count_only = args.GetUint("count", 0) != 0;
  const std::vector<std::size_t> thread_counts = args.ThreadCounts();
  const std::size_t warmup = args.GetUint("warmup", 1);
  const std::size_t runs = args.GetUint("runs", 3);
  if (runs == 0) throw UsageError("--runs must be at least 1");
  const bool by_kind = args.GetUint("kinds", 1) != 0;

  const std::vector<BatchQuery> queries = ReadBatchQueries(queries_path);
  if (queries.empty()) throw UsageError(queries_path + ": no queries");
  std::vector<std::string> kinds;
  std::map<std::string, std::vector<BatchQuery>, std::less<>> by;
  for (const BatchQuery& query : queries) {
    const std::string kind = KindOf(query.qid);
    if (!by.count(kind)) kinds.push_back(kind);
    by[kind].push_back(query);
  }
  Searcher searcher(index);
  if (args.Has("sort")) {
    options.search.sort =
        ParseSortKeys(args.GetString("sort", ""), searcher.snapshot().field_types(),
                      searcher.snapshot().field_uses());
  }
  if (args.Has("facet")) {
    options.search.facets = {ParseFacet(args.GetString("facet", ""),
                                        searcher.snapshot().field_types(),
                                        searcher.snapshot().field_uses())};
  }
  std::cout << "index " << index << " (" << searcher.snapshot().live_count() << " documents), "
            << queries.size() << " queries from " << queries_path << " as "
            << (options.topics ? "topics" : "query language") << ", "
            << (options.search.count_only ? "exact counts"
                                          : "k " + std::to_string(options.search.k))
            << ", " << format << " output\n"
            << warmup << " warm-up batch(es) and " << runs
            << " timed batch(es) per row; each batch is one AnswerBatch call\n\n";
  std::vector<BatchRow> rows;
  for (const std::size_t threads : thread_counts) {
    options.threads = threads;
    std::vector<BatchRow> block;
    if (by_kind && kinds.size() > 1) {
      for (const std::string& kind : kinds) {
        block.push_back(TimeBatch(searcher, kind, by[kind], options, warmup, runs));
      }
    }
    block.push_back(TimeBatch(searcher, "all", queries, options, warmup, runs));
    PrintRows(block, std::cout);
    std::cout << "\n";
    std::cout.flush();
    rows.insert(rows.end(), block.begin(), block.end());
  }
  if (args.Has("json")) {
    OutputFile json(args.GetString("json", ""));
    json.Write(ToJson(index, queries_path, options, warmup, runs, rows));
    json.Close();
  }
  return 0;
}

}  // namespace fathom::bench
