// The public C++ API (include/fathom), used as an application uses it: only
// <fathom/fathom.hpp>, linked against libfathom. Its answers are checked
// against fathom-search's, its commits for atomicity, and one Index shared
// by threads while a writer commits.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>
#include <fathom/fathom.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/contract.hpp"

namespace {

namespace fs = std::filesystem;

class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "fathom-api-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

std::string Output(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    output.append(buffer, n);
  ::pclose(pipe);
  return output;
}

std::vector<fathom::Document> Documents(int count) {
  std::vector<fathom::Document> documents;
  for (int i = 0; i < count; ++i) {
    std::string body = "common";
    if (i % 2 == 0) body += " even";
    if (i % 50 == 0) body += " rare";
    for (int j = 0; j <= i % 7; ++j) body += " w" + std::to_string((i * 5 + j) % 31);
    documents.push_back({"d" + std::to_string(i), "Title " + std::to_string(i % 11), body});
  }
  return documents;
}

fs::path Build(const Scratch& scratch, int count) {
  const fs::path path = scratch / "index";
  fathom::IndexWriter writer(path);
  for (fathom::Document& document : Documents(count)) writer.Add(std::move(document));
  const fathom::CommitSummary summary = writer.Commit();
  EXPECT_EQ(summary.added, static_cast<std::uint64_t>(count));
  return path;
}

TEST(PublicApi, SearchAndBatchAnswerAsFathomSearchDoes) {
  Scratch scratch;
  const fs::path index_path = Build(scratch, 1200);
  const fathom::Index index(index_path);
  std::vector<fathom::QueryLine> queries;
  std::string file;
  for (const char* text : {"rare", "+common +even", "\"common even\"", "w3 w4 -even", "title:3",
                           "(rare OR w1) AND even", "nothing_matches"}) {
    queries.push_back({"q" + std::to_string(queries.size()), text});
    file += queries.back().qid + "\t" + text + "\n";
  }
  std::ofstream(scratch / "queries.tsv") << file;
  fathom::QueryOptions options;
  options.k = 1000;
  options.snippets = false;
  options.fold_duplicates = false;
  options.suggest = false;
  options.count_up_to = 0;
  std::ostringstream ours;
  fathom::WriteTrecRun(ours, index.SearchBatch(queries, options, 3), "fathom");
  const std::string program =
      Output(std::string(FATHOM_SEARCH_BIN) + " '" + index_path.string() +
             "' --syntax --queries '" + (scratch / "queries.tsv").string() + "'");
  ASSERT_FALSE(program.empty());
  EXPECT_EQ(ours.str(), program);

  const fathom::Results rare = index.Search("rare");
  EXPECT_EQ(rare.matches, 24u);
  EXPECT_TRUE(rare.matches_exact);
  ASSERT_EQ(rare.hits.size(), 10u);
  EXPECT_NE(rare.hits[0].snippet.find("<b>rare</b>"), std::string::npos);
  const fathom::Results common = index.Search("common");
  EXPECT_EQ(common.matches, 1000u);
  EXPECT_FALSE(common.matches_exact);
  EXPECT_EQ(index.Count("common"), 1200u);
  EXPECT_EQ(index.GetDocument("d50")->title, "Title 6");
  EXPECT_FALSE(index.GetDocument("d5000").has_value());
  EXPECT_NE(index.Explain("rare", "d50").find("rare"), std::string::npos);
  EXPECT_THROW(index.Explain("rare", "d5000"), fathom::InputError);
  EXPECT_THROW(index.Search("(rare"), fathom::QuerySyntaxError);
  // "Did you mean", alone and with a search: the same correction.
  EXPECT_EQ(index.Suggest("commmon evn"), "common even");
  EXPECT_EQ(index.Search("commmon evn").did_you_mean, "common even");
  EXPECT_EQ(index.Suggest("common even"), "");
  EXPECT_TRUE(fathom::Check(index_path).sound);
}

TEST(PublicApi, ACommitIsOneAtomicChangeAndAFailedOneKeepsItsQueue) {
  Scratch scratch;
  const fs::path path = Build(scratch, 100);
  fathom::IndexWriter writer(path);
  writer.Add({"new", "", "fresh words"});
  writer.Delete("d1");
  writer.Delete("d2");
  // Another writer holds the lock: the commit fails and changes nothing.
  const int lock = ::open((path / "lock").c_str(), O_RDWR);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX | LOCK_NB), 0);
  EXPECT_THROW(writer.Commit(), fathom::InputError);
  EXPECT_EQ(writer.pending_documents(), 1u);
  EXPECT_EQ(writer.pending_deletions(), 2u);
  EXPECT_EQ(fathom::Index(path).Stats().documents, 100u);
  ::close(lock);
  const fathom::CommitSummary summary = writer.Commit();
  EXPECT_EQ(summary.added, 1u);
  EXPECT_EQ(summary.deleted, 2u);
  EXPECT_EQ(summary.documents, 99u);
  const fathom::Index index(path);
  EXPECT_EQ(index.Stats().generation, 2u);  // one manifest for all three changes
  EXPECT_EQ(index.Count("fresh"), 1u);
  EXPECT_FALSE(index.GetDocument("d1").has_value());
}

// Typed fields of documents in memory: kept, filtered and sorted on, read
// back; a value that clashes with the index's type fails the commit,
// naming the document and field, and changes nothing.
TEST(PublicApi, DocumentsCarryTypedFields) {
  Scratch scratch;
  const fs::path path = scratch / "index";
  {
    fathom::IndexWriter writer(path);
    for (int i = 0; i < 30; ++i) {
      fathom::Document document{"n" + std::to_string(i), "", "shared words", {}};
      const int day = i % 28 + 1;
      document.fields = {
          {"year", std::int64_t{1990 + i}},
          {"price", 0.5 + i},
          {"kind", std::string(i % 3 == 0 ? "book" : "film")},
          {"published", std::string("2025-02-") + (day < 10 ? "0" : "") + std::to_string(day)},
          {"draft", i % 2 == 0}};
      writer.Add(std::move(document));
    }
    EXPECT_EQ(writer.Commit().added, 30u);
  }
  const fathom::Index index(path);
  EXPECT_EQ(index.Count("shared +year:[2000 TO 2004]"), 5u);
  EXPECT_EQ(index.Count("shared +kind:book"), 10u);
  EXPECT_EQ(index.Count("shared +draft:true +price:>10"), 10u);
  // Days 1 to 5: documents 0 to 4, and 28 and 29 (days 1 and 2 again).
  EXPECT_EQ(index.Count("shared +published:[2025-02-01 TO 2025-02-05]"), 7u);
  const std::optional<fathom::Document> read = index.GetDocument("n12");
  ASSERT_TRUE(read.has_value());
  const std::vector<fathom::DocumentField> expected = {{"draft", true},
                                                       {"kind", std::string("book")},
                                                       {"price", 12.5},
                                                       {"published", std::string("2025-02-13")},
                                                       {"year", std::int64_t{2002}}};
  EXPECT_EQ(read->fields, expected);

  fathom::IndexWriter writer(path);
  writer.Add({"clash", "", "shared", {{"year", std::string("nineteen ninety")}}});
  try {
    writer.Commit();
    ADD_FAILURE() << "a keyword value for an integer field was committed";
  } catch (const fathom::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'clash'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'year'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fathom::Index(path).Stats().documents, 30u);
  EXPECT_THROW(writer.Add({"nan", "", "x", {{"price", std::numeric_limits<double>::quiet_NaN()}}}),
               fathom::InputError);
}

TEST(PublicApi, ThreadsShareAnIndexWhileAWriterCommits) {
  Scratch scratch;
  const fs::path path = Build(scratch, 400);
  fathom::Index index(path);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      while (!stop) {
        const fathom::Results results = index.Search("common w" + std::to_string(t));
        // Every snapshot has 400 or 401 documents with `common`.
        const std::uint64_t count = index.Count("common");
        if (results.hits.empty() || (count != 400 && count != 401)) ++failures;
      }
    });
  }
  fathom::IndexWriter writer(path);
  writer.Add({"late", "", "common late"});
  writer.Commit();
  while (!index.Refresh()) {
  }
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(index.Count("late"), 1u);
}

TEST(PublicApi, BuildsFromACorpusOnDiskAsFathomIndexDoes) {
  Scratch scratch;
  std::ofstream(scratch / "corpus.jsonl") << "{\"id\":\"x\",\"title\":\"T\",\"body\":\"alpha\"}\n"
                                          << "{\"id\":\"y\",\"title\":\"U\",\"body\":\"beta\"}\n";
  const fathom::CommitSummary summary =
      fathom::BuildFromCorpus(scratch / "corpus.jsonl", scratch / "built");
  EXPECT_EQ(summary.documents, 2u);
  EXPECT_EQ(fathom::Index(scratch / "built").Count("alpha"), 1u);
  EXPECT_THROW(fathom::BuildFromCorpus(scratch / "missing.jsonl", scratch / "other"),
               fathom::InputError);
  EXPECT_THROW(fathom::IndexWriter(scratch / "corpus.jsonl"), fathom::InputError);
}

#if FATHOM_CONTRACTS_CHECKED
TEST(PublicApiDeathTest, UsingAMovedFromWriterIsAContractViolation) {
  Scratch scratch;
  fathom::IndexWriter writer(scratch / "index");
  fathom::IndexWriter other(std::move(writer));
  EXPECT_DEATH(writer.Add({"a", "", "b"}), "IndexWriter used after a move");  // NOLINT
}
#endif

}  // namespace
