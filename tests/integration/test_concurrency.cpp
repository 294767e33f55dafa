// One open index, many threads: thousands of mixed queries (words, phrases,
// required and excluded clauses) answered from several threads at once must
// equal the single-threaded answers, hit by hit, score by score. Run under
// ThreadSanitizer by .ci/test.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <regex>
#include <thread>

#include "common/analyzer.hpp"
#include "common/doc_store.hpp"
#include "common/index_reader.hpp"
#include "searcher/evaluator.hpp"
#include "searcher/query_parser.hpp"
#include "searcher/searcher.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kThreads = 6;

std::vector<std::string> Vocabulary() {
  std::vector<std::string> words;
  for (int i = 0; i < 300; ++i) words.push_back("t" + std::to_string(i) + "x");
  return words;
}

// Zipf-like: small indexes are common, so some terms have long lists.
std::string Word(std::mt19937_64& rng, const std::vector<std::string>& words) {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng);
  return words[static_cast<std::size_t>(std::pow(u, 3) * static_cast<double>(words.size()))];
}

std::vector<SourceDocument> Corpus() {
  std::mt19937_64 rng(5);
  const auto words = Vocabulary();
  std::vector<SourceDocument> docs;
  for (int d = 0; d < 3000; ++d) {
    SourceDocument doc;
    doc.id = "doc" + std::to_string(d);
    if (d % 4 == 0) doc.title = Word(rng, words) + " " + Word(rng, words);
    const int length = 5 + static_cast<int>(rng() % 60);
    for (int i = 0; i < length; ++i) doc.body += Word(rng, words) + (i % 9 == 8 ? ". " : " ");
    docs.push_back(std::move(doc));
  }
  return docs;
}

std::vector<std::string> Queries(std::size_t count) {
  std::mt19937_64 rng(11);
  const auto words = Vocabulary();
  std::vector<std::string> queries;
  for (std::size_t q = 0; q < count; ++q) {
    std::string text;
    const int clauses = 1 + static_cast<int>(rng() % 4);
    for (int c = 0; c < clauses; ++c) {
      const int kind = static_cast<int>(rng() % 6);
      if (!text.empty()) text += " ";
      if (kind == 0) {
        text += "\"" + Word(rng, words) + " " + Word(rng, words) + "\"";
      } else if (kind == 1) {
        text += "+" + Word(rng, words);
      } else if (kind == 2 && c > 0) {
        text += "-" + Word(rng, words);
      } else {
        text += Word(rng, words);
      }
    }
    queries.push_back(text);
  }
  return queries;
}

struct Answer {
  std::vector<Hit> hits;
  std::uint64_t total = 0;
  bool operator==(const Answer& other) const {
    if (total != other.total || hits.size() != other.hits.size()) return false;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      if (hits[i].doc != other.hits[i].doc || hits[i].score != other.hits[i].score) return false;
    }
    return true;
  }
};

class ConcurrencyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    index_ = BuildFromDocs(*dir_, Corpus());
    queries_ = Queries(3000);
    Searcher searcher(index_);
    for (const auto& query : queries_) {
      SearchOptions options;
      options.k = 10;
      const SearchResult result = searcher.Search(query, options);
      expected_.push_back({result.hits, result.total_matches});
    }
  }
  static void TearDownTestSuite() { delete dir_; }

  static TempDir* dir_;
  static fs::path index_;
  static std::vector<std::string> queries_;
  static std::vector<Answer> expected_;
};
TempDir* ConcurrencyTest::dir_ = nullptr;
fs::path ConcurrencyTest::index_;
std::vector<std::string> ConcurrencyTest::queries_;
std::vector<Answer> ConcurrencyTest::expected_;

// The batch mode's shape: one Searcher per thread, all over the same files,
// threads taking queries from a shared counter.
TEST_F(ConcurrencyTest, OneSearcherPerThreadMatchesSingleThreaded) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> mismatches{0};
  std::atomic<std::size_t> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Searcher searcher(index_);
      for (std::size_t i; (i = next.fetch_add(1)) < queries_.size();) {
        SearchOptions options;
        options.k = 10;
        const SearchResult result = searcher.Search(queries_[i], options);
        if (!(Answer{result.hits, result.total_matches} == expected_[i])) ++mismatches;
        if (!result.hits.empty()) (void)searcher.Document(result.hits[0].doc);
        ++answered;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), queries_.size());
  EXPECT_EQ(mismatches.load(), 0u);
}

// The index itself (reader, cursors, document store) shared by every thread:
// it is immutable once open, so no locking is needed. Each thread has its own
// analyzer and parser (they keep per-call state).
TEST_F(ConcurrencyTest, SharedReaderAndStoreMatchSingleThreaded) {
  const IndexReader reader(index_);
  const DocStore store(reader.store_file(), reader.document_count());
  std::vector<StoredDocument> first_docs;
  for (DocId d = 0; d < 50; ++d) first_docs.push_back(store.Get(d));
  std::atomic<std::size_t> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Analyzer analyzer(reader.meta().analysis);
      QueryParser parser(analyzer);
      for (std::size_t i = static_cast<std::size_t>(t); i < queries_.size(); i += kThreads) {
        const Query query = parser.Parse(queries_[i]);
        EvalOptions options;
        options.k = 10;
        const EvalResult exhaustive = EvaluateExhaustive(reader, query, options);
        const EvalResult fast = Evaluate(reader, query, options);
        if (!(Answer{exhaustive.hits, exhaustive.total_matches} ==
              Answer{fast.hits, exhaustive.total_matches})) {
          ++mismatches;
        }
        const DocId d = static_cast<DocId>(i % first_docs.size());
        const StoredDocument doc = store.Get(d);
        if (doc.body != first_docs[d].body || doc.title != first_docs[d].title) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0u);
}

TEST_F(ConcurrencyTest, BatchThreadsGiveTheSameRunInTheSameOrder) {
  std::string lines;
  for (std::size_t i = 0; i < 1000; ++i) {
    lines += "q" + std::to_string(i) + "\t" + queries_[i] + "\n";
  }
  WriteFile(*dir_ / "queries.tsv", lines);
  const auto run = [&](int threads, const std::string& format) {
    CommandResult result =
        RunCommand(kSearchBin + " " + Quote(index_) + " --queries " + Quote(*dir_ / "queries.tsv") +
                   " --syntax -k 20 --format " + format + " --threads " + std::to_string(threads));
    // JSON carries each query's time, which differs from run to run.
    result.out = std::regex_replace(result.out, std::regex("\"milliseconds\":[-+.0-9e]+"), "");
    return result;
  };
  for (const std::string format : {"trec", "json"}) {
    const CommandResult one = run(1, format);
    ASSERT_EQ(one.exit_code, 0) << one.err;
    EXPECT_GT(one.out.size(), 1000u);
    for (const int threads : {3, 8}) {
      const CommandResult many = run(threads, format);
      ASSERT_EQ(many.exit_code, 0) << many.err;
      EXPECT_TRUE(one.out == many.out) << format << " with " << threads << " threads differs";
    }
  }
  EXPECT_EQ(run(0, "trec").exit_code, 1);
}

}  // namespace
}  // namespace fathom::testing
