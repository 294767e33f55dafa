// The indexer's ways to the same index: a small memory budget (many sorted
// runs merged) or a large one, one thread or several, one build or a build
// followed by add, delete and merge, all give byte for byte the segment a
// single build of the same live documents gives. And a change killed at any
// moment leaves the index as it was before or after it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <random>

#include "common/error.hpp"
#include "common/format/manifest.hpp"
#include "common/read/doc_store.hpp"
#include "common/read/index_reader.hpp"
#include "indexer/write/index_editor.hpp"
#include "indexer/write/index_lock.hpp"
#include "searcher/searcher.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom {
namespace {

namespace fs = std::filesystem;
using testing::RandomDocs;
using testing::TempDir;

// Every segment file but meta (which records its creation time) and,
// optionally, the store (whose block boundaries follow the batches of
// documents each build read).
std::vector<std::string> ComparedFiles(bool with_store) {
  std::vector<std::string> files = {"terms.dict", "postings.doc", "postings.pos",
                                    "doclens",    "docids",       "minhash"};
  if (with_store) files.push_back("store");
  return files;
}

fs::path OnlySegment(const fs::path& index) {
  const Manifest manifest = ReadManifest(index);
  EXPECT_EQ(manifest.segments.size(), 1u);
  return index / manifest.segments.at(0).name;
}

void ExpectSameSegment(const fs::path& index, const fs::path& reference, bool with_store) {
  const fs::path a = OnlySegment(index), b = OnlySegment(reference);
  for (const auto& file : ComparedFiles(with_store)) {
    EXPECT_TRUE(testing::ReadFile(a / file) == testing::ReadFile(b / file))
        << file << " of " << a << " differs from " << b;
  }
  // The stored text, document by document, whatever the blocks.
  const IndexReader ra(a), rb(b);
  ASSERT_EQ(ra.document_count(), rb.document_count());
  const DocStore sa(ra.store_file(), ra.document_count()), sb(rb.store_file(), rb.document_count());
  for (DocId doc = 0; doc < ra.document_count(); ++doc) {
    const StoredDocument da = sa.Get(doc), db = sb.Get(doc);
    ASSERT_EQ(da.title, db.title) << doc;
    ASSERT_EQ(da.body, db.body) << doc;
  }
}

BuildSummary Build(const TempDir& dir, const std::vector<SourceDocument>& docs,
                   const std::string& name, std::uint64_t memory, unsigned threads) {
  BuildOptions options;
  options.memory_bytes = memory;
  options.threads = threads;
  return BuildIndex(testing::WriteJsonl(dir, docs, name + ".jsonl"), dir / name, options, nullptr,
                    nullptr);
}

AddSummary Add(const TempDir& dir, const std::vector<SourceDocument>& docs,
               const std::string& index, const std::string& part) {
  BuildOptions options;
  options.memory_bytes = 1 << 20;  // a few runs even for a small part
  return AddDocuments(testing::WriteJsonl(dir, docs, part + ".jsonl"), dir / index, options,
                      nullptr, nullptr);
}

constexpr std::uint64_t kLarge = 1ull << 30;
constexpr std::uint64_t kTiny = 1ull << 20;

TEST(IndexBuild, RunsAndThreadsDoNotChangeTheIndex) {
  TempDir dir;
  const auto docs = RandomDocs(4000, 500, 11, 120);
  const BuildSummary reference = Build(dir, docs, "reference", kLarge, 1);
  EXPECT_EQ(reference.runs, 0u);
  for (const unsigned threads : {1u, 2u, 3u}) {
    for (const std::uint64_t memory : {kTiny, kLarge}) {
      const std::string name = "t" + std::to_string(threads) + "m" + std::to_string(memory);
      const BuildSummary summary = Build(dir, docs, name, memory, threads);
      if (memory == kTiny) {
        EXPECT_GT(summary.runs, 2u) << name;
      }
      EXPECT_EQ(summary.threads, threads);
      ExpectSameSegment(dir / name, dir / "reference", true);
    }
  }
}

TEST(IndexChanges, AddedSegmentsMergeIntoTheOneGoIndex) {
  TempDir dir;
  const auto docs = RandomDocs(3000, 400, 12, 100);
  Build(dir, docs, "reference", kLarge, 2);
  Build(dir, {docs.begin(), docs.begin() + 1000}, "index", kTiny, 2);
  EXPECT_EQ(Add(dir, {docs.begin() + 1000, docs.begin() + 1700}, "index", "p1").replaced, 0u);
  const AddSummary added = Add(dir, {docs.begin() + 1700, docs.end()}, "index", "p2");
  EXPECT_EQ(added.segments, 3u);
  EXPECT_EQ(added.live_documents, 3000u);
  const MergeSummary merged = MergeSegments(dir / "index", nullptr);
  EXPECT_EQ(merged.segments_before, 3u);
  EXPECT_EQ(merged.documents, 3000u);
  ExpectSameSegment(dir / "index", dir / "reference", false);
  // Only the manifest, the lock and the merged segment remain.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir / "index")) ++entries;
  EXPECT_EQ(entries, 3u);
}

TEST(IndexChanges, SegmentsOptionSplitsAndMergeJoinsAgain) {
  TempDir dir;
  const auto docs = RandomDocs(2000, 300, 17, 100);
  Build(dir, docs, "reference", kLarge, 2);
  BuildOptions options;
  options.segments = 3;
  BuildIndex(testing::WriteJsonl(dir, docs, "split.jsonl"), dir / "index", options, nullptr,
             nullptr);
  const Manifest manifest = ReadManifest(dir / "index");
  ASSERT_EQ(manifest.segments.size(), 3u);
  std::uint64_t first = 0;
  for (const auto& record : manifest.segments) {
    // Consecutive documents, in corpus order.
    const IndexReader segment(dir / "index" / record.name);
    EXPECT_EQ(segment.external_id(0), docs[first].id);
    first += segment.document_count();
  }
  EXPECT_EQ(first, docs.size());
  MergeSegments(dir / "index", nullptr);
  ExpectSameSegment(dir / "index", dir / "reference", false);
}

TEST(IndexChanges, DeletedDocumentsAreDroppedByMerge) {
  TempDir dir;
  auto docs = RandomDocs(2500, 300, 13, 100);
  Build(dir, {docs.begin(), docs.begin() + 1200}, "index", kLarge, 2);
  Add(dir, {docs.begin() + 1200, docs.end()}, "index", "p1");
  const std::vector<std::string> ids = {"doc-0",    "doc-7", "doc-1199",  "doc-1200",
                                        "doc-2499", "doc-7", "no-such-id"};
  const DeleteSummary deleted = DeleteDocuments(dir / "index", ids);
  EXPECT_EQ(deleted.deleted, 5u);
  EXPECT_EQ(deleted.not_found, std::vector<std::string>{"no-such-id"});
  EXPECT_EQ(deleted.live_documents, 2495u);
  const Manifest manifest = ReadManifest(dir / "index");
  EXPECT_EQ(manifest.segments[0].deleted_count, 3u);
  EXPECT_EQ(manifest.segments[1].deleted_count, 2u);
  // Deleting again changes nothing and writes nothing.
  EXPECT_EQ(DeleteDocuments(dir / "index", {"doc-0"}).deleted, 0u);
  EXPECT_EQ(ReadManifest(dir / "index").generation, manifest.generation);

  std::vector<SourceDocument> live;
  for (const auto& doc : docs) {
    if (std::find(ids.begin(), ids.end(), doc.id) == ids.end()) live.push_back(doc);
  }
  Build(dir, live, "reference", kLarge, 1);
  const MergeSummary merged = MergeSegments(dir / "index", nullptr);
  EXPECT_EQ(merged.dropped, 5u);
  ExpectSameSegment(dir / "index", dir / "reference", false);
  // A second merge has nothing to do.
  EXPECT_EQ(MergeSegments(dir / "index", nullptr).dropped, 0u);
}

TEST(IndexChanges, ReAddedIdReplacesTheOldDocument) {
  TempDir dir;
  const auto docs = RandomDocs(1500, 300, 14, 80);
  Build(dir, docs, "index", kLarge, 2);
  std::vector<SourceDocument> update = {{"doc-5", "A new title", "entirely new words here"},
                                        {"doc-new", "", "w1x w2x w3x"}};
  const AddSummary added = Add(dir, update, "index", "update");
  EXPECT_EQ(added.replaced, 1u);
  EXPECT_EQ(added.live_documents, 1501u);
  std::vector<SourceDocument> expected;
  for (const auto& doc : docs) {
    if (doc.id != "doc-5") expected.push_back(doc);
  }
  expected.insert(expected.end(), update.begin(), update.end());
  Build(dir, expected, "reference", kLarge, 1);
  MergeSegments(dir / "index", nullptr);
  ExpectSameSegment(dir / "index", dir / "reference", false);
}

TEST(IndexChanges, OneWriterAtATime) {
  TempDir dir;
  Build(dir, RandomDocs(50, 30, 15), "index", kLarge, 1);
  const IndexWriteLock lock(dir / "index");
  try {
    DeleteDocuments(dir / "index", {"doc-1"});
    FAIL() << "a second writer was let in";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("another fathom-index is changing"),
              std::string::npos);
  }
  const testing::CommandResult result =
      testing::RunCommand(testing::kIndexBin + " merge " + testing::Quote(dir / "index"));
  EXPECT_EQ(result.exit_code, 1);
}

// The index as a reader sees it: (live documents, segments), after checking
// that the manifest and every file it names open cleanly.
std::pair<std::uint64_t, std::size_t> OpenState(const fs::path& index) {
  const Manifest manifest = ReadManifest(index);
  for (const auto& record : manifest.segments) {
    const IndexReader segment(index / record.name);
    EXPECT_EQ(segment.document_count(), record.document_count);
    ReadDeletes(index, record);
  }
  return {manifest.live_count(), manifest.segments.size()};
}

// A fresh build over an existing index is a writer like the others: while
// another process holds the lock it refuses and the old index stays.
TEST(IndexChanges, BuildOverAnIndexTakesTheWriterLock) {
  TempDir dir;
  Build(dir, RandomDocs(50, 30, 15), "index", kLarge, 1);
  const std::string manifest = testing::ReadFile(dir / "index" / "manifest");
  const std::string build = testing::kIndexBin + " -q " +
                            testing::Quote(testing::WriteJsonl(dir, RandomDocs(80, 30, 16))) + " " +
                            testing::Quote(dir / "index");
  // flock(1) holds the lock in a process of its own while the build runs.
  const testing::CommandResult refused =
      testing::RunCommand("flock -n " + testing::Quote(dir / "index" / "lock") + " " + build);
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(
      refused.err.find((dir / "index").string() + ": another fathom-index is changing this index"),
      std::string::npos)
      << refused.err;
  EXPECT_EQ(testing::ReadFile(dir / "index" / "manifest"), manifest);
  EXPECT_EQ(OpenState(dir / "index"), std::make_pair(std::uint64_t{50}, std::size_t{1}));
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".index.tmp-"), std::string::npos)
        << entry.path();
  }
  // Once the lock is free, the same build replaces the index.
  const testing::CommandResult built = testing::RunCommand(build);
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(OpenState(dir / "index"), std::make_pair(std::uint64_t{80}, std::size_t{1}));
}

// A build killed with kill -9 leaves its temporary folder beside the index.
// Every next writer removes such folders, but never a running build's (its
// lock is held), nor one that only looks like one, nor another index's.
TEST(IndexChanges, WritersRemoveTheFoldersOfKilledBuilds) {
  TempDir dir;
  const auto docs = RandomDocs(300, 100, 18, 60);
  Build(dir, {docs.begin(), docs.begin() + 200}, "index", kLarge, 1);
  const std::string index = testing::Quote(dir / "index");
  const std::string part = testing::Quote(
      testing::WriteJsonl(dir, {docs.begin() + 200, docs.begin() + 250}, "part.jsonl"));
  const std::string corpus =
      testing::Quote(testing::WriteJsonl(dir, {docs.begin(), docs.begin() + 250}));
  for (const std::string& writer : {"delete " + index + " doc-1", "add " + index + " " + part,
                                    "merge " + index, corpus + " " + index}) {
    // Killed while building (a half-written segment), and killed after
    // swapping the folders (the old index).
    fs::copy(dir / "index", dir / ".index.tmp-a1B2c3", fs::copy_options::recursive);
    testing::WriteFile(dir / ".index.tmp-a1B2c3" / "seg-000001" / ".run-000003", "run");
    fs::copy(dir / "index", dir / ".index.tmp-Z9y8X7", fs::copy_options::recursive);
    fs::create_directory(dir / ".index.tmp-Empty0");  // killed right after mkdtemp
    // A build still running.
    fs::copy(dir / "index", dir / ".index.tmp-Runs00", fs::copy_options::recursive);
    const IndexWriteLock running(dir / ".index.tmp-Runs00");
    // Not a build's temporary folder of this index.
    testing::WriteFile(dir / ".index.tmp-Notes0" / "notes.txt", "mine");
    fs::copy(dir / "index", dir / ".other.tmp-a1B2c3", fs::copy_options::recursive);
    fs::copy(dir / "index", dir / ".index.tmp-a1B2c3x", fs::copy_options::recursive);

    const testing::CommandResult result = testing::RunCommand(testing::kIndexBin + " -q " + writer);
    ASSERT_EQ(result.exit_code, 0) << writer << ": " << result.err;
    EXPECT_FALSE(fs::exists(dir / ".index.tmp-a1B2c3")) << writer;
    EXPECT_FALSE(fs::exists(dir / ".index.tmp-Z9y8X7")) << writer;
    EXPECT_FALSE(fs::exists(dir / ".index.tmp-Empty0")) << writer;
    EXPECT_TRUE(fs::exists(dir / ".index.tmp-Runs00" / "manifest")) << writer;
    EXPECT_TRUE(fs::exists(dir / ".index.tmp-Notes0" / "notes.txt")) << writer;
    EXPECT_TRUE(fs::exists(dir / ".other.tmp-a1B2c3" / "manifest")) << writer;
    EXPECT_TRUE(fs::exists(dir / ".index.tmp-a1B2c3x" / "manifest")) << writer;
    for (const char* name :
         {".index.tmp-Runs00", ".index.tmp-Notes0", ".other.tmp-a1B2c3", ".index.tmp-a1B2c3x"}) {
      fs::remove_all(dir / name);
    }
  }
  EXPECT_EQ(OpenState(dir / "index"), std::make_pair(std::uint64_t{250}, std::size_t{1}));
}

// "INDEX/" is the same index as "INDEX": its temporary folders are beside
// it, where the next writer finds them.
TEST(IndexChanges, TrailingSlashNamesTheSameIndex) {
  TempDir dir;
  const std::string corpus = testing::Quote(testing::WriteJsonl(dir, RandomDocs(40, 30, 19)));
  const std::string index = testing::Quote(dir.path().string() + "/index/");
  for (int build = 0; build < 2; ++build) {  // a fresh build, then one over the index
    const testing::CommandResult result =
        testing::RunCommand(testing::kIndexBin + " -q " + corpus + " " + index);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  EXPECT_EQ(OpenState(dir / "index"), std::make_pair(std::uint64_t{40}, std::size_t{1}));
  fs::create_directory(dir / ".index.tmp-a1B2c3");
  ASSERT_EQ(testing::RunCommand(testing::kIndexBin + " -q delete " + index + " doc-1").exit_code,
            0);
  EXPECT_FALSE(fs::exists(dir / ".index.tmp-a1B2c3"));
}

// The index as a reader tells it apart: the manifest's generation and
// segments, the external ids of the live documents, and the answers (ids and
// scores, in rank order) to a fixed set of queries.
struct IndexState {
  std::uint64_t generation = 0;
  std::vector<std::string> segments;
  std::vector<std::string> ids;  // sorted
  std::vector<std::vector<std::pair<std::string, Score>>> answers;
  bool operator==(const IndexState&) const = default;
};

std::ostream& operator<<(std::ostream& out, const IndexState& state) {
  return out << "generation " << state.generation << ", " << state.segments.size() << " segments, "
             << state.ids.size() << " documents";
}

IndexState ReadState(const fs::path& index) {
  // Words of every frequency (RandomDocs' words are w0x, w1x...; low numbers
  // are frequent), and every query kind whose answer depends on positions,
  // fields, deletions or collection statistics.
  static const std::vector<std::string> kQueries = {
      "w0x",       "w3x w17x",         "w250x",         "\"w1x w2x\"",
      "+w5x w40x", "w8x -w9x",         "w12x AND w30x", "title:w4x",
      "w2* w600x", "w1500x OR w1999x", "w11x~1 w77x",   "(w6x OR w7x) w20x"};
  Searcher searcher(index);
  const IndexSnapshot& snapshot = searcher.snapshot();
  IndexState state;
  state.generation = snapshot.manifest().generation;
  for (const auto& record : snapshot.manifest().segments) state.segments.push_back(record.name);
  for (DocId doc = 0; doc < snapshot.document_count(); ++doc) {
    if (!snapshot.IsDeleted(doc)) state.ids.emplace_back(snapshot.external_id(doc));
  }
  std::sort(state.ids.begin(), state.ids.end());
  SearchOptions options;
  options.k = 20;
  for (const auto& query : kQueries) {
    auto& answer = state.answers.emplace_back();
    for (const Hit& hit : searcher.Search(query, options).hits) {
      answer.emplace_back(snapshot.external_id(hit.doc), hit.score);
    }
  }
  return state;
}

// Each round runs a change (add, delete, merge, or a fresh build over the
// index) to the end on a copy of the index, which gives the state after it
// and its duration, then runs it on the index and kills it (SIGKILL) at a
// random moment from before the process starts working to after it has
// finished (sanitizer builds are slower: the window follows the measured
// time). The index must then be exactly the before or the after state, and
// sound.
TEST(IndexChanges, KilledAtAnyMomentLeavesTheIndexBeforeOrAfter) {
  TempDir dir;
  std::mt19937_64 rng(16);
  const auto docs = RandomDocs(7000, 2000, 16, 300);
  Build(dir, {docs.begin(), docs.begin() + 2000}, "index", kLarge, 2);
  const fs::path index = dir / "index", copy = dir / "copy";
  std::size_t next_doc = 2000;
  // At least kRounds; then more, up to kMostRounds, until the kills have
  // landed on both sides of a commit. The window between a commit and the
  // end of the process is short, and on a loaded machine the measured
  // durations mislead, so 40 rounds alone sometimes never hit it.
  constexpr int kRounds = 40, kMostRounds = 160;
  int killed = 0, ended = 0, before_state = 0, after_state = 0, left_temp = 0;
  int round = 0;
  for (;
       round < kRounds || (round < kMostRounds && (before_state == 0 || after_state - ended == 0));
       ++round) {
    const IndexState before = ReadState(index);
    const Manifest manifest = ReadManifest(index);
    int kind = round % 4;
    if (kind == 2 && manifest.segments.size() == 1 && manifest.live_count() == before.ids.size() &&
        manifest.segments[0].deleted_count == 0) {
      kind = 1;  // a merge would have nothing to do
    }
    // The command, with INDEX for the index's place.
    std::string command;
    switch (kind) {
      case 0: {  // add 500 documents (ids re-added after a build replace older ones)
        if (next_doc + 500 > docs.size()) next_doc = 2000;  // extra rounds add them again
        const std::vector<SourceDocument> part(docs.begin() + static_cast<long>(next_doc),
                                               docs.begin() + static_cast<long>(next_doc + 500));
        next_doc += 500;
        command = "add INDEX " + testing::Quote(testing::WriteJsonl(dir, part, "part.jsonl")) +
                  " --memory 64M";
        break;
      }
      case 1: {  // delete 10 live documents
        command = "delete INDEX";
        for (int i = 0; i < 10; ++i) command += " " + before.ids[rng() % before.ids.size()];
        break;
      }
      case 2:
        command = "merge INDEX";
        break;
      case 3: {  // a fresh build of other documents (a size never built before)
        const std::size_t first = rng() % 2000, count = 1500 + static_cast<std::size_t>(round);
        const std::vector<SourceDocument> corpus(docs.begin() + static_cast<long>(first),
                                                 docs.begin() + static_cast<long>(first + count));
        command =
            testing::Quote(testing::WriteJsonl(dir, corpus, "build.jsonl")) + " INDEX --memory 64M";
        break;
      }
    }
    const auto on = [&](const fs::path& target) {
      std::string line = command;
      line.replace(line.find("INDEX"), 5, testing::Quote(target));
      return testing::kIndexBin + " -q " + line;
    };

    fs::remove_all(copy);
    fs::copy(index, copy, fs::copy_options::recursive);
    const auto started = std::chrono::steady_clock::now();
    const testing::CommandResult complete = testing::RunCommand(on(copy));
    ASSERT_EQ(complete.exit_code, 0) << on(copy) << ": " << complete.err;
    const double duration =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const IndexState after = ReadState(copy);
    ASSERT_NE(after, before) << on(copy) << " changed nothing";

    // timeout --foreground signals only the change and waits until it is
    // gone; by default it kills its whole process group, itself included,
    // without waiting, and the dying change could still hold the writer
    // lock when the next one starts. (A duration of 0 would mean none.)
    // The moment is skewed towards the end, where the commit is.
    const double seconds =
        std::max(0.001, duration * 1.2 * std::sqrt(static_cast<double>(rng() % 1000) / 1000.0));
    const testing::CommandResult result = testing::RunCommand(
        "timeout --foreground -s KILL " + std::to_string(seconds) + " " + on(index));
    const IndexState state = ReadState(index);
    const std::string what = "round " + std::to_string(round) + " (" + on(index) +
                             ", killed after " + std::to_string(seconds) + " s)";
    EXPECT_TRUE(state == before || state == after)
        << what << ": " << state << "; before " << before << ", after " << after;
    if (result.exit_code == 0) {
      ++ended;
      EXPECT_EQ(state, after) << what << ": finished but changed nothing";
    } else {
      // Killed: timeout says 128 + SIGKILL, or 124 when the change was
      // already on its way out.
      EXPECT_TRUE(result.exit_code == 128 + 9 || result.exit_code == 124)
          << what << ": exit " << result.exit_code << ": " << result.err;
      ++killed;
    }
    if (state == after) {
      ++after_state;
    } else if (state == before) {
      ++before_state;
    }
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      if (entry.path().filename().string().rfind(".index.tmp-", 0) == 0) {
        ++left_temp;
        break;
      }
    }
    const testing::CommandResult check =
        testing::RunCommand(testing::kIndexBin + " check " + testing::Quote(index));
    EXPECT_EQ(check.exit_code, 0) << what << ": " << check.err;
  }
  std::cout << "kill test: " << round << " rounds, " << killed << " killed mid-change, " << ended
            << " ended before the kill; before-state " << before_state << ", after-state "
            << after_state << "; " << left_temp
            << " left a temporary build folder for the next writer\n";
  // The random moments hit both sides of the commit.
  EXPECT_GT(before_state, 0);
  EXPECT_GT(after_state - ended, 0);
  // Whatever was left behind, the next change cleans up and succeeds.
  ASSERT_EQ(
      testing::RunCommand(testing::kIndexBin + " -q merge " + testing::Quote(index)).exit_code, 0);
  std::vector<std::string> entries;
  for (const auto& entry : fs::directory_iterator(index)) {
    entries.push_back(entry.path().filename().string());
  }
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries.size(), 3u) << ::testing::PrintToString(entries);  // manifest, lock, segment
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_NE(entry.path().filename().string().rfind(".index.tmp-", 0), 0u) << entry.path();
  }
}

}  // namespace
}  // namespace fathom
