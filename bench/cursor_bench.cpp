// What's measured: PostingCursor (common/posting_cursor.hpp) on a real
//   index: BM_CursorNext walks a whole posting list; BM_CursorNextGeq/R/S
//   leaps with NextGeq(doc + S), as conjunctions do, where larger strides
//   skip whole blocks through the skip table; BM_CursorPositions also
//   decodes every posting's positions, as phrase matching does.
// Data: a 30,000-document index built once per process with fathom::BuildIndex
//   from the synthetic corpus model (seed 42), in a temporary folder removed
//   at exit. R is the vocabulary rank of the term: 0 is the most frequent
//   word (in nearly every document), 100 and 1000 are mid and rare terms.
// Notes: counters "postings/s" (postings of the list covered per second),
//   "calls/s" for NextGeq, and "df" (the list's length). Cursor creation is
//   inside the loop: it decodes the first block, which a query pays too.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/corpus_model.hpp"
#include "common/index_reader.hpp"
#include "common/posting_cursor.hpp"
#include "indexer/index_builder.hpp"

namespace fathom::bench {
namespace {

constexpr std::uint64_t kDocuments = 30000;

class CursorFixture {
 public:
  CursorFixture()
      : dir_(std::filesystem::temp_directory_path() /
             ("fathom-bench-cursor-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    CorpusModel model;
    model.seed = 42;
    CorpusGenerator generator(model);
    const auto corpus = dir_ / "corpus.jsonl";
    {
      std::ofstream out(corpus, std::ios::binary);
      std::string line;
      GeneratedDocument document;
      for (std::uint64_t i = 0; i < kDocuments; ++i) {
        generator.Next(document);
        line.clear();
        AppendJsonLine(document, line);
        out << line;
      }
    }
    BuildIndex(corpus, dir_ / "index", BuildOptions{}, [](const std::string&) {}, {});
    reader_ = std::make_unique<IndexReader>(dir_ / "index");
    Analyzer analyzer(reader_->meta().analysis);
    for (const std::string& word : generator.vocabulary()) {
      const auto tokens = analyzer.AnalyzeAll(word);
      terms_.push_back(tokens.size() == 1 ? tokens[0].term : std::string());
    }
  }

  ~CursorFixture() {
    reader_.reset();  // unmap before deleting the files
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  const IndexReader& reader() const { return *reader_; }

  // The indexed term of the vocabulary word of this rank, when it has one.
  std::optional<TermInfo> TermOfRank(std::size_t rank) const {
    if (rank >= terms_.size() || terms_[rank].empty()) return std::nullopt;
    return reader_->FindTerm(terms_[rank]);
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<IndexReader> reader_;
  std::vector<std::string> terms_;
};

// Built on first use, so a --benchmark_filter that excludes the cursor
// benchmarks does not pay for indexing.
const CursorFixture& Fixture() {
  static const CursorFixture fixture;
  return fixture;
}

std::optional<TermInfo> TermOrSkip(benchmark::State& state) {
  auto term = Fixture().TermOfRank(static_cast<std::size_t>(state.range(0)));
  if (!term) state.SkipWithError("the vocabulary word of this rank is not in the index");
  return term;
}

void BM_CursorNext(benchmark::State& state) {
  const auto term = TermOrSkip(state);
  if (!term) return;
  const IndexReader& reader = Fixture().reader();
  std::uint64_t postings = 0;
  for (auto _ : state) {
    PostingCursor cursor(reader, *term);
    std::uint32_t sum = 0;
    for (; cursor.doc() != kEndDoc; cursor.Next()) sum += cursor.frequency();
    benchmark::DoNotOptimize(sum);
    postings += term->entry.document_frequency;
  }
  state.counters["postings/s"] =
      benchmark::Counter(static_cast<double>(postings), benchmark::Counter::kIsRate);
  state.counters["df"] = term->entry.document_frequency;
}
BENCHMARK(BM_CursorNext)->Arg(0)->Arg(100)->Arg(1000);

void BM_CursorNextGeq(benchmark::State& state) {
  const auto term = TermOrSkip(state);
  if (!term) return;
  const auto stride = static_cast<DocId>(state.range(1));
  const IndexReader& reader = Fixture().reader();
  std::uint64_t calls = 0, postings = 0;
  for (auto _ : state) {
    PostingCursor cursor(reader, *term);
    std::uint32_t sum = 0;
    while (cursor.doc() != kEndDoc) {
      sum += cursor.frequency();
      cursor.NextGeq(cursor.doc() + stride);
      ++calls;
    }
    benchmark::DoNotOptimize(sum);
    postings += term->entry.document_frequency;
  }
  state.counters["calls/s"] =
      benchmark::Counter(static_cast<double>(calls), benchmark::Counter::kIsRate);
  state.counters["postings/s"] =
      benchmark::Counter(static_cast<double>(postings), benchmark::Counter::kIsRate);
  state.counters["df"] = term->entry.document_frequency;
}
BENCHMARK(BM_CursorNextGeq)
    ->ArgNames({"rank", "stride"})
    ->ArgsProduct({{0, 100}, {2, 8, 64, 512, 4096}});

void BM_CursorPositions(benchmark::State& state) {
  const auto term = TermOrSkip(state);
  if (!term) return;
  const IndexReader& reader = Fixture().reader();
  std::vector<std::uint32_t> positions;
  std::uint64_t postings = 0, decoded = 0;
  for (auto _ : state) {
    PostingCursor cursor(reader, *term);
    for (; cursor.doc() != kEndDoc; cursor.Next()) {
      cursor.Positions(positions);
      decoded += positions.size();
    }
    benchmark::DoNotOptimize(positions.data());
    postings += term->entry.document_frequency;
  }
  state.counters["postings/s"] =
      benchmark::Counter(static_cast<double>(postings), benchmark::Counter::kIsRate);
  state.counters["positions/s"] =
      benchmark::Counter(static_cast<double>(decoded), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CursorPositions)->Arg(0)->Arg(100);

}  // namespace
}  // namespace fathom::bench
