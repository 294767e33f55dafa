// One open index, many threads: thousands of mixed queries (words, phrases,
// required and excluded clauses) answered from several threads at once must
// equal the single-threaded answers, hit by hit, score by score. And one
// index searched while it changes: every answer is that of a state the
// index was in. Run under ThreadSanitizer by .ci/test.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "common/analysis/analyzer.hpp"
#include "common/read/doc_store.hpp"
#include "common/read/index_reader.hpp"
#include "indexer/write/index_editor.hpp"
#include "searcher/eval/evaluator.hpp"
#include "searcher/query/query_tree.hpp"
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
  const IndexSnapshot snapshot(index_);
  const DocStore store(reader.store_file(), reader.document_count());
  std::vector<StoredDocument> first_docs;
  for (DocId d = 0; d < 50; ++d) first_docs.push_back(store.Get(d));
  std::atomic<std::size_t> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Analyzer analyzer(reader.meta().analysis);
      QueryTreeParser parser(analyzer, snapshot);
      for (std::size_t i = static_cast<std::size_t>(t); i < queries_.size(); i += kThreads) {
        const Query query = ParseFlatQuery(parser, queries_[i]);
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

// What a search returns, comparable between snapshots of one generation:
// global ids, scores bit for bit, the exact count, and the stored text of
// the best hit (read through the snapshot's mapping of the store).
struct SoakAnswer {
  std::vector<std::string> ids;
  std::vector<Score> scores;
  std::uint64_t total = 0;
  std::string best_body;
  bool operator==(const SoakAnswer&) const = default;
};

SoakAnswer SoakAsk(Searcher& searcher, const std::string& text) {
  SearchOptions options;
  options.k = 10;
  const SearchResult result = searcher.Search(text, options);
  SoakAnswer answer;
  for (const Hit& hit : result.hits) {
    answer.ids.emplace_back(searcher.snapshot().external_id(hit.doc));
    answer.scores.push_back(hit.score);
  }
  answer.total = result.total_matches;
  if (!result.hits.empty()) answer.best_body = searcher.Document(result.hits[0].doc).body;
  return answer;
}

// The answers to every query in each committed state, by manifest
// generation, published by the writer right after its commit.
class ExpectedAnswers {
 public:
  using Answers = std::shared_ptr<const std::vector<SoakAnswer>>;
  void Publish(std::uint64_t generation, Answers answers) {
    {
      const std::lock_guard lock(mutex_);
      by_generation_[generation] = std::move(answers);
    }
    published_.notify_all();
  }
  // No more generations: waiters for unpublished ones get null.
  void Close() {
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
    }
    published_.notify_all();
  }
  // A searcher may open a generation before the writer has answered it:
  // waits until it has (or has stopped).
  Answers Wait(std::uint64_t generation) {
    std::unique_lock lock(mutex_);
    published_.wait(lock, [&] { return closed_ || by_generation_.contains(generation); });
    const auto it = by_generation_.find(generation);
    return it == by_generation_.end() ? nullptr : it->second;
  }

 private:
  std::mutex mutex_;
  std::condition_variable published_;
  std::map<std::uint64_t, Answers> by_generation_;
  bool closed_ = false;
};

// Problems seen by the threads, kept for the main thread to report (a
// failed assertion cannot stop another thread).
class Problems {
 public:
  void Add(const std::string& problem) {
    const std::lock_guard lock(mutex_);
    if (list_.size() < 20) list_.push_back(problem);
    ++count_;
  }
  std::size_t count() {
    const std::lock_guard lock(mutex_);
    return count_;
  }
  std::string Report() {
    const std::lock_guard lock(mutex_);
    std::string report;
    for (const auto& problem : list_) report += problem + "\n";
    return report;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> list_;
  std::size_t count_ = 0;
};

double SoakSeconds() {
  const char* seconds = std::getenv("FATHOM_SOAK_SECONDS");
  return seconds != nullptr && *seconds != '\0' ? std::atof(seconds) : 60.0;
}

// Searching while writing, as fathom-search and fathom-index do to one
// index: 8 searcher threads query without pause, each opening fresh
// snapshots (for every query, or every few queries), while a writer adds
// documents (some re-added, replacing older copies), deletes and merges
// through fathom-index's own code for a minute (FATHOM_SOAK_SECONDS
// shortens it for local runs). After each commit the writer answers every
// query from a quiet snapshot of the new generation; whatever a searcher
// gets from a snapshot of generation G must equal those answers for G. No
// query may fail.
TEST_F(ConcurrencyTest, SearchesWhileAddingDeletingAndMergingSeeOneCommittedState) {
  constexpr int kSearchers = 8;
  const auto words = Vocabulary();
  std::mt19937_64 rng(23);
  std::uint64_t next_id = 0;
  const auto make_doc = [&](std::string id) {
    SourceDocument doc;
    doc.id = std::move(id);
    if (rng() % 4 == 0) doc.title = Word(rng, words) + " " + Word(rng, words);
    for (int i = 0, n = 5 + static_cast<int>(rng() % 60); i < n; ++i) {
      doc.body += Word(rng, words) + (i % 9 == 8 ? ". " : " ");
    }
    return doc;
  };
  TempDir dir;
  std::vector<SourceDocument> initial;
  std::set<std::string> live;  // external ids, as the writer knows them
  for (int d = 0; d < 1500; ++d) {
    initial.push_back(make_doc("s" + std::to_string(next_id++)));
    live.insert(initial.back().id);
  }
  const fs::path index = BuildFromDocs(dir, initial);

  // Flat queries of every kind, and the rest of the language: few enough
  // that the writer, answering them all after each commit, still commits
  // often with 8 threads searching on a small machine.
  std::vector<std::string> queries(queries_.begin(), queries_.begin() + 64);
  for (int q = 0; q < 16; ++q) {
    const std::string a = Word(rng, words), b = Word(rng, words), c = Word(rng, words);
    const std::string forms[] = {
        "(" + a + " OR " + b + ") AND " + c, a.substr(0, 2) + "*",   a + "~1",
        "\"" + a + " " + b + "\"~3",         "title:" + a + " " + b, a + " NOT " + b,
        "+(" + a + " " + b + ") -" + c};
    queries.push_back(forms[q % std::size(forms)]);
  }

  ExpectedAnswers expected;
  Problems problems;
  // The answers of a quiet snapshot, the writer's own, opened right after
  // its commit: nothing else changes the index.
  const auto publish = [&](std::shared_ptr<const IndexSnapshot> quiet) {
    const std::uint64_t generation = quiet->manifest().generation;
    Searcher searcher(std::move(quiet));
    auto answers = std::make_shared<std::vector<SoakAnswer>>();
    for (const auto& text : queries) answers->push_back(SoakAsk(searcher, text));
    expected.Publish(generation, std::move(answers));
    return generation;
  };

  std::atomic<bool> stop{false};
  std::size_t commits = 0, adds = 0, deletes = 0, merges = 0;
  std::uint64_t last_generation = 0;
  std::thread writer([&] {
    try {
      last_generation = publish(std::make_shared<const IndexSnapshot>(index));
      const auto deadline =
          std::chrono::steady_clock::now() + std::chrono::duration<double>(SoakSeconds());
      BuildOptions options;
      options.threads = 1;
      for (std::size_t step = 0; std::chrono::steady_clock::now() < deadline; ++step) {
        // add, delete, merge, add, delete: a merge comes early even when
        // the writer gets little time (under ThreadSanitizer).
        const std::size_t kind = step % 5;
        if (kind == 2) {
          MergeSegments(index, nullptr);
          ++merges;
        } else if (kind == 0 || kind == 3) {
          std::vector<SourceDocument> batch;
          for (std::size_t i = 0, n = 20 + rng() % 80; i < n; ++i) {
            // A fifth re-add a live id: the older copy is deleted in the
            // same commit.
            std::string id = "s" + std::to_string(next_id++);
            if (rng() % 5 == 0) id = *std::next(live.begin(), rng() % live.size());
            if (std::any_of(batch.begin(), batch.end(), [&](auto& d) { return d.id == id; })) {
              continue;
            }
            batch.push_back(make_doc(id));
            live.insert(id);
          }
          AddDocuments(WriteJsonl(dir, batch, "add.jsonl"), index, options, nullptr, nullptr);
          ++adds;
        } else {
          std::vector<std::string> ids = {"no-such-id"};
          for (std::size_t i = 0, n = 20 + rng() % 100; i < n && live.size() > 100; ++i) {
            const auto it = std::next(live.begin(), rng() % live.size());
            ids.push_back(*it);
            live.erase(it);
          }
          DeleteDocuments(index, ids);
          ++deletes;
        }
        auto quiet = std::make_shared<const IndexSnapshot>(index);
        const std::uint64_t generation = quiet->manifest().generation;
        if (generation != last_generation + 1) {
          problems.Add("step " + std::to_string(step) + ": generation " +
                       std::to_string(generation) + " after " + std::to_string(last_generation));
        }
        if (quiet->live_count() != live.size()) {
          problems.Add("generation " + std::to_string(generation) + ": " +
                       std::to_string(quiet->live_count()) + " live documents, expected " +
                       std::to_string(live.size()));
        }
        last_generation = publish(std::move(quiet));
        ++commits;
      }
    } catch (const std::exception& e) {
      problems.Add(std::string("writer: ") + e.what());
    }
    expected.Close();
  });

  std::atomic<std::size_t> answered{0};
  std::vector<std::set<std::uint64_t>> seen(kSearchers);
  std::vector<std::thread> searchers;
  for (int t = 0; t < kSearchers; ++t) {
    searchers.emplace_back([&, t] {
      std::mt19937_64 pick(static_cast<std::uint64_t>(t));
      std::unique_ptr<Searcher> searcher;
      std::size_t until_reopen = 0;
      while (!stop.load()) {
        const std::size_t q = pick() % queries.size();
        try {
          // Even threads open a snapshot per query, odd ones keep one for
          // up to 32 queries.
          if (until_reopen-- == 0) {
            searcher = std::make_unique<Searcher>(index);
            until_reopen = t % 2 == 0 ? 0 : pick() % 32;
          }
          const SoakAnswer answer = SoakAsk(*searcher, queries[q]);
          const std::uint64_t generation = searcher->snapshot().manifest().generation;
          const ExpectedAnswers::Answers answers = expected.Wait(generation);
          if (answers == nullptr) {
            problems.Add("generation " + std::to_string(generation) + " never answered");
          } else if (!(answer == (*answers)[q])) {
            problems.Add("generation " + std::to_string(generation) + ": '" + queries[q] +
                         "' answered differently");
          }
          seen[t].insert(generation);
          ++answered;
        } catch (const std::exception& e) {
          problems.Add("'" + queries[q] + "': " + e.what());
          until_reopen = 0;
        }
      }
    });
  }
  writer.join();
  stop = true;
  for (auto& thread : searchers) thread.join();

  std::set<std::uint64_t> generations;
  for (const auto& s : seen) generations.insert(s.begin(), s.end());
  std::cout << "[ soak ] " << SoakSeconds() << " s: " << answered.load() << " queries answered, "
            << commits << " commits (" << adds << " adds, " << deletes << " deletes, " << merges
            << " merges), " << generations.size() << " generations seen of " << (commits + 1)
            << ", " << problems.count() << " problems\n";
  EXPECT_EQ(problems.count(), 0u) << problems.Report();
  EXPECT_GT(commits, 0u);
  EXPECT_GT(answered.load(), 0u);
  EXPECT_GT(generations.size(), 1u);  // searchers did see the index change
}

}  // namespace
}  // namespace fathom::testing
