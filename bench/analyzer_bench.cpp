// What's measured: Analyzer (common/analysis/analyzer.hpp) throughput, text to
//   terms: word splitting, case folding, stop words, Snowball stemming.
//   Arg 0 = english stemming, 1 = english + stop words, 2 = no stemming
//   ("none"), which isolates the stemmer's share.
// Data: BM_AnalyzeGenerated: 500 documents of the synthetic corpus model
//   (bench/corpus_model.hpp, seed 42); BM_AnalyzeNewsSample: the text files
//   of ../shared/corpora/news-sample (real English news), skipped with an
//   error when that folder is absent.
// Notes: counters "tokens/s" (terms produced) and bytes_per_second (input
//   text). Each document is analyzed separately, as the indexer does.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/corpus_model.hpp"
#include "common/analysis/analyzer.hpp"
#include "indexer/corpus/corpus_reader.hpp"

#ifndef FATHOM_SHARED_DIR
#define FATHOM_SHARED_DIR "../shared"
#endif

namespace fathom::bench {
namespace {

const std::vector<std::string>& GeneratedTexts() {
  static const std::vector<std::string> texts = [] {
    CorpusModel model;
    model.seed = 42;
    CorpusGenerator generator(model);
    std::vector<std::string> out;
    GeneratedDocument document;
    for (int i = 0; i < 500; ++i) {
      generator.Next(document);
      out.push_back(document.title + "\n\n" + document.body);
    }
    return out;
  }();
  return texts;
}

const std::vector<std::string>& NewsTexts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    const std::filesystem::path dir =
        std::filesystem::path(FATHOM_SHARED_DIR) / "corpora" / "news-sample";
    std::error_code error;
    if (!std::filesystem::is_directory(dir, error)) return out;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, error)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // directory order is not stable
    for (const auto& file : files) out.push_back(ReadWholeFile(file));
    return out;
  }();
  return texts;
}

AnalysisSettings SettingsFor(std::int64_t variant) {
  AnalysisSettings settings;
  if (variant == 1) settings.stop_words = DefaultStopWords("english");
  if (variant == 2) settings.language = "none";
  return settings;
}

void Analyze(benchmark::State& state, const std::vector<std::string>& texts) {
  Analyzer analyzer(SettingsFor(state.range(0)));
  std::size_t bytes = 0;
  for (const auto& text : texts) bytes += text.size();
  std::uint64_t tokens = 0;
  Token token;
  for (auto _ : state) {
    for (const auto& text : texts) {
      analyzer.Reset(text);
      while (analyzer.Next(token)) ++tokens;
    }
    benchmark::DoNotOptimize(token.term.data());
  }
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
  state.counters["tokens/doc"] =
      static_cast<double>(tokens) / static_cast<double>(state.iterations() * texts.size());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}

void BM_AnalyzeGenerated(benchmark::State& state) { Analyze(state, GeneratedTexts()); }
BENCHMARK(BM_AnalyzeGenerated)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

void BM_AnalyzeNewsSample(benchmark::State& state) {
  const auto& texts = NewsTexts();
  if (texts.empty()) {
    state.SkipWithError("no files in " FATHOM_SHARED_DIR "/corpora/news-sample");
    return;
  }
  Analyze(state, texts);
}
BENCHMARK(BM_AnalyzeNewsSample)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fathom::bench
