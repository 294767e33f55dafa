// One collection, many segments. The same documents indexed as one segment
// and as several (parts contiguous in corpus order, so global ids agree)
// give the same results for every kind of query: the same external ids in
// the same order, the same scores bit for bit, the same counts, since
// scores use the whole collection's statistics. Deleted documents are never
// returned or counted, and what remains equals brute force over the live
// documents with statistics that still count the deleted ones (until a
// merge). A snapshot keeps answering from the index as it was opened while
// writers replace the manifest and unlink files, and opening one while a
// writer commits retries instead of failing.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <regex>
#include <thread>

#include "indexer/check/index_checker.hpp"
#include "searcher/present/explain.hpp"
#include "searcher/present/near_duplicates.hpp"
#include "searcher/present/spelling.hpp"
#include "searcher/searcher.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

namespace fs = std::filesystem;

// Random documents, and near copies planted far from their originals (so
// that they land in other segments).
std::vector<SourceDocument> Corpus(std::size_t count, std::uint64_t seed) {
  auto docs = RandomDocs(count, 120, seed);
  for (std::size_t i = 0; i < 12; ++i) {
    const std::size_t original = i * 37 % (count / 3);
    const std::size_t copy = count - 1 - i * 53 % (count / 3);
    docs[copy].title = docs[original].title;
    docs[copy].body = docs[original].body + " w7x";
  }
  return docs;
}

// A word of the corpus, frequent half of the time.
std::string Word(std::mt19937_64& rng) {
  return "w" + std::to_string(rng() % 2 == 0 ? rng() % 10 : rng() % 120) + "x";
}

// Queries of every kind the query language has, `rounds` of each.
std::vector<std::string> Queries(std::uint64_t seed, int rounds = 6) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> queries;
  for (int round = 0; round < rounds; ++round) {
    const std::string a = Word(rng), b = Word(rng), c = Word(rng), d = Word(rng);
    queries.insert(queries.end(), {a, a + " " + b + " " + c, "+" + a + " +" + b, "+" + a + " " + b,
                                   a + " " + b + " -" + c, "\"" + a + " " + b + "\"",
                                   "+\"" + a + " " + b + "\" " + c, "\"" + a + " " + b + "\"~3",
                                   "w" + std::to_string(rng() % 12) + "*", a + "~1",
                                   "w1" + std::to_string(rng() % 10) + "y~1",  // a misspelling
                                   "(" + a + " OR " + b + ") AND NOT " + c,
                                   "+(" + a + " " + b + ") -(" + c + " AND " + d + ")",
                                   "title:" + a + " " + b, a + " " + a + " " + b});
  }
  return queries;
}

// What a search returns, by external id.
struct Answer {
  std::vector<std::string> ids;
  std::vector<Score> scores;
  std::uint64_t total = 0;
  std::vector<std::string> warnings;
};

Answer Ask(Searcher& searcher, const std::string& text, const SearchOptions& options) {
  const SearchResult result = searcher.Search(text, options);
  Answer answer;
  for (const Hit& hit : result.hits) {
    answer.ids.emplace_back(searcher.snapshot().external_id(hit.doc));
    answer.scores.push_back(hit.score);
  }
  answer.total = result.total_matches;
  answer.warnings = result.query.warnings;
  return answer;
}

void ExpectSameAnswer(const Answer& a, const Answer& b, const std::string& what) {
  ASSERT_EQ(a.ids, b.ids) << what;
  ASSERT_EQ(a.scores, b.scores) << what;  // bit for bit
  ASSERT_EQ(a.total, b.total) << what;
  ASSERT_EQ(a.warnings, b.warnings) << what;
}

// Every query, every mode (top 10, top 100, counting, pruned totals) and
// every algorithm: the same answer from both searchers.
void ExpectSameEverywhere(Searcher& one, Searcher& many, std::uint64_t seed) {
  for (const std::string& text : Queries(seed)) {
    for (const Algorithm algorithm :
         {Algorithm::kAuto, Algorithm::kExhaustive, Algorithm::kMaxScore, Algorithm::kBmw}) {
      for (const std::size_t k : {10u, 100u}) {
        SearchOptions options;
        options.k = k;
        options.algorithm = algorithm;
        const std::string what =
            text + " k=" + std::to_string(k) + " " + std::string(AlgorithmName(algorithm));
        ExpectSameAnswer(Ask(one, text, options), Ask(many, text, options), what);
        // Pruned totals are lower bounds that depend on the segmentation;
        // the hits may not.
        options.count_exactly_up_to = 0;
        const Answer a = Ask(one, text, options), b = Ask(many, text, options);
        ASSERT_EQ(a.ids, b.ids) << what << " (inexact totals)";
        ASSERT_EQ(a.scores, b.scores) << what << " (inexact totals)";
      }
    }
    SearchOptions count;
    count.count_only = true;
    ExpectSameAnswer(Ask(one, text, count), Ask(many, text, count), text + " (count)");
  }
}

// Near-duplicate groups by external id.
std::vector<std::vector<std::string>> Groups(const IndexSnapshot& snapshot) {
  std::vector<std::vector<std::string>> groups;
  for (const auto& group : FindNearDuplicateGroups(snapshot)) {
    groups.emplace_back();
    for (const DocId doc : group) groups.back().emplace_back(snapshot.external_id(doc));
  }
  return groups;
}

// The rest of what reads an index: documents, ids, explanations, spelling,
// near duplicates, statistics.
void ExpectSameAround(Searcher& one, Searcher& many) {
  const IndexSnapshot& a = one.snapshot();
  const IndexSnapshot& b = many.snapshot();
  ASSERT_EQ(a.document_count(), b.document_count());
  ASSERT_EQ(a.live_count(), b.live_count());
  ASSERT_EQ(a.average_length(), b.average_length());
  for (DocId doc = 0; doc < a.document_count(); doc += 7) {
    ASSERT_EQ(a.external_id(doc), b.external_id(doc));
    ASSERT_EQ(a.IsDeleted(doc), b.IsDeleted(doc));
    ASSERT_EQ(a.length(doc), b.length(doc));
    ASSERT_EQ(a.Document(doc).body, b.Document(doc).body);
    ASSERT_EQ(a.FindExternalId(a.external_id(doc)), b.FindExternalId(b.external_id(doc)));
  }
  for (const char* term : {"w0x", "w15x", "w119x", "title:w3x", "absent"}) {
    ASSERT_EQ(a.DocumentFrequency(term), b.DocumentFrequency(term)) << term;
  }
  EXPECT_EQ(Groups(a), Groups(b));
  for (const char* word : {"w12y", "w1x", "v3x", "w77"}) {
    const auto x = SuggestCorrections(a, word), y = SuggestCorrections(b, word);
    ASSERT_EQ(x.size(), y.size()) << word;
    for (std::size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(x[i].term, y[i].term) << word;
      EXPECT_EQ(x[i].document_frequency, y[i].document_frequency) << word;
    }
  }
  for (const std::string text : {"w1x w2x \"w3x w4x\" -w5x", "+w0x w9x"}) {
    SearchOptions options;
    options.k = 20;
    const SearchResult result = one.Search(text, options);
    for (const Hit& hit : result.hits) {
      const Explanation x = Explain(a, result.tree, hit.doc, options.bm25);
      const Explanation y = Explain(b, result.tree, hit.doc, options.bm25);
      EXPECT_TRUE(y.matches) << text;
      EXPECT_EQ(x.score, y.score) << text;
      EXPECT_EQ(y.score, hit.score) << text;
      EXPECT_EQ(x.average_length, y.average_length);
    }
  }
}

struct Split {
  std::size_t documents;
  std::vector<std::size_t> parts;
};

class SegmentsTest : public ::testing::TestWithParam<std::tuple<Split, std::uint64_t>> {};

TEST_P(SegmentsTest, OneSegmentOrManyGiveTheSameResults) {
  const auto& [split, seed] = GetParam();
  const auto docs = Corpus(split.documents, seed);
  TempDir dir;
  Searcher one(BuildFromDocs(dir, docs));
  Searcher many(BuildSegmented(dir, docs, split.parts));
  ASSERT_EQ(many.snapshot().segments().size(), split.parts.size());
  ExpectSameEverywhere(one, many, seed);
  ExpectSameAround(one, many);
  EXPECT_FALSE(Groups(many.snapshot()).empty());  // copies across segments
}

// The same with documents deleted (the same ones in both indexes), in two
// commits, a whole segment among them.
TEST_P(SegmentsTest, DeletionsAreNeverReturnedOrCounted) {
  const auto& [split, seed] = GetParam();
  const auto docs = Corpus(split.documents, seed);
  TempDir dir;
  const fs::path one_dir = BuildFromDocs(dir, docs);
  const fs::path many_dir = BuildSegmented(dir, docs, split.parts);
  std::mt19937_64 rng(seed);
  std::vector<DocId> first, second;
  for (DocId d = 0; d < split.parts[0]; ++d) first.push_back(d);  // all of the first segment
  for (DocId d = 0; d < docs.size(); ++d) {
    if (rng() % 8 == 0) (d % 2 == 0 ? first : second).push_back(d);
  }
  for (const fs::path& index : {one_dir, many_dir}) {
    DeleteByGlobalId(index, first);
    DeleteByGlobalId(index, second);
  }
  const std::set<DocId> deleted(first.begin(), first.end());
  std::set<DocId> all = deleted;
  all.insert(second.begin(), second.end());
  Searcher one(one_dir), many(many_dir);
  ASSERT_EQ(many.snapshot().live_count(), docs.size() - all.size());
  ExpectSameEverywhere(one, many, seed);
  ExpectSameAround(one, many);

  // Against brute force over the live documents, with statistics counting
  // every document.
  const ModelIndex model(docs, {});
  std::mt19937_64 query_rng(seed * 3);
  for (int q = 0; q < 80; ++q) {
    std::vector<ModelClause> clauses;
    const std::size_t n = 1 + query_rng() % 3;
    for (std::size_t i = 0; i < n; ++i) {
      const auto occur = static_cast<Occur>(query_rng() % 3);
      if (query_rng() % 5 == 0) {
        clauses.push_back({occur, {Word(query_rng), Word(query_rng)}});
      } else {
        clauses.push_back({occur, {Word(query_rng)}});
      }
    }
    const std::string text = ToQueryText(clauses);
    const auto expected = ExpectedMatches(model, clauses, {}, all);
    SearchOptions options;
    options.k = docs.size();
    const SearchResult result = many.Search(text, options);
    ASSERT_EQ(result.total_matches, expected.size()) << text;
    ASSERT_EQ(result.hits.size(), expected.size()) << text;
    for (const Hit& hit : result.hits) {
      const auto it = expected.find(hit.doc);
      ASSERT_NE(it, expected.end()) << text << ": doc " << hit.doc;
      ASSERT_NEAR(hit.score, it->second, 1e-4 * std::max(1.0, it->second)) << text;
    }
    SearchOptions count;
    count.count_only = true;
    ASSERT_EQ(many.Search(text, count).total_matches, expected.size()) << text;
  }
  // No way back to a deleted document.
  for (const DocId d : all) {
    ASSERT_FALSE(many.snapshot().FindExternalId(docs[d].id).has_value()) << docs[d].id;
  }
  for (const auto& group : FindNearDuplicateGroups(many.snapshot())) {
    for (const DocId d : group) ASSERT_FALSE(all.contains(d));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Splits, SegmentsTest,
    ::testing::Combine(::testing::Values(Split{1500, {500, 1, 900, 99}},  // very uneven
                                         Split{900, {300, 300, 300}}),
                       ::testing::Values(1, 2)));

// Equal scores rank the smaller global id first, across segments as within
// one: the segments searched later (larger ids) must not displace them.
TEST(Segments, TiesGoToTheSmallerGlobalId) {
  std::vector<SourceDocument> docs;
  for (int i = 0; i < 400; ++i) {
    docs.push_back({"d" + std::to_string(i), "", i % 2 == 0 ? "alpha beta" : "alpha gamma"});
  }
  TempDir dir;
  Searcher one(BuildFromDocs(dir, docs));
  Searcher many(BuildSegmented(dir, docs, {7, 193, 200}));
  for (const char* text : {"alpha", "beta", "alpha beta", "+alpha beta", "\"alpha beta\""}) {
    for (const Algorithm algorithm : {Algorithm::kAuto, Algorithm::kMaxScore, Algorithm::kBmw}) {
      SearchOptions options;
      options.k = 10;
      options.algorithm = algorithm;
      const Answer a = Ask(one, text, options), b = Ask(many, text, options);
      ExpectSameAnswer(a, b, text);
      ASSERT_EQ(b.ids.front(), "d0") << text;
      if (std::string(text) == "alpha") {
        for (int i = 0; i < 10; ++i) ASSERT_EQ(b.ids[i], "d" + std::to_string(i));
      }
    }
  }
}

// A snapshot answers from the index as it was opened: deletions committed
// and a merge that replaces two segments (unlinking their files) change
// nothing for it, while a searcher opened afterwards sees both.
TEST(Snapshot, KeepsAnsweringAfterCommitsAndUnlinks) {
  const auto docs = Corpus(900, 4);
  TempDir dir;
  const fs::path index = BuildSegmented(dir, docs, {300, 300, 300});
  Searcher before(index);
  const auto queries = Queries(4);
  SearchOptions options;
  options.k = 50;
  std::vector<Answer> answers;
  for (const auto& text : queries) answers.push_back(Ask(before, text, options));

  std::vector<DocId> gone;
  for (DocId d = 0; d < docs.size(); d += 3) gone.push_back(d);
  DeleteByGlobalId(index, gone);
  // The merge of the first two segments: their live documents in a new
  // segment, committed, then their files unlinked.
  std::vector<SourceDocument> merged;
  for (DocId d = 0; d < 600; ++d) {
    if (d % 3 != 0) merged.push_back(docs[d]);
  }
  BuildIndex(WriteJsonl(dir, merged, "merged.jsonl"), dir / "merged", {}, nullptr, nullptr);
  Manifest manifest = ReadManifest(index);
  SegmentRecord record = ReadManifest(dir / "merged").segments[0];
  record.name = SegmentName(manifest.next_segment++);
  fs::rename(dir / "merged" / "seg-000001", index / record.name);
  const std::vector<SegmentRecord> old(manifest.segments.begin(), manifest.segments.begin() + 2);
  manifest.segments.erase(manifest.segments.begin(), manifest.segments.begin() + 2);
  manifest.segments.insert(manifest.segments.begin(), record);
  ++manifest.generation;
  CommitManifest(index, manifest);
  for (const SegmentRecord& segment : old) {
    fs::remove_all(index / segment.name);
    fs::remove(index / segment.deletes_name);
  }
  ASSERT_FALSE(fs::exists(index / "seg-000001"));

  for (std::size_t q = 0; q < queries.size(); ++q) {
    ExpectSameAnswer(Ask(before, queries[q], options), answers[q], queries[q]);
  }
  for (DocId d = 0; d < docs.size(); d += 50) {
    EXPECT_EQ(before.Document(d).body, docs[d].body);
    EXPECT_EQ(before.snapshot().FindExternalId(docs[d].id), d);
  }
  Searcher after(index);
  EXPECT_EQ(after.snapshot().segments().size(), 2u);
  EXPECT_EQ(after.snapshot().live_count(), docs.size() - gone.size());
  EXPECT_FALSE(after.snapshot().FindExternalId(docs[0].id).has_value());
  EXPECT_TRUE(after.snapshot().FindExternalId(docs[1].id).has_value());
  for (const auto& text : queries) {
    for (const std::string& id : Ask(after, text, options).ids) {
      const auto d = static_cast<DocId>(std::stoul(id.substr(4)));
      ASSERT_NE(d % 3, 0u) << text << ": deleted " << id;
    }
  }
  EXPECT_TRUE(CheckIndex(index).sound) << CheckIndex(index).problem;
}

// A writer replaces every segment by a copy under a new name, commits and
// unlinks the old ones, again and again, while searchers are opened: an
// open that loses the race reads the new manifest and tries again, and
// never fails.
TEST(Snapshot, OpeningRetriesWhileAWriterReplacesSegments) {
  const auto docs = Corpus(300, 5);
  TempDir dir;
  const fs::path index = BuildSegmented(dir, docs, {150, 150});
  DeleteByGlobalId(index, {4, 200});
  SearchOptions options;
  options.k = 20;
  const Answer expected = [&] {
    Searcher searcher(index);
    return Ask(searcher, "w1x w2x w3x", options);
  }();
  std::atomic<bool> done{false};
  std::atomic<int> commits{0};
  std::thread writer([&] {
    while (!done) {
      Manifest manifest = ReadManifest(index);
      const Manifest old = manifest;
      ++manifest.generation;
      for (SegmentRecord& record : manifest.segments) {
        const std::string name = SegmentName(manifest.next_segment++);
        fs::copy(index / record.name, index / name, fs::copy_options::recursive);
        if (!record.deletes_name.empty()) {
          const std::string deletes = DeletesName(name, manifest.generation);
          fs::copy_file(index / record.deletes_name, index / deletes);
          record.deletes_name = deletes;
        }
        record.name = name;
      }
      CommitManifest(index, manifest);
      for (const SegmentRecord& record : old.segments) {
        fs::remove_all(index / record.name);
        if (!record.deletes_name.empty()) fs::remove(index / record.deletes_name);
      }
      ++commits;
    }
  });
  int opened = 0;
  std::string failure;
  while (commits < 60) {
    try {
      Searcher searcher(index);
      const Answer answer = Ask(searcher, "w1x w2x w3x", options);
      if (answer.ids != expected.ids || answer.scores != expected.scores) failure = "differs";
      ++opened;
    } catch (const Error& e) {
      failure = e.what();
      break;
    }
  }
  done = true;
  writer.join();
  EXPECT_EQ(failure, "");
  EXPECT_GT(opened, 0);
  EXPECT_TRUE(CheckIndex(index).sound) << CheckIndex(index).problem;
}

// Through the command line: the same output from both indexes for one-shot
// queries (text and JSON, with explanations and corrections), counting,
// documents, near-duplicate groups and batch runs.
TEST(SegmentsCli, SameOutputFromOneSegmentOrMany) {
  const auto docs = Corpus(900, 6);
  TempDir dir;
  const fs::path one = BuildFromDocs(dir, docs);
  const fs::path many = BuildSegmented(dir, docs, {200, 400, 300});
  for (const fs::path& index : {one, many}) DeleteByGlobalId(index, {1, 250, 251, 899});
  const std::regex timing("[0-9.]+ ms|\"milliseconds\":[0-9.e-]+");
  const auto run = [&](const fs::path& index, const std::string& arguments) {
    const CommandResult result = RunCommand(kSearchBin + " " + Quote(index) + " " + arguments);
    EXPECT_EQ(result.exit_code, 0) << arguments << ": " << result.err;
    return std::regex_replace(result.out, timing, "T") + result.err;
  };
  std::string batch;
  int qid = 0;
  for (const std::string& text : Queries(6, 1)) {
    for (const std::string& flags :
         {std::string(), std::string("--explain -k 3"), std::string("--format json -k 5"),
          std::string("--count"), std::string("--show-duplicates --no-snippets")}) {
      const std::string arguments = flags + " '" + text + "'";
      ASSERT_EQ(run(one, arguments), run(many, arguments)) << arguments;
    }
    batch += std::to_string(++qid) + "\t" + text + "\n";
  }
  WriteFile(dir / "queries.tsv", batch);
  for (const std::string& flags :
       {std::string("--queries ") + Quote(dir / "queries.tsv"),
        "--queries " + Quote(dir / "queries.tsv") + " --syntax --threads 2",
        std::string("--near-duplicates"), "--doc " + docs[500].id}) {
    ASSERT_EQ(run(one, flags), run(many, flags)) << flags;
  }
  EXPECT_NE(run(many, "--near-duplicates").find("\t"), std::string::npos);
  const CommandResult deleted =
      RunCommand(kSearchBin + " " + Quote(many) + " --doc " + docs[250].id);
  EXPECT_EQ(deleted.exit_code, 1);
  EXPECT_NE(deleted.err.find("no document with id"), std::string::npos) << deleted.err;
}

}  // namespace
}  // namespace fathom::testing
