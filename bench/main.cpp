// fathom-bench: Fathom's benchmark suite in one executable. Subcommands
// generate a synthetic corpus and a query set, replay queries end to end,
// and run the Google Benchmark micro-benchmarks (the *_bench.cpp files).
#include <benchmark/benchmark.h>

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/args.hpp"
#include "bench/commands.hpp"
#include "common/error.hpp"

namespace {

void PrintUsage(std::ostream& out) {
  out << "Usage: fathom-bench COMMAND [arguments]\n\n"
         "Commands:\n"
         "  generate-corpus --docs N --seed S [--vocabulary V] [--output FILE]\n"
         "      synthetic JSON Lines corpus (Zipf words, log-normal lengths, phrases)\n"
         "  generate-queries INDEX --count N --seed S [--output FILE]\n"
         "      'qid<TAB>query' lines drawn from INDEX's stored documents\n"
         "  queries INDEX QUERIES [--modes top10,top100,count] [--algorithm auto,...]\n"
         "          [--threads 1,2] [--warmup 1] [--runs 3] [--json FILE] [--results FILE]\n"
         "      end-to-end Searcher::Search latency and QPS per query kind\n"
         "  batch INDEX QUERIES [--format trec|json] [--syntax 0|1] [--threads 1,2] [--runs 3]\n"
         "      fathom-search --queries as users run it (AnswerBatch): time per batch, QPS\n"
         "  add-fields CORPUS --seed S [--output FILE]\n"
         "      the corpus with typed fields of known selectivity (bucket, day, group, flag)\n"
         "  analyze INDEX (--corpus FILE | --queries FILE) [--output FILE]\n"
         "      the analyzer's terms of documents or queries, for bench/lucene/\n"
         "  micro [Google Benchmark flags, e.g. --benchmark_filter=Unpack]\n"
         "      component micro-benchmarks: codec, analyzer, top-k, posting cursor\n\n"
         "'fathom-bench COMMAND --help' describes a command; bench/README.md the models.\n";
}

int RunMicro(int argc, char** argv) {
  // Google Benchmark expects the program name first: drop only "micro".
  std::vector<char*> micro_argv{argv[0]};
  for (int i = 2; i < argc; ++i) micro_argv.push_back(argv[i]);
  micro_argv.push_back(nullptr);
  int micro_argc = argc - 1;
  benchmark::Initialize(&micro_argc, micro_argv.data());
  if (benchmark::ReportUnrecognizedArguments(micro_argc, micro_argv.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fathom::bench;
  if (argc < 2) {
    PrintUsage(std::cerr);
    return 2;
  }
  const std::string_view command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "generate-corpus") return RunGenerateCorpus(args);
    if (command == "generate-queries") return RunGenerateQueries(args);
    if (command == "queries") return RunQueries(args);
    if (command == "batch") return RunBatchBench(args);
    if (command == "analyze") return RunAnalyze(args);
    if (command == "add-fields") return RunAddFields(args);
    if (command == "micro") return RunMicro(argc, argv);
    if (command == "help" || command == "--help" || command == "-h") {
      PrintUsage(std::cout);
      return 0;
    }
    std::cerr << "fathom-bench: unknown command '" << command << "'\n\n";
    PrintUsage(std::cerr);
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "fathom-bench " << command << ": " << e.what() << " (see fathom-bench " << command
              << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "fathom-bench " << command << ": " << e.what() << "\n";
    return 1;
  }
}
