// fathom-search: ranked BM25 and phrase search over an index built by
// fathom-index. One-shot, interactive, or batch (TREC run / JSON lines).
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "common/command_line.hpp"
#include "common/error.hpp"
#include "searcher/present/batch.hpp"
#include "searcher/present/output.hpp"
#include "searcher/prompt.hpp"
#include "searcher/searcher.hpp"

namespace po = boost::program_options;
using namespace fathom;

namespace {

void PrintUsage(const po::options_description& options) {
  std::cout
      << "Usage: fathom-search INDEX [QUERY]             one query, results on stdout\n"
         "       fathom-search INDEX                     interactive prompt (on a terminal)\n"
         "       fathom-search INDEX --queries FILE      batch: FILE has qid<TAB>query lines\n"
         "         (a malformed query is reported and skipped; the exit status is then 3)\n\n"
         "Query syntax: plain words are ranked by BM25; \"quoted words\" form a phrase;\n"
         "+word or +\"a phrase\" is required; -word or -\"a phrase\" excludes.\n\n"
      << options;
}

// Exit status of a batch that answered every query but the malformed ones
// (1 is any other failure, 2 a usage error): scripts can tell a bad topic
// from a run that went wrong.
constexpr int kSomeQueriesFailed = 3;

int RunBatch(Searcher& searcher, const po::variables_map& vm, SearchOptions search) {
  BatchOptions batch;
  batch.source = vm["queries"].as<std::string>();
  const std::vector<BatchQuery> queries = ReadBatchQueries(batch.source);
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (vm.count("output")) {
    file.open(vm["output"].as<std::string>());
    if (!file) throw IoError(vm["output"].as<std::string>() + ": cannot create output file");
    out = &file;
  }
  const std::string format = vm.count("format") ? vm["format"].as<std::string>() : "trec";
  if (format != "trec" && format != "json") {
    throw InputError("--format: batch output is 'trec' or 'json', not '" + format + "'");
  }
  batch.format = format == "trec" ? BatchFormat::kTrec : BatchFormat::kJson;
  batch.search = search;
  batch.tag = vm["tag"].as<std::string>();
  // Topics are text, not query syntax: see natural_query.hpp.
  batch.topics = !vm["syntax"].as<bool>();
  batch.rm3 = vm["rm3"].as<bool>();
  if (!batch.topics && batch.rm3) throw InputError("--rm3 works on topics, not with --syntax");
  batch.natural.drop_stop_words = !vm["keep-stop-words"].as<bool>();
  batch.natural.title_weight = vm["title-weight"].as<float>();
  if (!(batch.natural.title_weight >= 0)) throw InputError("--title-weight must be >= 0");
  if (vm.count("bm25f")) {
    FieldWeighting title{vm["bm25f"].as<float>(), vm["bm25f-title-b"].as<float>()};
    if (!(title.weight > 0)) throw InputError("--bm25f: the title weight must be > 0");
    if (!(title.b >= 0 && title.b <= 1)) throw InputError("--bm25f-title-b: expected 0 to 1");
    batch.natural.bm25f_title = title;
  } else if (!vm["bm25f-title-b"].defaulted()) {
    throw InputError("--bm25f-title-b applies with --bm25f only");
  }
  batch.snippets = !vm["no-snippets"].as<bool>();
  batch.threads = vm["threads"].as<std::size_t>();
  if (batch.threads == 0 || batch.threads > 256) throw InputError("--threads: expected 1 to 256");
  const BatchSummary summary = AnswerBatch(searcher, queries, batch, *out, std::cerr);
  out->flush();
  if (!*out) throw IoError("cannot write the results");
  if (summary.failed > 0) {
    std::cerr << "fathom-search: " << batch.source << ": " << summary.failed << " of "
              << summary.queries
              << " queries failed (errors above) and have no results; the others were answered\n";
    return kSomeQueriesFailed;
  }
  return 0;
}

int Run(int argc, char** argv) {
  po::options_description options("Options");
  // clang-format off
  options.add_options()
    ("help,h", "show this help")
    ("k,k", po::value<std::size_t>(), "number of results (default 10; 1000 in batch mode)")
    ("k1", po::value<float>()->default_value(0.9f, "0.9"), "BM25 k1: term frequency saturation")
    ("b", po::value<float>()->default_value(0.4f, "0.4"), "BM25 b: length normalization")
    ("queries", po::value<std::string>(), "batch mode: file of qid<TAB>query lines")
    ("output,o", po::value<std::string>(), "batch mode: write results here (default stdout)")
    ("format", po::value<std::string>(), "output: text (default), json; batch: trec (default), json")
    ("tag", po::value<std::string>()->default_value("fathom"), "run tag in TREC output")
    ("syntax", po::bool_switch(),
     "batch mode: read queries in the query language; by default each line is a topic:\n"
     "text whose words are optional terms")
    ("keep-stop-words", po::bool_switch(), "batch mode: keep stop words in topics")
    ("title-weight", po::value<float>()->default_value(0.25f, "0.25"),
     "batch mode: weight of title matches on top of body matches (0: none)")
    ("bm25f", po::value<float>(),
     "batch mode: score words by BM25F instead, an occurrence in the title counting as W\n"
     "more in the document")
    ("bm25f-title-b", po::value<float>()->default_value(0.4f, "0.4"),
     "batch mode, with --bm25f: length normalization of the title")
    ("rm3", po::bool_switch(),
     "batch mode: RM3 pseudo-relevance feedback (10 documents, 10 terms, query weight 0.5)")
    ("doc", po::value<std::string>(), "print the stored document with this id and exit")
    ("threads", po::value<std::size_t>()->default_value(1),
     "batch mode: answer the queries on N threads (results stay in query-file order)")
    ("algorithm", po::value<std::string>()->default_value("auto"),
     "ranked evaluation: auto, exhaustive, maxscore, bmw (same results; for comparison)")
    ("count", po::bool_switch(),
     "only count the matching documents (all of them), without ranking; with --queries,\n"
     "one `qid<TAB>count` line per query (or JSON lines with --format json)")
    ("count-up-to", po::value<std::uint64_t>()->default_value(SearchOptions::kDefaultCountUpTo),
     "ranked queries count matches exactly up to N, then show N+ (a lower bound); 0: only\n"
     "those ranking visits. --count counts them all; a TREC batch counts none")
    ("sort", po::value<std::string>(),
     "order results by typed fields: FIELD[:asc|desc], several with commas, 'score' for\n"
     "relevance (e.g. date:desc,score)")
    ("facet", po::value<std::vector<std::string>>()->composing(),
     "count the matches' values of a typed field: FIELD[:BUCKETS][:N], BUCKETS value,\n"
     "year, month, day (dates) or range (numbers), N buckets shown (10); repeatable")
    ("no-snippets", po::bool_switch(), "leave snippets out of the results")
    ("explain", po::bool_switch(), "show why each result scores what it does, clause by clause")
    ("show-duplicates", po::bool_switch(),
     "list near-duplicate documents as results of their own instead of folding them")
    ("near-duplicates", po::bool_switch(), "print every group of near-duplicate documents and exit")
    ("color", po::value<std::string>()->default_value("auto"),
     "auto (on a terminal), always, never; never highlights matches as **word**");
  // clang-format on
  const CommandLine command_line = ParseCommandLine(argc, argv, options);
  const po::variables_map& vm = command_line.options;
  if (vm.count("help")) {
    PrintUsage(options);
    return 0;
  }
  const std::vector<std::string>& args = command_line.arguments;
  if (args.empty()) {
    std::cerr << "fathom-search: expected an INDEX folder (see fathom-search --help)\n";
    return 2;
  }
  std::string query;
  for (std::size_t i = 1; i < args.size(); ++i) query += (i > 1 ? " " : "") + args[i];

  SearchOptions search;
  search.bm25.k1 = vm["k1"].as<float>();
  search.bm25.b = vm["b"].as<float>();
  if (search.bm25.k1 < 0 || search.bm25.b < 0 || search.bm25.b > 1) {
    throw InputError("BM25 parameters out of range: need k1 >= 0 and 0 <= b <= 1");
  }
  const bool batch = vm.count("queries") > 0;
  search.k = vm.count("k") ? vm["k"].as<std::size_t>() : (batch ? 1000 : 10);
  const auto algorithm = ParseAlgorithm(vm["algorithm"].as<std::string>());
  if (!algorithm) throw InputError("--algorithm: expected auto, exhaustive, maxscore or bmw");
  search.algorithm = *algorithm;
  search.count_only = vm["count"].as<bool>();
  search.count_exactly_up_to = vm["count-up-to"].as<std::uint64_t>();

  const std::string color = vm["color"].as<std::string>();
  if (color != "auto" && color != "always" && color != "never") {
    throw InputError("--color: expected auto, always or never");
  }
  const bool stdout_tty = ::isatty(STDOUT_FILENO);
  TextStyle style =
      color == "always" || (color == "auto" && stdout_tty) ? TerminalStyle() : PlainStyle();
  style.snippets = !vm["no-snippets"].as<bool>();
  style.explain = vm["explain"].as<bool>();

  // One query (or one document, or one pass over the sketches) is answered
  // sooner from the mapped index than after preloading its lists.
  const bool one_shot =
      !batch && (!query.empty() || vm.count("doc") > 0 || vm["near-duplicates"].as<bool>());
  Searcher searcher(args[0], one_shot ? Residency::kMapped : Residency::kPreloaded);
  if (vm.count("sort")) {
    search.sort = ParseSortKeys(vm["sort"].as<std::string>(), searcher.snapshot().field_types(),
                                searcher.snapshot().field_uses());
  }
  if (vm.count("facet")) {
    for (const std::string& facet : vm["facet"].as<std::vector<std::string>>()) {
      search.facets.push_back(
          ParseFacet(facet, searcher.snapshot().field_types(), searcher.snapshot().field_uses()));
    }
  }
  if (vm.count("doc")) {
    const auto doc = searcher.snapshot().FindExternalId(vm["doc"].as<std::string>());
    if (!doc) throw InputError("no document with id '" + vm["doc"].as<std::string>() + "'");
    PrintDocument(std::cout, searcher, *doc, style);
    return 0;
  }
  if (vm["near-duplicates"].as<bool>()) {
    const auto groups = FindNearDuplicateGroups(searcher.snapshot());
    for (const auto& group : groups) {
      for (std::size_t i = 0; i < group.size(); ++i) {
        std::cout << (i == 0 ? "" : "\t") << searcher.snapshot().external_id(group[i]);
      }
      std::cout << "\n";
    }
    std::cerr << groups.size() << " group(s) of near-duplicate documents\n";
    return 0;
  }
  if (batch) return RunBatch(searcher, vm, search);

  const std::string format = vm.count("format") ? vm["format"].as<std::string>() : "text";
  if (format != "text" && format != "json") {
    throw InputError("--format: expected text or json, not '" + format + "'");
  }
  const bool fold = !vm["show-duplicates"].as<bool>();
  const auto answer = [&](const std::string& text) {
    const DisplayResult display = SearchForDisplay(searcher, text, search, fold);
    if (format == "json") {
      JsonResultStyle json;
      json.snippets = style.snippets;
      json.did_you_mean = display.corrected_query;
      json.explain_with = style.explain ? &display.bm25 : nullptr;
      WriteJsonResult(std::cout, searcher, "", text, display.result, display.groups, json);
    } else {
      PrintResults(std::cout, searcher, display, style);
    }
  };
  if (!query.empty()) {
    answer(query);
    return 0;
  }
  if (::isatty(STDIN_FILENO)) return RunPrompt(searcher, {search, style, fold});
  // Queries piped on standard input: one per line.
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    answer(line);
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return RunCommandLine("fathom-search", [&] { return Run(argc, argv); });
}
