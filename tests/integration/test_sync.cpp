// `fathom-index sync`: an index that follows its folder. A folder of text,
// HTML, TREC SGML, binary and empty files, and a tar of several, changes
// round after round (files added, edited, removed, touched, turned binary);
// after each sync the index must be the one a fresh build of the folder
// gives, file for file, and must answer a fixed query set alike. Sync must
// also report exactly what changed, read nothing when nothing did, and keep
// the index as it was when it fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "common/error.hpp"
#include "common/format/manifest.hpp"
#include "common/format/sources.hpp"
#include "common/read/index_reader.hpp"
#include "indexer/write/index_editor.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

namespace fs = std::filesystem;

// The segment files a fresh build and a sync must agree on byte for byte:
// all but meta (its creation time) and store (its block boundaries follow
// the batches each build read; its text is compared document by document).
const char* const kComparedFiles[] = {"terms.dict", "postings.doc", "postings.pos", "doclens",
                                      "docids",     "minhash",      "sources"};

fs::path OnlySegment(const fs::path& index) {
  const Manifest manifest = ReadManifest(index);
  EXPECT_EQ(manifest.segments.size(), 1u);
  EXPECT_EQ(manifest.segments.at(0).deleted_count, 0u);
  return index / manifest.segments.at(0).name;
}

void ExpectSameIndex(const fs::path& synced, const fs::path& fresh) {
  const fs::path a = OnlySegment(synced), b = OnlySegment(fresh);
  for (const char* file : kComparedFiles) {
    EXPECT_TRUE(ReadFile(a / file) == ReadFile(b / file))
        << file << " of the synced index differs from a fresh build's";
  }
  const IndexReader ra(a), rb(b);
  ASSERT_EQ(ra.document_count(), rb.document_count());
  const DocStore sa(ra.store_file(), ra.document_count()), sb(rb.store_file(), rb.document_count());
  for (DocId doc = 0; doc < ra.document_count(); ++doc) {
    const StoredDocument da = sa.Get(doc), db = sb.Get(doc);
    ASSERT_EQ(da.title, db.title) << ra.external_id(doc);
    ASSERT_EQ(da.body, db.body) << ra.external_id(doc);
  }
}

// A folder whose files the test changes, and what it expects sync to see.
class ChangingFolder {
 public:
  explicit ChangingFolder(fs::path root, std::uint64_t seed) : root_(std::move(root)), rng_(seed) {
    for (int w = 0; w < 300; ++w) words_.push_back("w" + std::to_string(w) + "x");
  }

  const fs::path& root() const { return root_; }

  // Writes a file and gives it a time of its own, so that an edit never
  // hides behind a file system's coarse clock.
  void Put(const std::string& relative, const std::string& bytes) {
    WriteFile(root_ / relative, bytes);
    Stamp(relative);
  }
  void Stamp(const std::string& relative) {
    fs::last_write_time(root_ / relative,
                        fs::file_time_type::clock::now() + std::chrono::seconds(++stamps_));
  }

  std::string Words(std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) {
      // Skewed, so that common words tie and rare ones do not.
      const auto w = static_cast<std::size_t>(
          std::pow(static_cast<double>(rng_() % 1000) / 1000.0, 2.0) * words_.size());
      text += (i ? " " : "") + words_[w];
    }
    return text;
  }
  std::string TextFile() { return Words(1 + rng_() % 5) + "\n\n" + Words(rng_() % 80) + "\n"; }
  std::string HtmlFile() {
    return "<html><head><title>" + Words(3) + "</title><script>var hidden1x = 1;</script>" +
           "</head><body><p>" + Words(rng_() % 60) + "</p><p>" + Words(rng_() % 30) +
           "</p></body></html>";
  }
  std::string TrecFile(const std::string& prefix, int documents) {
    std::string text;
    for (int d = 0; d < documents; ++d) {
      text += "<DOC>\n<DOCNO> " + prefix + "-" + std::to_string(d) + " </DOCNO>\n<TEXT>\n" +
              Words(5 + rng_() % 50) + "\n</TEXT>\n</DOC>\n";
    }
    return text;
  }
  std::string NewFileName() {
    const char* folders[] = {"", "a/", "a/b/", "c/", "a-c/"};
    const char* types[] = {".txt", ".txt", ".txt", ".html", ".trec", ".bin"};
    return std::string(folders[rng_() % 5]) + "f" + std::to_string(next_name_++) +
           types[rng_() % 6];
  }
  std::string Contents(const std::string& name) {
    if (name.ends_with(".html")) return HtmlFile();
    if (name.ends_with(".trec")) return TrecFile(name, 1 + static_cast<int>(rng_() % 4));
    if (name.ends_with(".bin"))
      return std::string(
                 "\x7f"
                 "ELF\0\0\1",
                 7) +
             Words(3);
    return TextFile();
  }

  std::vector<std::string> Files() const {
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(root_)) {
      if (entry.is_regular_file()) {
        files.push_back(fs::relative(entry.path(), root_).generic_string());
      }
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  fs::path root_;
  std::mt19937_64 rng_;
  std::vector<std::string> words_;
  int next_name_ = 0;
  int stamps_ = 0;
};

// What a round did to the folder, as sync must report it.
struct Expected {
  std::set<std::string> added, changed, removed;
  std::size_t touched = 0;
};

std::set<std::string> AsSet(const std::vector<std::string>& paths) {
  return {paths.begin(), paths.end()};
}

// Reordered or not: a reordering sync must give the fresh reordered build
// (doc_reorder.hpp: the same documents in the same order reorder alike).
// The thresholds are lowered so that this small folder is really reordered.
class SyncRounds : public ::testing::TestWithParam<bool> {};

TEST_P(SyncRounds, FollowsItsFolderRoundAfterRoundExactlyAsAFreshBuild) {
  TempDir dir;
  ChangingFolder folder(dir / "folder", 20261205);
  for (int i = 0; i < 60; ++i) {
    const std::string name = folder.NewFileName();
    folder.Put(name, folder.Contents(name));
  }
  folder.Put("empty.txt", "");
  // An archive gives one document per member, all of one file.
  folder.Put("packed/one.txt", folder.TextFile());
  folder.Put("packed/two.html", folder.HtmlFile());
  ASSERT_EQ(
      RunCommand("cd " + Quote(folder.root()) + " && tar -czf bundle.tar.gz packed && rm -r packed")
          .exit_code,
      0);
  folder.Stamp("bundle.tar.gz");
  // A link to another file of the folder is a file of its own name.
  fs::create_symlink("bundle.tar.gz", folder.root() / "link-to-bundle.tar.gz");

  BuildOptions options;
  options.threads = 2;
  options.reorder = GetParam();
  options.reorder_options.min_doc_frequency = 3;
  options.reorder_options.min_partition = 2;
  const SyncSummary first = SyncFolder(folder.root(), dir / "index", options, nullptr, nullptr);
  EXPECT_TRUE(first.built);
  EXPECT_EQ(first.build.reordered, GetParam());
  {
    // Reordered for real: the files are no longer in the folder's order.
    const IndexReader reader(OnlySegment(dir / "index"));
    std::vector<fs::path> paths;  // compared as the folder walk sorts them
    for (const SourceFile& source : reader.sources()) paths.emplace_back(source.path);
    EXPECT_NE(std::is_sorted(paths.begin(), paths.end()), GetParam());
  }

  for (int round = 0; round < 8; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Expected expected;
    for (const std::string& file : folder.Files()) {
      // The archive and the link to it stay (a change to one shows in both).
      if (file.find("bundle") != std::string::npos) continue;
      switch (folder.rng()() % 12) {
        case 0:  // edited
          folder.Put(file, folder.Contents(file) + " " + folder.Words(3));
          expected.changed.insert(file);
          break;
        case 1:  // removed
          fs::remove(folder.root() / file);
          expected.removed.insert(file);
          break;
        case 2:  // a new time, the same bytes: not read again
          folder.Stamp(file);
          ++expected.touched;
          break;
        case 3:  // now binary
          folder.Put(file, std::string("bin\0ary", 7) + std::to_string(round));
          expected.changed.insert(file);
          break;
        default:
          break;
      }
    }
    for (int added = 0; added < 4; ++added) {
      const std::string name = folder.NewFileName();
      folder.Put(name, folder.Contents(name));
      expected.added.insert(name);
    }

    const SyncSummary synced = SyncFolder(folder.root(), dir / "index", options, nullptr, nullptr);
    EXPECT_FALSE(synced.built);
    EXPECT_TRUE(synced.wrote);
    EXPECT_EQ(AsSet(synced.added), expected.added);
    EXPECT_EQ(AsSet(synced.changed), expected.changed);
    EXPECT_EQ(AsSet(synced.removed), expected.removed);
    EXPECT_EQ(synced.touched, expected.touched);
    EXPECT_EQ(synced.unchanged + synced.touched + synced.added.size() + synced.changed.size(),
              folder.Files().size());

    const fs::path fresh = dir / ("fresh-" + std::to_string(round));
    BuildIndex(folder.root(), fresh, options, nullptr, nullptr);
    ExpectSameIndex(dir / "index", fresh);
    fs::remove_all(fresh);
  }

  // Nothing changed: nothing is written, and every file is unchanged.
  const std::uint64_t generation = ReadManifest(dir / "index").generation;
  const SyncSummary idle = SyncFolder(folder.root(), dir / "index", options, nullptr, nullptr);
  EXPECT_FALSE(idle.wrote);
  EXPECT_EQ(idle.unchanged, folder.Files().size());
  EXPECT_EQ(ReadManifest(dir / "index").generation, generation);
}

INSTANTIATE_TEST_SUITE_P(Sync, SyncRounds, ::testing::Values(false, true), [](const auto& param) {
  return param.param ? "Reordered" : "InFolderOrder";
});

// The Done-when check as users run it: the programs, a fixed query set,
// the runs compared byte for byte.
TEST(Sync, ProgramAnswersAQuerySetAsAFreshBuildDoes) {
  TempDir dir;
  ChangingFolder folder(dir / "folder", 7);
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) {
    names.push_back(folder.NewFileName());
    folder.Put(names.back(), folder.Contents(names.back()));
  }
  std::string queries;
  for (int q = 0; q < 30; ++q) {
    queries += "q" + std::to_string(q) + "\t" + folder.Words(1 + q % 3) + "\n";
  }
  queries += "phrase\t\"" + folder.Words(2) + "\"\n";
  WriteFile(dir / "queries.tsv", queries);
  const std::string index = Quote(dir / "index");
  const CommandResult built =
      RunCommand(kIndexBin + " sync " + Quote(folder.root()) + " " + index + " -q");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_NE(built.out.find("no index yet; built one from"), std::string::npos) << built.out;

  folder.Put(names[0], folder.TextFile());
  fs::remove(folder.root() / names[1]);
  folder.Put("late.txt", folder.TextFile());
  const CommandResult synced =
      RunCommand(kIndexBin + " sync " + Quote(folder.root()) + " " + index);
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  EXPECT_NE(synced.out.find("1 added, 1 changed, 1 removed"), std::string::npos) << synced.out;
  EXPECT_NE(synced.out.find("  + late.txt\n"), std::string::npos) << synced.out;
  EXPECT_NE(synced.out.find("  ~ " + names[0] + "\n"), std::string::npos) << synced.out;
  EXPECT_NE(synced.out.find("  - " + names[1] + "\n"), std::string::npos) << synced.out;

  ASSERT_EQ(RunCommand(kIndexBin + " " + Quote(folder.root()) + " " + Quote(dir / "fresh") + " -q")
                .exit_code,
            0);
  for (const char* name : {"index", "fresh"}) {
    const CommandResult run = RunCommand(
        kSearchBin + " " + Quote(dir / name) + " --queries " + Quote(dir / "queries.tsv") +
        " --syntax -k 10 --tag t --output " + Quote(dir / (std::string(name) + ".run")));
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  const std::string run = ReadFile(dir / "index.run");
  EXPECT_GT(std::count(run.begin(), run.end(), '\n'), 100);
  EXPECT_EQ(run, ReadFile(dir / "fresh.run"));

  const CommandResult idle = RunCommand(kIndexBin + " sync " + Quote(folder.root()) + " " + index);
  EXPECT_EQ(idle.exit_code, 0);
  EXPECT_NE(idle.out.find(": up to date (40 files unchanged"), std::string::npos) << idle.out;

  // Results show each document's file: path, size and time.
  const CommandResult one = RunCommand(kSearchBin + " " + index + " --queries " +
                                       Quote(dir / "queries.tsv") + " --format json -k 1");
  EXPECT_NE(one.out.find("\"file\":{\"path\":\""), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("\",\"size\":"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("\"modified\":\"20"), std::string::npos) << one.out;
}

TEST(Sync, SplitAddedAndDeletedIndexesComeBackToTheFreshBuild) {
  TempDir dir;
  ChangingFolder folder(dir / "folder", 99);
  for (int i = 0; i < 30; ++i) {
    const std::string name = folder.NewFileName();
    folder.Put(name, folder.Contents(name));
  }
  // Three segments, a file's TREC documents possibly split between two.
  BuildOptions split;
  split.segments = 3;
  BuildIndex(folder.root(), dir / "index", split, nullptr, nullptr);
  EXPECT_EQ(ReadManifest(dir / "index").segments.size(), 3u);
  // A document deleted by id: its file must be read again.
  const std::vector<std::string> files = folder.Files();
  std::string deleted;
  for (const std::string& file : files) {
    if (file.ends_with(".txt")) {
      deleted = file;
      break;
    }
  }
  ASSERT_FALSE(deleted.empty());
  EXPECT_EQ(DeleteDocuments(dir / "index", {deleted}).deleted, 1u);
  // Documents of no file (JSON Lines) stay, after the folder's.
  AddDocuments(WriteJsonl(dir, {{"json-1", "", "w1x w2x"}}, "extra.jsonl"), dir / "index", {},
               nullptr, nullptr);
  const SyncSummary synced = SyncFolder(folder.root(), dir / "index", {}, nullptr, nullptr);
  EXPECT_EQ(AsSet(synced.changed), std::set<std::string>{deleted});
  EXPECT_TRUE(synced.added.empty());
  const IndexReader reader(dir / "index");
  EXPECT_EQ(reader.external_id(static_cast<DocId>(reader.document_count() - 1)), "json-1");
  EXPECT_EQ(FindSource(reader.sources(), static_cast<DocId>(reader.document_count() - 1)), nullptr);
  // Without it, the fresh build's index.
  DeleteDocuments(dir / "index", {"json-1"});
  MergeSegments(dir / "index", nullptr);
  BuildIndex(folder.root(), dir / "fresh", {}, nullptr, nullptr);
  ExpectSameIndex(dir / "index", dir / "fresh");
}

TEST(Sync, RefusesWhatItCannotFollowAndLeavesTheIndexAsItWas) {
  TempDir dir;
  const fs::path from_jsonl = BuildFromDocs(dir, RandomDocs(20, 50, 3));
  WriteFile(dir / "folder" / "a.txt", "alpha words\n\nmore words");
  try {
    SyncFolder(dir / "folder", from_jsonl, {}, nullptr, nullptr);
    ADD_FAILURE() << "synced an index built from JSON Lines";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("holds no documents read from files"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(ReadManifest(from_jsonl).generation, 1u);

  const CommandResult no_folder =
      RunCommand(kIndexBin + " sync " + Quote(dir / "missing") + " " + Quote(dir / "other"));
  EXPECT_NE(no_folder.exit_code, 0);
  EXPECT_NE(no_folder.err.find("missing: not a folder"), std::string::npos) << no_folder.err;
  EXPECT_FALSE(fs::exists(dir / "other"));

  // Every file removed: sync refuses to leave an empty index.
  ASSERT_EQ(
      RunCommand(kIndexBin + " sync " + Quote(dir / "folder") + " " + Quote(dir / "idx") + " -q")
          .exit_code,
      0);
  fs::remove(dir / "folder" / "a.txt");
  const CommandResult emptied =
      RunCommand(kIndexBin + " sync " + Quote(dir / "folder") + " " + Quote(dir / "idx"));
  EXPECT_NE(emptied.exit_code, 0);
  EXPECT_NE(emptied.err.find("no documents left"), std::string::npos) << emptied.err;
  EXPECT_EQ(ReadManifest(dir / "idx").live_count(), 1u);
  EXPECT_EQ(RunCommand(kIndexBin + " check " + Quote(dir / "idx")).exit_code, 0);
}

TEST(SourcesFormat, DamagedRecordsAreRefusedNamingTheFile) {
  std::vector<SourceFile> sources = {
      {"a.txt", 10, 5, 7, 0, 2}, {"b.bin", 3, 6, 8, 2, 0}, {"c.trec", 30, 7, 9, 2, 3}};
  const std::string good = SerializeSources(sources, 5);
  const auto parse = [](const std::string& bytes, std::uint64_t documents) {
    return ParseSources("seg/sources", reinterpret_cast<const std::uint8_t*>(bytes.data()),
                        bytes.size(), documents);
  };
  const std::vector<SourceFile> back = parse(good, 5);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[2].path, "c.trec");
  EXPECT_EQ(back[2].first_doc, 2u);
  EXPECT_EQ(FindSource(back, 0)->path, "a.txt");
  EXPECT_EQ(FindSource(back, 2)->path, "c.trec");
  EXPECT_EQ(FindSource(back, 4)->path, "c.trec");
  EXPECT_THROW(parse(good, 6), CorruptIndexError);                             // another segment's
  EXPECT_THROW(parse(good.substr(0, good.size() - 1), 5), CorruptIndexError);  // cut short
  EXPECT_THROW(parse(good + "x", 5), CorruptIndexError);
  sources[2].first_doc = 1;  // overlaps a.txt's documents
  EXPECT_THROW(SerializeSources(sources, 5), InputError);
  std::string overlapping = good;
  // c.trec's first_doc field: the last record's last 8 bytes are first_doc, count.
  overlapping[overlapping.size() - 8] = 1;
  try {
    parse(overlapping, 5);
    ADD_FAILURE() << "overlapping records accepted";
  } catch (const CorruptIndexError& e) {
    EXPECT_NE(std::string(e.what()).find("seg/sources: documents of 'c.trec' overlap"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace fathom::testing
