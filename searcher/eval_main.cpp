// fathom-eval: scores a TREC run against TREC qrels with trec_eval's
// definitions (see searcher/trec_eval.hpp), printing trec_eval's format.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "common/command_line.hpp"
#include "common/error.hpp"
#include "fathom/trec_eval.hpp"

namespace po = boost::program_options;
using namespace fathom;

namespace {

void PrintUsage(const po::options_description& options) {
  std::cout << "Usage: fathom-eval QRELS RUN [-q]\n\n"
               "Scores RUN (qid Q0 docid rank score tag) against QRELS (qid 0 docid relevance)\n"
               "like `trec_eval -c -m num_q -m map -m P.10 -m recall.100,1000 -m ndcg_cut.10`:\n"
               "judged queries only, a judged query missing from the run scores 0, documents\n"
               "ranked by score then by docid descending (the rank column is ignored).\n\n"
            << options;
}

void PrintLine(const char* measure, const std::string& qid, double value) {
  std::printf("%-22s\t%s\t%.4f\n", measure, qid.c_str(), value);
}

void PrintCount(const char* measure, const std::string& qid, std::size_t value) {
  std::printf("%-22s\t%s\t%zu\n", measure, qid.c_str(), value);
}

void PrintMeasures(const std::string& qid, const TrecMeasures& m) {
  PrintCount("num_ret", qid, m.num_ret);
  PrintCount("num_rel", qid, m.num_rel);
  PrintCount("num_rel_ret", qid, m.num_rel_ret);
  PrintLine("map", qid, m.map);
  PrintLine("P_10", qid, m.p_10);
  PrintLine("recall_100", qid, m.recall_100);
  PrintLine("recall_1000", qid, m.recall_1000);
  PrintLine("ndcg_cut_10", qid, m.ndcg_cut_10);
}

template <typename T>
T ReadFile(const std::string& path, T (*read)(std::istream&, std::string_view)) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open");
  return read(in, path);
}

int Run(int argc, char** argv) {
  po::options_description options("Options");
  // clang-format off
  options.add_options()
    ("help,h", "show this help")
    ("q,q", po::bool_switch(), "also print the measures of every query");
  // clang-format on
  const CommandLine command_line = ParseCommandLine(argc, argv, options);
  if (command_line.options.count("help")) {
    PrintUsage(options);
    return 0;
  }
  const std::vector<std::string>& args = command_line.arguments;
  if (args.size() != 2) {
    std::cerr << "fathom-eval: expected QRELS and RUN (see fathom-eval --help)\n";
    return 2;
  }
  const TrecQrels qrels = ReadFile(args[0], ReadTrecQrels);
  const TrecRun run = ReadFile(args[1], ReadTrecRun);
  if (qrels.empty()) throw InputError(args[0] + ": no judgments");
  const TrecEvaluation evaluation = EvaluateTrecRun(qrels, run);
  if (command_line.options["q"].as<bool>()) {
    for (const auto& [qid, measures] : evaluation.per_query) PrintMeasures(qid, measures);
  }
  PrintCount("num_q", "all", evaluation.per_query.size());
  PrintMeasures("all", evaluation.mean);
  std::fflush(stdout);
  if (std::ferror(stdout)) throw IoError("cannot write the results");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return RunCommandLine("fathom-eval", [&] { return Run(argc, argv); });
}
