// fathom-bench queries: end-to-end query latency through fathom::Searcher.
//
// Each timed call is Searcher::Search (parse, evaluate, top-k), exactly what
// an interactive user waits for before snippets. Latencies are grouped by
// query kind, the qid prefix that generate-queries writes ("and-5" -> and).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench/args.hpp"
#include "bench/commands.hpp"
#include "bench/output_file.hpp"
#include "common/error.hpp"
#include "searcher/searcher.hpp"

namespace fathom::bench {
namespace {

struct QueryLine {
  std::string qid;
  std::string kind;
  std::string text;
};

// Kind of a qid: the text before its last '-' when digits follow ("and-5"),
// else the whole qid.
std::string KindOf(const std::string& qid) {
  const auto dash = qid.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == qid.size()) return qid;
  const bool numbered = std::all_of(qid.begin() + static_cast<std::ptrdiff_t>(dash) + 1, qid.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
  return numbered ? qid.substr(0, dash) : qid;
}

std::vector<QueryLine> ReadQueries(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError(path + ": cannot open query file");
  std::vector<QueryLine> queries;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) {
      throw InputError(path + ":" + std::to_string(number) + ": expected 'qid<TAB>query'");
    }
    QueryLine query{line.substr(0, tab), "", line.substr(tab + 1)};
    query.kind = KindOf(query.qid);
    queries.push_back(std::move(query));
  }
  if (queries.empty()) throw InputError(path + ": no queries");
  return queries;
}

struct Sample {
  std::string_view kind;
  double micros;
  std::uint64_t matches;
};

// Replays queries through its own Searcher (which is not thread-safe). A
// --threads option would start one Worker per thread over shares of the
// query list and merge their samples; nothing else here would change.
class Worker {
 public:
  explicit Worker(const std::filesystem::path& index) : searcher_(index) {}

  const Searcher& searcher() const { return searcher_; }

  void Replay(const std::vector<QueryLine>& queries, std::size_t k, std::vector<Sample>* samples) {
    SearchOptions options;
    options.k = k;
    for (const QueryLine& query : queries) {
      const auto start = std::chrono::steady_clock::now();
      const SearchResult result = searcher_.Search(query.text, options);
      const auto end = std::chrono::steady_clock::now();
      if (samples != nullptr) {
        samples->push_back({query.kind,
                            std::chrono::duration<double, std::micro>(end - start).count(),
                            result.total_matches});
      }
    }
  }

 private:
  Searcher searcher_;
};

struct Row {
  std::string kind;
  std::size_t queries = 0;  // distinct queries (samples / runs)
  std::size_t samples = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  double qps = 0;
  double mean_matches = 0;
};

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

Row Summarize(std::string kind, const std::vector<const Sample*>& samples, std::size_t runs) {
  Row row;
  row.kind = std::move(kind);
  row.samples = samples.size();
  row.queries = samples.size() / runs;
  std::vector<double> micros;
  double total = 0, matches = 0;
  for (const Sample* sample : samples) {
    micros.push_back(sample->micros);
    total += sample->micros;
    matches += static_cast<double>(sample->matches);
  }
  std::sort(micros.begin(), micros.end());
  const double n = static_cast<double>(samples.size());
  row.mean = total / n;
  row.p50 = Percentile(micros, 0.50);
  row.p90 = Percentile(micros, 0.90);
  row.p99 = Percentile(micros, 0.99);
  row.max = micros.back();
  // One thread: throughput is the inverse of the mean service time.
  row.qps = total > 0 ? n / (total / 1e6) : 0;
  row.mean_matches = matches / n;
  return row;
}

// Rows per kind (in the order generate-queries names them, others after),
// then 'all'.
std::vector<Row> SummarizeByKind(const std::vector<Sample>& samples, std::size_t runs) {
  static const std::vector<std::string> kKnownOrder = {"term", "union", "and", "phrase", "mixed"};
  std::map<std::string, std::vector<const Sample*>, std::less<>> by_kind;
  std::vector<const Sample*> all;
  for (const Sample& sample : samples) {
    by_kind[std::string(sample.kind)].push_back(&sample);
    all.push_back(&sample);
  }
  std::vector<Row> rows;
  for (const auto& kind : kKnownOrder) {
    if (const auto it = by_kind.find(kind); it != by_kind.end()) {
      rows.push_back(Summarize(kind, it->second, runs));
      by_kind.erase(it);
    }
  }
  for (const auto& [kind, kind_samples] : by_kind) {
    rows.push_back(Summarize(kind, kind_samples, runs));
  }
  rows.push_back(Summarize("all", all, runs));
  return rows;
}

std::string FormatFixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

void PrintTable(const std::vector<Row>& rows, std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line, "%-8s %7s %10s %10s %10s %10s %10s %9s %12s\n", "kind",
                "queries", "mean us", "p50 us", "p90 us", "p99 us", "max us", "QPS", "avg matches");
  out << line;
  for (const Row& row : rows) {
    std::snprintf(line, sizeof line, "%-8s %7zu %10.1f %10.1f %10.1f %10.1f %10.1f %9.0f %12.0f\n",
                  row.kind.c_str(), row.queries, row.mean, row.p50, row.p90, row.p99, row.max,
                  row.qps, row.mean_matches);
    out << line;
  }
}

std::string JsonEscape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

std::string ToJson(const std::string& index, const std::string& queries_path,
                   std::uint64_t documents, std::size_t k, std::size_t warmup, std::size_t runs,
                   const std::vector<Row>& rows) {
  std::ostringstream json;
  json << "{\n  \"index\": \"" << JsonEscape(index) << "\",\n  \"queries\": \""
       << JsonEscape(queries_path) << "\",\n  \"documents\": " << documents << ",\n  \"k\": " << k
       << ",\n  \"warmup\": " << warmup << ",\n  \"runs\": " << runs
       << ",\n  \"threads\": 1,\n  \"unit\": \"microseconds\",\n  \"results\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    json << "    {\"kind\": \"" << JsonEscape(row.kind) << "\", \"count\": " << row.queries
         << ", \"samples\": " << row.samples << ", \"mean_us\": " << FormatFixed(row.mean, 2)
         << ", \"p50_us\": " << FormatFixed(row.p50, 2)
         << ", \"p90_us\": " << FormatFixed(row.p90, 2)
         << ", \"p99_us\": " << FormatFixed(row.p99, 2)
         << ", \"max_us\": " << FormatFixed(row.max, 2) << ", \"qps\": " << FormatFixed(row.qps, 1)
         << ", \"mean_matches\": " << FormatFixed(row.mean_matches, 1) << "}"
         << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  json << "  ]\n}\n";
  return json.str();
}

}  // namespace

int RunQueries(const std::vector<std::string>& arg_list) {
  const Args args(arg_list, {"k", "warmup", "runs", "json"});
  if (args.help()) {
    std::cout
        << "Usage: fathom-bench queries INDEX QUERIES [--k 10] [--warmup 1] [--runs 3] "
           "[--json FILE]\n\n"
           "Replays QUERIES ('qid<TAB>query' lines) through Searcher::Search on INDEX: --warmup\n"
           "untimed passes, then --runs timed passes with top-k, then one timed pass with\n"
           "k=0 (every match evaluated; the 'count' row). Reports latency per query kind\n"
           "(the qid before its last '-') in microseconds, on one thread.\n";
    return 0;
  }
  args.ExpectPositional(2, "INDEX and QUERIES");
  const std::string index = args.positional()[0];
  const std::string queries_path = args.positional()[1];
  const std::size_t k = args.GetUint("k", 10);
  const std::size_t warmup = args.GetUint("warmup", 1);
  const std::size_t runs = args.GetUint("runs", 3);
  if (runs == 0) throw UsageError("--runs must be at least 1");

  const std::vector<QueryLine> queries = ReadQueries(queries_path);
  Worker worker(index);
  const std::uint64_t documents = worker.searcher().reader().document_count();

  const auto start = std::chrono::steady_clock::now();
  for (std::size_t pass = 0; pass < warmup; ++pass) worker.Replay(queries, k, nullptr);
  std::vector<Sample> samples;
  samples.reserve(queries.size() * runs);
  for (std::size_t run = 0; run < runs; ++run) worker.Replay(queries, k, &samples);
  std::vector<Row> rows = SummarizeByKind(samples, runs);

  std::vector<Sample> count_samples;
  worker.Replay(queries, 0, &count_samples);
  for (Sample& sample : count_samples) sample.kind = "count";
  std::vector<const Sample*> count_pointers;
  for (const Sample& sample : count_samples) count_pointers.push_back(&sample);
  rows.push_back(Summarize("count", count_pointers, 1));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::cout << "index " << index << " (" << documents << " documents), " << queries.size()
            << " queries from " << queries_path << "\nk=" << k << ", " << warmup
            << " warm-up pass(es), " << runs << " timed run(s), 1 thread, "
            << FormatFixed(seconds, 1) << " s in all; 'count' is one pass with k=0\n\n";
  PrintTable(rows, std::cout);
  if (args.Has("json")) {
    OutputFile json(args.GetString("json", ""));
    json.Write(ToJson(index, queries_path, documents, k, warmup, runs, rows));
    json.Close();
  }
  return 0;
}

}  // namespace fathom::bench
