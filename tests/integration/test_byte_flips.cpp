// Never silently wrong: for every single-byte flip of every file of a small
// index (two segments, a deletion file), everything a user can ask of it
// (every query kind as text, JSON and a TREC run, with snippets and
// explanations; counts; topics with feedback; stored documents; near-
// duplicate groups) is either byte for byte what the undamaged index
// answers, or refused with a fathom::Error that names the damaged file,
// which fathom-search prints as its one-line error with a non-zero exit.
// Never a different answer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <random>
#include <sstream>

#include "common/error.hpp"
#include "searcher/present/near_duplicates.hpp"
#include "searcher/present/output.hpp"
#include "searcher/query/natural_query.hpp"
#include "searcher/searcher.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

namespace fs = std::filesystem;

// 150 documents over a small vocabulary with a few frequent words, so that
// the index has multi-block lists (skip tables, impact records), single-
// block lists, titles, near duplicates and several store blocks.
std::vector<SourceDocument> FlipCorpus() {
  const std::vector<std::string> words = {
      "harbour", "keeper",  "lantern", "storm",  "ship",  "rock",   "tide",    "gull",
      "anchor",  "beacon",  "cliff",   "signal", "wave",  "fog",    "pilot",   "coast",
      "island",  "night",   "light",   "rope",   "bell",  "cargo",  "channel", "reef",
      "sailor",  "compass", "voyage",  "wreck",  "shore", "mast",   "deck",    "harbor",
      "current", "breaker", "squall",  "ledger", "keel",  "rudder", "quay",    "buoy"};
  std::mt19937 random(20261205);
  std::vector<SourceDocument> docs;
  for (int i = 0; i < 150; ++i) {
    SourceDocument doc;
    doc.id = "d-" + std::to_string(i);
    if (i % 3 == 0) doc.title = words[random() % words.size()] + " " + words[random() % 8];
    std::string body = "the common";
    const int length = 12 + static_cast<int>(random() % 40);
    for (int w = 0; w < length; ++w) {
      // Skewed: low word indexes are frequent.
      const std::size_t pick = (random() % words.size()) * (random() % words.size()) / words.size();
      body += " " + words[pick];
      if (w % 9 == 4) body += " the common light";
    }
    doc.body = body;
    docs.push_back(doc);
  }
  docs[41].body = docs[40].body;  // near duplicates
  docs[41].title = docs[40].title;
  return docs;
}

// Every query kind of the language, a misspelling (did you mean) and a
// query that matches nothing.
const std::vector<std::string> kQueries = {
    "harbour",
    "common",
    "storm lantern keeper",
    "+harbour +keeper",
    "\"common light\"",
    "\"the common\" ship",
    "+storm tide -gull",
    "ship AND NOT rock",
    "harbour OR (keeper AND NOT lantern)",
    "(signal AND wave) OR fog",
    "light*",
    "lantren~1",
    "\"storm tide\"~4",
    "title:harbour",
    "harbr keeper",
    "zzzunknown",
};

// What fathom-search prints for all of it (timings zeroed).
std::string Answers(const fs::path& index) {
  Searcher searcher(index);
  std::ostringstream out;
  TextStyle style = PlainStyle();
  style.explain = true;
  for (const std::string& query : kQueries) {
    SearchOptions options;
    options.k = 5;
    DisplayResult display = SearchForDisplay(searcher, query, options, true);
    display.result.milliseconds = 0;
    PrintResults(out, searcher, display, style);
    JsonResultStyle json;
    json.did_you_mean = display.corrected_query;
    json.explain_with = &display.bm25;
    WriteJsonResult(out, searcher, "q", query, display.result, display.groups, json);
    WriteTrecRun(out, searcher.snapshot(), "q", display.result, "run");
    options.count_only = true;
    out << "count " << searcher.Search(query, options).total_matches << "\n";
  }
  TopicSearcher topics(searcher, NaturalQueryOptions{}, true);
  SearchOptions batch;
  batch.k = 20;
  SearchResult topic = topics.Search("storm at the harbour keeper lantern", batch);
  WriteTrecRun(out, searcher.snapshot(), "topic", topic, "rm3");
  for (const char* id : {"d-0", "d-40", "d-77", "d-149"}) {
    const auto doc = searcher.snapshot().FindExternalId(id);
    if (doc) PrintDocument(out, searcher, *doc, style);
  }
  for (const auto& group : FindNearDuplicateGroups(searcher.snapshot())) {
    for (const DocId doc : group) out << searcher.snapshot().external_id(doc) << " ";
    out << "\n";
  }
  return out.str();
}

void WriteByte(const fs::path& path, std::uint64_t offset, char byte) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::pwrite(fd, &byte, 1, static_cast<off_t>(offset)), 1) << path;
  ::close(fd);
}

struct FileFlips {
  std::uint64_t flips = 0;
  std::uint64_t identical = 0;
  std::uint64_t refused = 0;
};

TEST(ByteFlips, EveryFlipGivesTheSameAnswersOrAnErrorNamingTheFile) {
  TempDir dir;
  const fs::path index = BuildSegmented(dir, FlipCorpus(), {90, 60});
  DeleteByGlobalId(index, {5, 100});
  const std::string expected = Answers(index);
  ASSERT_NE(expected.find("d-77"), std::string::npos);  // the answers say something
  // Sanitizers run ten times slower: there, every seventh byte of every file.
#ifdef FATHOM_SANITIZED
  const std::uint64_t stride = 7;
#else
  const std::uint64_t stride = 1;
#endif
  std::map<std::string, FileFlips> figures;
  std::uint64_t wrong = 0;
  for (const std::string& name : IndexFileNames(index)) {
    const fs::path path = index / name;
    const std::string original = ReadFile(path);
    FileFlips& file = figures[name];
    for (std::uint64_t offset = 0; offset < original.size(); offset += stride) {
      const char flipped = static_cast<char>(original[offset] ^ 0xFF);
      WriteByte(path, offset, flipped);
      ++file.flips;
      try {
        if (Answers(index) == expected) {
          ++file.identical;
        } else if (++wrong <= 10) {
          ADD_FAILURE() << name << ": flipping byte " << offset
                        << " changes the answers without an error";
        }
      } catch (const Error& e) {
        const std::string message = e.what();
        if (message.find(path.string()) != std::string::npos) {
          ++file.refused;
        } else if (++wrong <= 10) {
          ADD_FAILURE() << name << ": flipping byte " << offset
                        << " gives an error that does not name the file: " << message;
        }
      } catch (const std::exception& e) {
        if (++wrong <= 10) {
          ADD_FAILURE() << name << ": flipping byte " << offset << " throws " << e.what();
        }
      }
      WriteByte(path, offset, original[offset]);
    }
  }
  EXPECT_EQ(wrong, 0u);
  FileFlips total;
  std::printf("%-28s %8s %10s %8s\n", "file", "flips", "identical", "refused");
  for (const auto& [name, file] : figures) {
    std::printf("%-28s %8llu %10llu %8llu\n", name.c_str(),
                static_cast<unsigned long long>(file.flips),
                static_cast<unsigned long long>(file.identical),
                static_cast<unsigned long long>(file.refused));
    total.flips += file.flips;
    total.identical += file.identical;
    total.refused += file.refused;
  }
  std::printf("%-28s %8llu %10llu %8llu\n", "all", static_cast<unsigned long long>(total.flips),
              static_cast<unsigned long long>(total.identical),
              static_cast<unsigned long long>(total.refused));
  // Sanity: the undamaged index still answers as before.
  EXPECT_EQ(Answers(index), expected);
}

}  // namespace
}  // namespace fathom::testing
