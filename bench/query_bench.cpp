// fathom-bench queries: end-to-end query latency through fathom::Searcher.
//
// What's measured: Searcher::Search (parse, evaluate, top-k, count; no
//   snippets) with fathom-search's SearchOptions defaults, per query kind
//   (the qid prefix that generate-queries writes: term, union, and, phrase,
//   mixed), for each mode (top-k for the given k values, and count: the
//   number of matches only, as --count), each evaluation algorithm, and one
//   thread or several.
// Notes: top-k runs count matches as fathom-search does: exactly up to
//   SearchOptions::kDefaultCountUpTo, then a lower bound (Lucene's
//   total-hits threshold). With T threads, T Searchers replay shares of the
//   same runs x queries; QPS per kind is samples x T / total latency, and
//   the "all" row's QPS is samples / wall time. `fathom-bench batch` times
//   the batch path (batch_bench.cpp).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/args.hpp"
#include "bench/commands.hpp"
#include "bench/output_file.hpp"
#include "bench/query_file.hpp"
#include "common/command_line.hpp"
#include "common/error.hpp"
#include "common/json_text.hpp"
#include "searcher/searcher.hpp"

namespace fathom::bench {
namespace {

struct Mode {
  std::string name;  // "top10", "count"
  std::size_t k;     // 0 for count
};

struct Config {
  Algorithm algorithm;
  Mode mode;
  std::size_t threads;
};

struct Sample {
  std::uint32_t query;  // index into the query list
  double micros;
};

std::vector<Mode> ParseModes(const std::string& text) {
  std::vector<Mode> modes;
  for (const std::string& item : SplitList(text)) {
    if (item == "count") {
      modes.push_back({"count", 0});
    } else if (item.rfind("top", 0) == 0 && item.size() > 3 &&
               std::all_of(item.begin() + 3, item.end(),
                           [](char c) { return c >= '0' && c <= '9'; })) {
      modes.push_back({item, std::stoul(item.substr(3))});
    } else {
      throw UsageError("--modes: expected topN or count, not '" + item + "'");
    }
  }
  if (modes.empty()) throw UsageError("--modes: empty");
  return modes;
}

// fathom-search's defaults, with the configuration's algorithm and k (or
// --count).
SearchOptions OptionsFor(const Config& config, std::uint64_t count_up_to) {
  SearchOptions options;
  options.algorithm = config.algorithm;
  options.k = config.mode.k;
  options.count_only = config.mode.k == 0;
  options.count_exactly_up_to = count_up_to;
  return options;
}

// Replays runs x queries on `threads` threads, each with its own Searcher
// (Searcher is not thread-safe); returns the samples and the wall time.
std::vector<Sample> Replay(std::vector<std::unique_ptr<Searcher>>& searchers,
                           const std::vector<QueryLine>& queries, const SearchOptions& options,
                           std::size_t runs, std::size_t threads, double* wall_seconds) {
  const std::size_t total = queries.size() * runs;
  std::atomic<std::size_t> next{0};
  std::vector<std::vector<Sample>> per_thread(threads);
  const auto start = std::chrono::steady_clock::now();
  const auto work = [&](std::size_t t) {
    Searcher& searcher = *searchers[t];
    per_thread[t].reserve(total / threads + 1);
    for (std::size_t i = next.fetch_add(1); i < total; i = next.fetch_add(1)) {
      const std::size_t q = i % queries.size();
      const auto begin = std::chrono::steady_clock::now();
      const SearchResult result = searcher.Search(queries[q].text, options);
      const auto end = std::chrono::steady_clock::now();
      // Keep the result observable so the work cannot be optimized away.
      if (result.hits.size() > options.k + 1) std::abort();
      per_thread[t].push_back({static_cast<std::uint32_t>(q),
                               std::chrono::duration<double, std::micro>(end - begin).count()});
    }
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& thread : pool) thread.join();
  }
  *wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<Sample> samples;
  for (auto& part : per_thread) samples.insert(samples.end(), part.begin(), part.end());
  return samples;
}

struct Row {
  std::string algorithm, mode, kind;
  std::size_t threads = 1;
  std::size_t queries = 0;
  std::size_t samples = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  double qps = 0;
};

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

Row Summarize(const Config& config, const std::string& kind, std::vector<double> micros,
              std::size_t runs, double wall_seconds) {
  Row row;
  row.algorithm = std::string(AlgorithmName(config.algorithm));
  row.mode = config.mode.name;
  row.kind = kind;
  row.threads = config.threads;
  row.samples = micros.size();
  row.queries = micros.size() / runs;
  std::sort(micros.begin(), micros.end());
  double total = 0;
  for (const double m : micros) total += m;
  const double n = static_cast<double>(micros.size());
  row.mean = total / n;
  row.p50 = Percentile(micros, 0.50);
  row.p90 = Percentile(micros, 0.90);
  row.p99 = Percentile(micros, 0.99);
  row.max = micros.back();
  row.qps = wall_seconds > 0
                ? n / wall_seconds
                : (total > 0 ? n * static_cast<double>(config.threads) / (total / 1e6) : 0);
  return row;
}

std::vector<Row> SummarizeByKind(const Config& config, const std::vector<QueryLine>& queries,
                                 const std::vector<Sample>& samples, std::size_t runs,
                                 double wall_seconds) {
  static const std::vector<std::string> kKnownOrder = {"term", "and", "union", "phrase", "mixed"};
  std::map<std::string, std::vector<double>, std::less<>> by_kind;
  std::vector<double> all;
  for (const Sample& sample : samples) {
    by_kind[queries[sample.query].kind].push_back(sample.micros);
    all.push_back(sample.micros);
  }
  std::vector<Row> rows;
  for (const auto& kind : kKnownOrder) {
    if (const auto it = by_kind.find(kind); it != by_kind.end()) {
      rows.push_back(Summarize(config, kind, std::move(it->second), runs, 0));
      by_kind.erase(it);
    }
  }
  for (auto& [kind, micros] : by_kind) {
    rows.push_back(Summarize(config, kind, std::move(micros), runs, 0));
  }
  rows.push_back(Summarize(config, "all", std::move(all), runs, wall_seconds));
  return rows;
}

std::string FormatFixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// Each query's mean over the runs, as LuceneBench --per-query writes it
// ("mode<TAB>threads<TAB>qid<TAB>mean us"), to find where engines differ.
void WritePerQuery(const Config& config, const std::vector<QueryLine>& queries,
                   const std::vector<Sample>& samples, OutputFile& out) {
  std::vector<double> sum(queries.size(), 0.0);
  std::vector<std::size_t> seen(queries.size(), 0);
  for (const Sample& sample : samples) {
    sum[sample.query] += sample.micros;
    ++seen[sample.query];
  }
  std::string text;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    text += config.mode.name + "\t" + std::to_string(config.threads) + "\t" + queries[q].qid +
            "\t" + FormatFixed(sum[q] / static_cast<double>(std::max<std::size_t>(1, seen[q])), 1) +
            "\n";
  }
  out.Write(text);
}

void PrintTable(const std::vector<Row>& rows, std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line, "%-10s %-7s %3s %-7s %7s %10s %10s %10s %10s %10s %9s\n",
                "algorithm", "mode", "thr", "kind", "queries", "mean us", "p50 us", "p90 us",
                "p99 us", "max us", "QPS");
  out << line;
  for (const Row& row : rows) {
    std::snprintf(line, sizeof line,
                  "%-10s %-7s %3zu %-7s %7zu %10.1f %10.1f %10.1f %10.1f %10.1f %9.0f\n",
                  row.algorithm.c_str(), row.mode.c_str(), row.threads, row.kind.c_str(),
                  row.queries, row.mean, row.p50, row.p90, row.p99, row.max, row.qps);
    out << line;
  }
}

std::string ToJson(const std::string& index, const std::string& queries_path,
                   std::uint64_t documents, std::size_t warmup, std::size_t runs,
                   const std::vector<Row>& rows) {
  std::ostringstream json;
  json << "{\n  \"engine\": \"fathom\",\n  \"index\": \"" << JsonEscape(index)
       << "\",\n  \"queries\": \"" << JsonEscape(queries_path)
       << "\",\n  \"documents\": " << documents << ",\n  \"warmup\": " << warmup
       << ",\n  \"runs\": " << runs << ",\n  \"unit\": \"microseconds\",\n  \"results\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    json << "    {\"algorithm\": \"" << row.algorithm << "\", \"mode\": \"" << row.mode
         << "\", \"threads\": " << row.threads << ", \"kind\": \"" << JsonEscape(row.kind)
         << "\", \"count\": " << row.queries << ", \"samples\": " << row.samples
         << ", \"mean_us\": " << FormatFixed(row.mean, 2)
         << ", \"p50_us\": " << FormatFixed(row.p50, 2)
         << ", \"p90_us\": " << FormatFixed(row.p90, 2)
         << ", \"p99_us\": " << FormatFixed(row.p99, 2)
         << ", \"max_us\": " << FormatFixed(row.max, 2) << ", \"qps\": " << FormatFixed(row.qps, 1)
         << "}" << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  json << "  ]\n}\n";
  return json.str();
}

// "qid<TAB>count<TAB>doc:score doc:score ..." per query: the hits of the
// first top-k mode with the first algorithm, for checking another engine's
// (or algorithm's) results; count is the exact number of matches.
void WriteResults(Searcher& searcher, const std::vector<QueryLine>& queries, Algorithm algorithm,
                  std::size_t k, const std::string& path) {
  OutputFile out(path);
  for (const QueryLine& query : queries) {
    SearchOptions options;
    options.algorithm = algorithm;
    options.k = k;
    options.count_exactly_up_to = kCountAll;  // every match, to compare counts
    const SearchResult result = searcher.Search(query.text, options);
    std::string line = query.qid + "\t" + std::to_string(result.total_matches) + "\t";
    for (std::size_t i = 0; i < result.hits.size(); ++i) {
      line += (i ? " " : "") + std::to_string(result.hits[i].doc) + ":" +
              FormatFixed(result.hits[i].score, 5);
    }
    out.Write(line + "\n");
  }
  out.Close();
}

}  // namespace

int RunQueries(const std::vector<std::string>& arg_list) {
  const Args args(arg_list, {"modes", "k", "algorithm", "threads", "warmup", "runs", "json",
                             "results", "per-query", "count-up-to"});
  if (args.help()) {
    std::cout << "Usage: fathom-bench queries INDEX QUERIES [--modes top10,top100,count]\n"
                 "         [--algorithm auto[,exhaustive,maxscore,bmw]] [--threads 1[,N]]\n"
                 "         [--warmup 1] [--runs 3] [--json FILE] [--results FILE]\n"
                 "         [--per-query FILE] [--count-up-to N]\n\n"
                 "Replays QUERIES ('qid<TAB>query' lines) through Searcher::Search on INDEX for\n"
                 "every algorithm x mode x thread count: --warmup untimed passes, then --runs\n"
                 "timed passes. Modes: topN (the N best hits, matches counted as fathom-search\n"
                 "counts them: exactly up to --count-up-to, 1,000 by default, 0 as a TREC batch\n"
                 "counts none) and count (every match, as --count).\n"
                 "Reports latency per query kind (the qid before its last '-') in microseconds\n"
                 "and queries per second. --k N is short for --modes topN. --results writes the\n"
                 "hits of the first top-k mode and algorithm (for compare_lucene.sh). --per-query\n"
                 "writes each query's mean, as LuceneBench --per-query does.\n";
    return 0;
  }
  args.ExpectPositional(2, "INDEX and QUERIES");
  const std::string index = args.positional()[0];
  const std::string queries_path = args.positional()[1];
  const std::vector<Mode> modes =
      ParseModes(args.Has("k") ? "top" + args.GetString("k", "10")
                               : args.GetString("modes", "top10,top100,count"));
  std::vector<Algorithm> algorithms;
  for (const std::string& name : SplitList(args.GetString("algorithm", "auto"))) {
    const auto algorithm = ParseAlgorithm(name);
    if (!algorithm) throw UsageError("--algorithm: unknown algorithm '" + name + "'");
    algorithms.push_back(*algorithm);
  }
  const std::vector<std::size_t> thread_counts = args.ThreadCounts();
  const std::size_t warmup = args.GetUint("warmup", 1);
  const std::size_t runs = args.GetUint("runs", 3);
  const std::uint64_t count_up_to = args.GetUint("count-up-to", SearchOptions::kDefaultCountUpTo);
  if (runs == 0) throw UsageError("--runs must be at least 1");

  const std::vector<QueryLine> queries = ReadQueryFile(queries_path);
  std::vector<std::unique_ptr<Searcher>> searchers;
  searchers.push_back(std::make_unique<Searcher>(index));
  const std::uint64_t documents = searchers[0]->snapshot().live_count();

  if (args.Has("results")) {
    const auto top =
        std::find_if(modes.begin(), modes.end(), [](const Mode& m) { return m.k > 0; });
    WriteResults(*searchers[0], queries, algorithms[0], top == modes.end() ? 10 : top->k,
                 args.GetString("results", ""));
  }

  std::cout << "index " << index << " (" << documents << " documents), " << queries.size()
            << " queries from " << queries_path << "\n"
            << warmup << " warm-up pass(es) and " << runs
            << " timed run(s) per configuration; top-k modes count matches exactly up to "
            << FormatCount(count_up_to)
            << (count_up_to == SearchOptions::kDefaultCountUpTo ? " (fathom-search's default)" : "")
            << "\n\n";
  std::optional<OutputFile> per_query;
  if (args.Has("per-query")) per_query.emplace(args.GetString("per-query", ""));
  std::vector<Row> rows;
  const auto start = std::chrono::steady_clock::now();
  for (const std::size_t threads : thread_counts) {
    while (searchers.size() < threads) {
      searchers.push_back(std::make_unique<Searcher>(searchers[0]->shared_snapshot()));
    }
    for (const Algorithm algorithm : algorithms) {
      for (const Mode& mode : modes) {
        const Config config{algorithm, mode, threads};
        const SearchOptions options = OptionsFor(config, count_up_to);
        double wall = 0;
        if (warmup > 0) Replay(searchers, queries, options, warmup, threads, &wall);
        const std::vector<Sample> samples =
            Replay(searchers, queries, options, runs, threads, &wall);
        if (per_query) WritePerQuery(config, queries, samples, *per_query);
        std::vector<Row> config_rows = SummarizeByKind(config, queries, samples, runs, wall);
        PrintTable(config_rows, std::cout);
        std::cout << "\n";
        std::cout.flush();
        rows.insert(rows.end(), config_rows.begin(), config_rows.end());
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (per_query) per_query->Close();
  std::cout << FormatFixed(seconds, 1) << " s in all\n";
  if (args.Has("json")) {
    OutputFile json(args.GetString("json", ""));
    json.Write(ToJson(index, queries_path, documents, warmup, runs, rows));
    json.Close();
  }
  return 0;
}

}  // namespace fathom::bench
