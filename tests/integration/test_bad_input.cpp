// Bad input through the command-line tools: each case gets a clear one-line
// message naming the file and the problem, a non-zero exit where the input
// cannot be used, and no crash; a failed build leaves the old index intact.
#include <gtest/gtest.h>

#include "common/analysis/minhash.hpp"
#include "common/format/format.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/posting_cursor.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

// The first line of stderr, and that there is exactly one line.
void ExpectOneLineError(const CommandResult& result, const std::string& fragment) {
  EXPECT_NE(result.exit_code, 0) << result.out;
  EXPECT_NE(result.exit_code, 139) << "crashed";
  EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

CommandResult Index(const std::filesystem::path& corpus, const std::filesystem::path& index,
                    const std::string& flags = "") {
  return RunCommand(kIndexBin + " " + Quote(corpus) + " " + Quote(index) + " " + flags);
}

CommandResult Search(const std::filesystem::path& index, const std::string& query) {
  return RunCommand(kSearchBin + " " + Quote(index) + " '" + query + "'");
}

TEST(BadInput, MissingCorpus) {
  TempDir dir;
  const CommandResult result = Index(dir / "nowhere", dir / "idx");
  ExpectOneLineError(result, (dir / "nowhere").string() + ": corpus not found");
  EXPECT_FALSE(std::filesystem::exists(dir / "idx"));
}

TEST(BadInput, ReorderIsRefusedWhereItWouldDoNothing) {
  TempDir dir;
  WriteFile(dir / "a.jsonl", "{\"id\": \"a\", \"body\": \"one two\"}\n");
  ASSERT_EQ(Index(dir / "a.jsonl", dir / "idx", "-q").exit_code, 0);
  const std::string before = ReadFile(dir / "idx" / "manifest");
  ExpectOneLineError(
      RunCommand(kIndexBin + " add " + Quote(dir / "idx") + " " + Quote(dir / "a.jsonl") +
                 " --reorder on"),
      "--reorder on: only a build, merge or sync reorders documents; add keeps their order");
  ExpectOneLineError(Index(dir / "a.jsonl", dir / "idx", "--reorder yes"),
                     "--reorder: 'on' or 'off', not 'yes'");
  EXPECT_EQ(ReadFile(dir / "idx" / "manifest"), before);  // nothing changed
}

TEST(BadInput, EmptyFolder) {
  TempDir dir;
  std::filesystem::create_directories(dir / "empty");
  ExpectOneLineError(Index(dir / "empty", dir / "idx"), "no documents found");
  EXPECT_FALSE(std::filesystem::exists(dir / "idx"));
  // No temporary folder is left behind either.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename(), "empty");
  }
}

TEST(BadInput, BinaryFileIsSkippedWithAWarning) {
  TempDir dir;
  WriteFile(dir / "docs" / "good.txt", "plain words about lighthouses\n");
  WriteFile(dir / "docs" / "image.bin", std::string("GIF89a\0\0\x01\x02", 10));
  const CommandResult result = Index(dir / "docs", dir / "idx");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("image.bin: binary file (contains NUL bytes), skipped"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.out.find("Indexed 1 documents"), std::string::npos) << result.out;
  EXPECT_NE(Search(dir / "idx", "lighthouses").out.find("good.txt"), std::string::npos);
}

TEST(BadInput, InvalidUtf8IsRepairedAndCounted) {
  TempDir dir;
  WriteFile(dir / "docs" / "latin1.txt", "caf\xe9 au lait and \xff\xfe crois\xe9ssant\n");
  const CommandResult result = Index(dir / "docs", dir / "idx");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("latin1.txt: 4 invalid UTF-8 sequence(s) replaced"), std::string::npos)
      << result.err;
  EXPECT_NE(result.out.find("1 documents with invalid UTF-8"), std::string::npos) << result.out;
  const CommandResult found = Search(dir / "idx", "lait");
  EXPECT_NE(found.out.find("latin1.txt"), std::string::npos) << found.out;
}

TEST(BadInput, EmptyDocumentIsStillADocument) {
  TempDir dir;
  WriteFile(dir / "docs" / "empty.txt", "");
  WriteFile(dir / "docs" / "words.txt", "some words\n");
  const CommandResult result = Index(dir / "docs", dir / "idx");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Indexed 2 documents"), std::string::npos) << result.out;
}

TEST(BadInput, MalformedJsonLineNamesFileLineAndColumn) {
  TempDir dir;
  WriteFile(dir / "c.jsonl",
            "{\"id\":\"1\",\"body\":\"fine\"}\n{\"id\":\"2\",\"body\" \"oops\"}\n{\"id\":\"3\"}\n");
  ExpectOneLineError(Index(dir / "c.jsonl", dir / "idx"),
                     (dir / "c.jsonl").string() + ":2: column ");
  EXPECT_FALSE(std::filesystem::exists(dir / "idx"));
  // With --skip-bad-lines the line is skipped and counted.
  const CommandResult skipped = Index(dir / "c.jsonl", dir / "idx", "--skip-bad-lines");
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_NE(skipped.out.find("Indexed 2 documents"), std::string::npos) << skipped.out;
  EXPECT_NE(skipped.out.find("1 bad lines"), std::string::npos) << skipped.out;
}

TEST(BadInput, JsonLineWithoutId) {
  TempDir dir;
  WriteFile(dir / "c.jsonl", "{\"title\":\"no id\"}\n");
  ExpectOneLineError(Index(dir / "c.jsonl", dir / "idx"), "c.jsonl:1: record has no 'id' field");
}

TEST(BadInput, MalformedQueryInABatchIsReportedAndTheOthersAnswered) {
  // Issue 11: CACM's query 64 in the query language ended the whole batch.
  TempDir dir;
  WriteFile(dir / "docs" / "a.txt", "lighthouse keepers on the coast\n");
  WriteFile(dir / "docs" / "b.txt", "keepers of the light and the harbour\n");
  ASSERT_EQ(Index(dir / "docs", dir / "idx").exit_code, 0);
  WriteFile(dir / "queries.tsv",
            "q1\tlighthouse\n"
            "64\tkeepers (light OR harbour\n"
            "q3\tkeepers AND harbour\n"
            "q4\tcoast AND\n"
            "q5\tlight\n");
  for (const std::string threads : {"1", "3"}) {
    for (const std::string format : {"trec", "json"}) {
      const std::string what = "--threads " + threads + " --format " + format;
      const CommandResult result =
          RunCommand(kSearchBin + " " + Quote(dir / "idx") + " --syntax --queries " +
                     Quote(dir / "queries.tsv") + " " + what);
      EXPECT_EQ(result.exit_code, 3) << what << "\n" << result.err;
      // Every good query answered, in file order; none of the bad ones.
      const std::string mark = format == "trec" ? "\n" : "\"qid\":\"";
      std::vector<std::string> answered;
      for (const std::string qid : {"q1", "64", "q3", "q4", "q5"}) {
        const std::string at = format == "trec" ? qid + " Q0 " : mark + qid + "\"";
        if (result.out.find(at) != std::string::npos) answered.push_back(qid);
      }
      EXPECT_EQ(answered, (std::vector<std::string>{"q1", "q3", "q5"})) << what << "\n"
                                                                        << result.out;
      EXPECT_LT(result.out.find("b.txt"), result.out.find(format == "trec" ? "q5 Q0" : "\"q5\""))
          << what << "\n"
          << result.out;
      // One line per bad query, naming the file, the query and the column
      // (for a missing ')', the end of the query), in file order, then the
      // count.
      const std::string file = (dir / "queries.tsv").string();
      EXPECT_EQ(result.err,
                "error: " + file + ": query 64: column 26: missing ')' to close a '('\n" +
                    "error: " + file + ": query q4: column 7: AND needs something on both sides\n" +
                    "fathom-search: " + file +
                    ": 2 of 5 queries failed (errors above) and have no results; the "
                    "others were answered\n")
          << what;
    }
  }
}

TEST(BadInput, RefusesToReplaceSomethingThatIsNotAnIndex) {
  TempDir dir;
  WriteFile(dir / "docs" / "a.txt", "alpha\n");
  WriteFile(dir / "precious" / "thesis.txt", "years of work\n");
  ExpectOneLineError(Index(dir / "docs", dir / "precious"), "is not a Fathom index");
  EXPECT_EQ(ReadFile(dir / "precious" / "thesis.txt"), "years of work\n");
}

// An index with every kind of file: the manifest, a segment, and a deletion
// file (document c deleted).
class DamagedIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "docs" / "a.txt", "Lighthouse keepers\nkeep the light burning at night\n");
    WriteFile(dir_ / "docs" / "b.txt", "Ships\nsee the light from far away\n");
    WriteFile(dir_ / "docs" / "c.txt", "Gone\nthe light of a deleted document\n");
    ASSERT_EQ(Index(dir_ / "docs", index_).exit_code, 0);
    ASSERT_EQ(RunCommand(kIndexBin + " delete " + Quote(index_) + " c.txt").exit_code, 0);
    deletes_ = ReadManifest(index_).segments[0].deletes_name;
    ASSERT_FALSE(deletes_.empty());
    const CommandResult found = Search(index_, "light");
    ASSERT_EQ(found.exit_code, 0);
    ASSERT_NE(found.out.find("2 matching documents"), std::string::npos) << found.out;
  }
  void FlipByte(const std::string& file, std::size_t offset_from_start) {
    std::string bytes = ReadFile(index_ / file);
    ASSERT_LT(offset_from_start, bytes.size());
    bytes[offset_from_start] ^= 0x40;
    WriteFile(index_ / file, bytes);
  }
  TempDir dir_;
  std::filesystem::path index_ = dir_ / "idx";
  std::string deletes_;
};

const std::string kSegmentFolder = "seg-000001";
const std::string kSegment = kSegmentFolder + "/";

TEST_F(DamagedIndexTest, TruncatedFile) {
  std::string bytes = ReadFile(index_ / (kSegment + "postings.doc"));
  WriteFile(index_ / (kSegment + "postings.doc"), bytes.substr(0, bytes.size() / 2));
  ExpectOneLineError(Search(index_, "light"), "postings.doc: size is");
  WriteFile(index_ / (kSegment + "postings.doc"), bytes);
  for (const std::string& file : {std::string("manifest"), deletes_}) {
    const std::string original = ReadFile(index_ / file);
    WriteFile(index_ / file, original.substr(0, original.size() - 1));
    ExpectOneLineError(Search(index_, "light"), file);
    WriteFile(index_ / file, original);
  }
}

TEST_F(DamagedIndexTest, FlippedByteInEverySmallFileIsCaught) {
  for (const std::string& file :
       {std::string("manifest"), deletes_, kSegment + "meta", kSegment + "terms.dict",
        kSegment + "doclens", kSegment + "docids", kSegment + "minhash"}) {
    const std::string original = ReadFile(index_ / file);
    for (std::size_t offset : {std::size_t{2}, original.size() / 2, original.size() - 3}) {
      FlipByte(file, offset);
      const CommandResult result = Search(index_, "light");
      EXPECT_NE(result.exit_code, 0) << file << " offset " << offset;
      EXPECT_NE(result.err.find(file), std::string::npos) << result.err;
      WriteFile(index_ / file, original);
    }
  }
  EXPECT_EQ(Search(index_, "light").exit_code, 0);
}

// Sketches are verified by page, when a result shown needs its sketch (to
// fold near duplicates): a damaged sketch stops the query whose results
// read it, and no other. A TREC batch reads none.
TEST(DamagedSketches, AreCaughtWhereAResultNeedsThemAndNowhereElse) {
  TempDir dir;
  std::string corpus;
  constexpr std::size_t kDocs = 400;  // seven pages of sketches
  for (std::size_t d = 0; d < kDocs; ++d) {
    const std::string word = d == 0 ? "firstword" : d == kDocs - 1 ? "lastword" : "";
    corpus += "{\"id\": \"d" + std::to_string(d) + "\", \"body\": \"common filler number" +
              std::to_string(d) + " " + word + "\"}\n";
  }
  WriteFile(dir / "c.jsonl", corpus);
  const std::filesystem::path index = dir / "idx";
  ASSERT_EQ(Index(dir / "c.jsonl", index, "-q --reorder off").exit_code, 0);
  const std::filesystem::path sketches = index / kSegmentFolder / "minhash";
  ASSERT_GT(std::filesystem::file_size(sketches), 4 * format::kPageSize);
  EXPECT_NE(ReadFile(index / kSegmentFolder / "checksums").find("minhash"), std::string::npos);
  WriteFile(dir / "q.tsv", "q1\tcommon\nq2\tlastword\n");
  const std::string batch_command =
      kSearchBin + " " + Quote(index) + " --queries " + Quote(dir / "q.tsv") + " -k 1000";
  const CommandResult batch_before = RunCommand(batch_command);
  const CommandResult first_before = Search(index, "firstword");
  ASSERT_EQ(batch_before.exit_code, 0) << batch_before.err;
  ASSERT_EQ(first_before.exit_code, 0) << first_before.err;

  // A byte of the last document's sketch, in the file's last page.
  std::string bytes = ReadFile(sketches);
  const std::size_t last_sketch = format::kHeaderSize + 8 + kSketchBytes * (kDocs - 1);
  ASSERT_GE(last_sketch, bytes.size() - format::kFooterSize - format::kPageSize);
  bytes[last_sketch + 5] ^= 0x40;
  WriteFile(sketches, bytes);

  const CommandResult last = Search(index, "lastword");
  ExpectOneLineError(last, "minhash");
  EXPECT_NE(last.err.find("do not match their checksum"), std::string::npos) << last.err;
  const CommandResult first = Search(index, "firstword");
  EXPECT_EQ(first.exit_code, 0) << first.err;
  // The same results (the first line also gives the time taken).
  const auto results = [](const std::string& out) { return out.substr(out.find('\n')); };
  EXPECT_EQ(results(first.out), results(first_before.out));
  const CommandResult batch = RunCommand(batch_command);
  EXPECT_EQ(batch.exit_code, 0) << batch.err;
  EXPECT_EQ(batch.out, batch_before.out);
  const CommandResult check = RunCommand(kIndexBin + " check " + Quote(index));
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE((check.out + check.err).find("minhash"), std::string::npos) << check.out << check.err;
}

// 30,000 documents, each holding zzcommon 1 to 12 times: the last term,
// so its posting list ends postings.doc and its positions end postings.pos,
// both of many pages. The first document also holds firstword, after its
// last zzcommon, and the last document lastword.
void IndexOneLongLastList(const TempDir& dir, const std::filesystem::path& index) {
  std::string corpus;
  constexpr std::size_t kDocs = 30000;
  for (std::size_t d = 0; d < kDocs; ++d) {
    std::string body = "filler" + std::to_string(d % 97);
    for (std::size_t r = 0; r <= (d * 7) % 12; ++r) body += " zzcommon";
    if (d == 0) body += " firstword";
    if (d == kDocs - 1) body += " lastword";
    corpus += "{\"id\": \"d" + std::to_string(d) + "\", \"body\": \"" + body + "\"}\n";
  }
  WriteFile(dir / "c.jsonl", corpus);
  ASSERT_EQ(Index(dir / "c.jsonl", index, "-q --reorder off").exit_code, 0);
}

// A posting list's blocks are verified by page when a query first reads
// them: a damaged block stops the query that reads it, not one that skips
// it, and check finds it.
TEST(DamagedBlocks, AreCaughtWhereAQueryReadsThemAndNowhereElse) {
  TempDir dir;
  const std::filesystem::path index = dir / "idx";
  ASSERT_NO_FATAL_FAILURE(IndexOneLongLastList(dir, index));
  const std::filesystem::path postings = index / kSegmentFolder / "postings.doc";
  ASSERT_GT(std::filesystem::file_size(postings), 4 * format::kPageSize);
  const CommandResult first_before = Search(index, "+firstword +zzcommon");
  ASSERT_EQ(first_before.exit_code, 0) << first_before.err;
  ASSERT_EQ(Search(index, "+lastword +zzcommon").exit_code, 0);

  // A byte of zzcommon's last block, in the file's last page.
  std::string bytes = ReadFile(postings);
  bytes[bytes.size() - format::kFooterSize - 3] ^= 0x10;
  WriteFile(postings, bytes);

  ExpectOneLineError(Search(index, "+lastword +zzcommon"), "postings.doc");
  // filler26 is in the last document (29,999 % 97 == 26): counting must
  // read the last block.
  const CommandResult counted =
      RunCommand(kSearchBin + " " + Quote(index) + " --count '+zzcommon +filler26'");
  ExpectOneLineError(counted, "postings.doc");
  const CommandResult first = Search(index, "+firstword +zzcommon");
  EXPECT_EQ(first.exit_code, 0) << first.err;
  const auto results = [](const std::string& out) { return out.substr(out.find('\n')); };
  EXPECT_EQ(results(first.out), results(first_before.out));
  const CommandResult check = RunCommand(kIndexBin + " check " + Quote(index));
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE((check.out + check.err).find("postings.doc"), std::string::npos) << check.out;
}

// A term's positions are verified by page as a phrase reads them, not all
// at the term's first phrase: a damaged page stops the phrase that reads it,
// not one that reads the term's positions elsewhere, and check finds it.
TEST(DamagedPositions, AreCaughtWhereAPhraseReadsThemAndNowhereElse) {
  TempDir dir;
  const std::filesystem::path index = dir / "idx";
  ASSERT_NO_FATAL_FAILURE(IndexOneLongLastList(dir, index));
  const std::filesystem::path positions = index / kSegmentFolder / "postings.pos";
  ASSERT_GT(std::filesystem::file_size(positions), 16 * format::kPageSize);
  const std::string first_phrase = "'\"zzcommon firstword\"'";
  const std::string last_phrase = "'\"zzcommon lastword\"'";
  const CommandResult first_before =
      RunCommand(kSearchBin + " " + Quote(index) + " " + first_phrase);
  ASSERT_EQ(first_before.exit_code, 0) << first_before.err;
  ASSERT_NE(first_before.out.find("d0"), std::string::npos) << first_before.out;
  const CommandResult last_before = RunCommand(kSearchBin + " " + Quote(index) + " " + last_phrase);
  ASSERT_EQ(last_before.exit_code, 0) << last_before.err;
  ASSERT_NE(last_before.out.find("d29999"), std::string::npos) << last_before.out;

  // A byte of the last document's positions of zzcommon, in the file's
  // last page.
  std::string bytes = ReadFile(positions);
  bytes[bytes.size() - format::kFooterSize - 3] ^= 0x10;
  WriteFile(positions, bytes);

  ExpectOneLineError(RunCommand(kSearchBin + " " + Quote(index) + " " + last_phrase),
                     "postings.pos");
  ExpectOneLineError(
      RunCommand(kSearchBin + " " + Quote(index) + " --count '\"zzcommon lastword\"'"),
      "postings.pos");
  const CommandResult first = RunCommand(kSearchBin + " " + Quote(index) + " " + first_phrase);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  const auto results = [](const std::string& out) { return out.substr(out.find('\n')); };
  EXPECT_EQ(results(first.out), results(first_before.out));
  const CommandResult check = RunCommand(kIndexBin + " check " + Quote(index));
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE((check.out + check.err).find("postings.pos"), std::string::npos) << check.out;
}

// A phrase of a frequent word reads its positions document after
// document, page after page; a cursor passes over reads inside pages it
// verified already (PostingCursor::VerifyPositions), and must still verify
// each page it reads into next.
TEST(DamagedPositions, AreCaughtInThePageAfterThoseAReadVerified) {
  TempDir dir;
  const std::filesystem::path index = dir / "idx";
  ASSERT_NO_FATAL_FAILURE(IndexOneLongLastList(dir, index));
  const std::filesystem::path positions = index / kSegmentFolder / "postings.pos";
  const std::string count = kSearchBin + " " + Quote(index) + " --count '\"zzcommon zzcommon\"'";
  const CommandResult before = RunCommand(count);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  // zzcommon, the last term, fills most of the file: damage a byte in the
  // middle of one page, at the start of another, and in the last
  // document's positions, in the last page: the phrase reads there last,
  // so a page wrongly taken for verified would go unnoticed.
  const std::string original = ReadFile(positions);
  ASSERT_GT(original.size(), 16 * format::kPageSize);
  for (const std::size_t offset :
       {original.size() / 2 + 100,
        (original.size() / 2 / format::kPageSize + 3) * format::kPageSize,
        original.size() - format::kFooterSize - 3}) {
    std::string bytes = original;
    bytes[offset] ^= 0x10;
    WriteFile(positions, bytes);
    ExpectOneLineError(RunCommand(count), "postings.pos");
  }
  WriteFile(positions, original);
  const auto matches = [](const std::string& out) { return out.substr(0, out.find(" in ")); };
  EXPECT_EQ(matches(RunCommand(count).out), matches(before.out));
}

// No value read from a damaged page reaches the caller: with a byte of a
// frequent word's position data flipped (at the start of each of its pages,
// and in the middle), a cursor reading its positions document after
// document returns the undamaged index's values until a read throws, and
// one does. Page by page, so that a page wrongly taken for verified along
// the way (a read's span one page too long, a read that starts inside the
// span and runs past it) returns its damaged values and fails here.
TEST(DamagedPositions, NoValueFromADamagedPageReachesTheReader) {
  TempDir dir;
  const std::filesystem::path index = dir / "idx";
  ASSERT_NO_FATAL_FAILURE(IndexOneLongLastList(dir, index));
  const std::filesystem::path positions = index / kSegmentFolder / "postings.pos";
  std::vector<std::vector<std::uint32_t>> expected;
  std::uint64_t data_begin = 0, data_end = 0;
  {
    const IndexReader reader(index);
    const auto info = reader.FindTerm("zzcommon");
    ASSERT_TRUE(info.has_value());
    data_begin = info->entry.positions_offset;
    data_end = info->positions_end;
    std::vector<std::uint32_t> values;
    for (PostingCursor cursor(reader, *info); cursor.doc() != kEndDoc; cursor.Next()) {
      cursor.Positions(values);
      expected.push_back(values);
    }
  }
  ASSERT_EQ(expected.size(), 30000u);
  ASSERT_GT(data_end - data_begin, 16 * format::kPageSize);
  const std::string original = ReadFile(positions);
  std::vector<std::uint64_t> offsets;
  for (std::uint64_t page = data_begin / format::kPageSize * format::kPageSize; page < data_end;
       page += format::kPageSize) {
    offsets.push_back(std::max(page, data_begin));
    if (page + format::kPageSize / 2 < data_end) offsets.push_back(page + format::kPageSize / 2);
  }
  for (const std::uint64_t offset : offsets) {
    std::string bytes = original;
    bytes[offset] ^= 0x10;
    WriteFile(positions, bytes);
    const IndexReader reader(index);
    PostingCursor cursor(reader, *reader.FindTerm("zzcommon"));
    std::vector<std::uint32_t> values;
    std::size_t doc = 0;
    bool thrown = false;
    try {
      for (; cursor.doc() != kEndDoc; cursor.Next(), ++doc) {
        cursor.Positions(values);
        ASSERT_EQ(values, expected[doc]) << "byte " << offset << " flipped, document " << doc;
      }
    } catch (const CorruptIndexError& error) {
      thrown = true;
      EXPECT_NE(std::string(error.what()).find("postings.pos"), std::string::npos) << error.what();
    }
    EXPECT_TRUE(thrown) << "byte " << offset << " flipped, read to the end";
  }
  WriteFile(positions, original);
}

TEST_F(DamagedIndexTest, FlippedHeaderOrFooterOfLargeFilesIsCaught) {
  for (const std::string& file :
       {kSegment + "postings.doc", kSegment + "postings.pos", kSegment + "store"}) {
    const std::string original = ReadFile(index_ / file);
    for (std::size_t offset : {std::size_t{1}, std::size_t{5}, original.size() - 2}) {
      FlipByte(file, offset);
      const CommandResult result = Search(index_, "light");
      EXPECT_NE(result.exit_code, 0) << file << " offset " << offset;
      EXPECT_NE(result.err.find(file), std::string::npos) << result.err;
      WriteFile(index_ / file, original);
    }
  }
}

TEST_F(DamagedIndexTest, OtherFormatVersion) {
  for (const std::string& file : {std::string("manifest"), deletes_, kSegment + "meta"}) {
    const std::string original = ReadFile(index_ / file);
    std::string bytes = original;
    const std::uint32_t version = 99;
    std::memcpy(bytes.data() + 8, &version, 4);
    WriteFile(index_ / file, bytes);
    ExpectOneLineError(Search(index_, "light"), "index format version 99 is not supported");
    WriteFile(index_ / file, original);
  }
}

TEST_F(DamagedIndexTest, MissingFileAndForeignFolder) {
  const std::string docids = ReadFile(index_ / (kSegment + "docids"));
  std::filesystem::remove(index_ / (kSegment + "docids"));
  ExpectOneLineError(Search(index_, "light"), "docids: file is missing");
  WriteFile(index_ / (kSegment + "docids"), docids);
  std::filesystem::remove(index_ / deletes_);
  ExpectOneLineError(Search(index_, "light"), deletes_ + ": file is missing");
  std::filesystem::remove(index_ / "manifest");
  ExpectOneLineError(Search(index_, "light"), "not a Fathom index (no manifest)");
  ExpectOneLineError(Search(dir_ / "docs", "light"), "not a Fathom index");
  ExpectOneLineError(Search(dir_ / "nothing", "light"), "no index here");
}

TEST_F(DamagedIndexTest, FailedRebuildLeavesThePreviousIndexIntact) {
  const std::string before = ReadFile(index_ / "manifest");
  WriteFile(dir_ / "bad.jsonl", "{\"id\":\"1\",\"body\":\"x\"}\nnot json\n");
  ExpectOneLineError(Index(dir_ / "bad.jsonl", index_), "bad.jsonl:2:");
  EXPECT_EQ(ReadFile(index_ / "manifest"), before);
  EXPECT_EQ(Search(index_, "light").exit_code, 0);
  // A successful rebuild replaces it.
  WriteFile(dir_ / "good.jsonl", "{\"id\":\"1\",\"body\":\"fresh text\"}\n");
  ASSERT_EQ(Index(dir_ / "good.jsonl", index_).exit_code, 0);
  EXPECT_NE(Search(index_, "fresh").out.find("1 matching document"), std::string::npos);
}

}  // namespace
}  // namespace fathom::testing
