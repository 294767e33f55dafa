#include "bench/fixtures.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench/corpus_model.hpp"
#include "common/analysis/analyzer.hpp"
#include "indexer/write/index_builder.hpp"

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

}  // namespace

const IndexReader& SmallIndex() { return Fixture().reader(); }

std::optional<TermInfo> SmallIndexTermOfRank(std::size_t rank) {
  return Fixture().TermOfRank(rank);
}

}  // namespace fathom::bench
