// CorpusReader: folders and JSON Lines, plain and zstd-compressed, the title
// rule, and what is skipped and counted.
#include <zstd.h>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "indexer/corpus/corpus_reader.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

// The documents of a corpus, and optionally its warnings and counts.
std::vector<SourceDocument> ReadAll(const std::filesystem::path& path, CorpusOptions options = {},
                                    std::vector<std::string>* warnings = nullptr,
                                    CorpusStats* stats = nullptr) {
  CorpusRead read = ReadCorpus(path, options);
  if (warnings) *warnings = std::move(read.warnings);
  if (stats) *stats = read.stats;
  return std::move(read.docs);
}

std::string Compress(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3));
  return out;
}

TEST(TitleRule, ShortFirstLineFollowedByTextIsTheTitle) {
  SourceDocument doc;
  SplitTitle("\n\n  A Short Title  \nThe body\nmore body\n", doc);
  EXPECT_EQ(doc.title, "A Short Title");
  EXPECT_EQ(doc.body, "The body\nmore body\n");
}

TEST(TitleRule, LongFirstLineIsBody) {
  SourceDocument doc;
  const std::string line(kMaxTextFileTitleBytes + 1, 'x');
  SplitTitle(line + "\nmore\n", doc);
  EXPECT_EQ(doc.title, "");
  EXPECT_EQ(doc.body, line + "\nmore\n");
}

TEST(TitleRule, SingleLineIsBody) {
  SourceDocument doc;
  SplitTitle("only one line\n\n", doc);
  EXPECT_EQ(doc.title, "");
  EXPECT_EQ(doc.body, "only one line\n\n");
  SplitTitle("", doc);
  EXPECT_EQ(doc.title, "");
  EXPECT_EQ(doc.body, "");
}

TEST(CorpusReader, FolderIsWalkedRecursivelyInSortedOrder) {
  TempDir dir;
  WriteFile(dir / "c" / "b.txt", "Title B\nbody b\n");
  WriteFile(dir / "c" / "a" / "deep.txt", "deep body only\n");
  WriteFile(dir / "c" / ".hidden" / "secret.txt", "hidden\n");
  WriteFile(dir / "c" / ".dotfile", "hidden\n");
  WriteFile(dir / "c" / "log.gz", "\x1f\x8b damaged");
  WriteFile(dir / "c" / "bundle.zip", "PK\x03\x04 an archive");
  WriteFile(dir / "c" / "z.txt.zst", Compress("Zst Title\ncompressed body\n"));
  CorpusStats stats;
  std::vector<std::string> warnings;
  const auto docs = ReadAll(dir / "c", {}, &warnings, &stats);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].id, "a/deep.txt");
  EXPECT_EQ(docs[1].id, "b.txt");
  EXPECT_EQ(docs[1].title, "Title B");
  EXPECT_EQ(docs[2].id, "z.txt.zst");
  EXPECT_EQ(docs[2].title, "Zst Title");
  EXPECT_EQ(docs[2].body, "compressed body\n");
  // The damaged archive and the damaged .gz, each with a warning naming it.
  EXPECT_EQ(stats.skipped_unreadable, 2u);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("bundle.zip: "), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("log.gz: damaged compressed data"), std::string::npos) << warnings[1];
  CorpusOptions with_hidden;
  with_hidden.include_hidden = true;
  EXPECT_EQ(ReadAll(dir / "c", with_hidden).size(), 5u);  // .hidden/secret.txt, .dotfile
}

// Compressed files, as /usr/share/doc holds them (changelog.Debian.gz):
// each is the document inside it, under its own path; a truncated one is
// skipped with a warning; one that decompresses past --max-document-size
// (a bomb) is skipped as too large, read no further than the limit.
TEST(CorpusReader, CompressedFilesAreReadAsTheFileInside) {
  TempDir dir;
  const std::string text = "Changelog Title\nthe body of a compressed changelog\n";
  for (const std::string tool : {"gzip", "xz", "bzip2", "lz4"}) {
    WriteFile(dir / "c" / (tool + ".txt"), text + tool + "\n");
  }
  ASSERT_EQ(RunCommand("cd " + Quote(dir / "c") +
                       " && gzip gzip.txt && xz xz.txt && bzip2 bzip2.txt && lz4 -q lz4.txt "
                       "lz4.txt.lz4 && rm lz4.txt")
                .exit_code,
            0);
  WriteFile(dir / "c" / "zeros.txt", std::string(3 << 20, 'a'));
  ASSERT_EQ(RunCommand("cd " + Quote(dir / "c") + " && gzip zeros.txt").exit_code, 0);
  const std::string whole = ReadFile(dir / "c" / "gzip.txt.gz");
  WriteFile(dir / "c" / "truncated.txt.gz", whole.substr(0, whole.size() / 2));
  CorpusOptions options;
  options.max_document_bytes = 1 << 20;
  CorpusStats stats;
  std::vector<std::string> warnings;
  const auto docs = ReadAll(dir / "c", options, &warnings, &stats);
  ASSERT_EQ(docs.size(), 4u);
  const std::vector<std::string> ids = {"bzip2.txt.bz2", "gzip.txt.gz", "lz4.txt.lz4", "xz.txt.xz"};
  for (std::size_t i = 0; i < docs.size(); ++i) {
    EXPECT_EQ(docs[i].id, ids[i]);
    EXPECT_EQ(docs[i].title, "Changelog Title");
    EXPECT_NE(docs[i].body.find("the body of a compressed changelog"), std::string::npos);
  }
  EXPECT_EQ(stats.skipped_too_large, 1u);
  EXPECT_EQ(stats.skipped_unreadable, 1u);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("truncated.txt.gz: "), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("zeros.txt.gz: larger than the 1 MiB"), std::string::npos)
      << warnings[1];
}

TEST(CorpusReader, AnIndexInsideTheCorpusIsNotIndexed) {
  TempDir dir;
  WriteFile(dir / "c" / "a.txt", "alpha words\n");
  BuildIndex(dir / "c", dir / "c" / "idx", {}, nullptr, nullptr);
  ASSERT_TRUE(std::filesystem::exists(dir / "c" / "idx" / "manifest"));
  const auto docs = ReadAll(dir / "c");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, "a.txt");
}

TEST(CorpusReader, SymlinkLoopsAreNotFollowed) {
  TempDir dir;
  WriteFile(dir / "c" / "a.txt", "text\n");
  std::filesystem::create_directory_symlink(dir / "c", dir / "c" / "loop");
  EXPECT_EQ(ReadAll(dir / "c").size(), 1u);
}

TEST(CorpusReader, BinaryAndInvalidUtf8) {
  TempDir dir;
  WriteFile(dir / "c" / "bin", std::string("a\0b", 3));
  WriteFile(dir / "c" / "bad.txt", "ok \xc3\x28 text\n");
  std::vector<std::string> warnings;
  CorpusStats stats;
  const auto docs = ReadAll(dir / "c", {}, &warnings, &stats);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].body, "ok \xEF\xBF\xBD( text\n");
  EXPECT_EQ(stats.skipped_binary, 1u);
  EXPECT_EQ(stats.repaired_documents, 1u);
  EXPECT_EQ(stats.repaired_sequences, 1u);
  ASSERT_EQ(warnings.size(), 2u);
}

TEST(CorpusReader, JsonLinesDefaultFields) {
  TempDir dir;
  WriteFile(dir / "c.jsonl",
            "{\"id\":\"1\",\"title\":\"T\",\"body\":\"B\",\"text\":\"X\"}\n"
            "\n"
            "{\"id\":2,\"contents\":\"C\",\"extra\":{\"nested\":[1,2]}}\r\n");
  const auto docs = ReadAll(dir / "c.jsonl");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, "1");
  EXPECT_EQ(docs[0].title, "T");
  EXPECT_EQ(docs[0].body, "B\n\nX");
  EXPECT_EQ(docs[1].id, "2");
  EXPECT_EQ(docs[1].body, "C");
}

TEST(CorpusReader, ByteOrderMarkIsNotText) {
  TempDir dir;
  WriteFile(dir / "c.jsonl", "\xEF\xBB\xBF{\"id\":\"1\",\"body\":\"B\"}\n");
  WriteFile(dir / "t" / "a.txt", "\xEF\xBB\xBFTitle\nbody\n");
  ASSERT_EQ(ReadAll(dir / "c.jsonl").size(), 1u);
  const auto docs = ReadAll(dir / "t");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].title, "Title");
}

TEST(CorpusReader, JsonLinesCustomFieldsAndZstd) {
  TempDir dir;
  WriteFile(dir / "c.jsonl.zst",
            Compress("{\"docno\":\"d3\",\"headline\":\"H\",\"abstract\":\"A\"}\n"));
  CorpusOptions options;
  options.id_field = "docno";
  options.title_fields = {"headline"};
  options.body_fields = {"abstract"};
  const auto docs = ReadAll(dir / "c.jsonl.zst", options);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, "d3");
  EXPECT_EQ(docs[0].title, "H");
  EXPECT_EQ(docs[0].body, "A");
}

TEST(CorpusReader, MalformedJsonStopsOrIsSkipped) {
  TempDir dir;
  WriteFile(dir / "c.jsonl", "{\"id\":\"1\"}\n{\"id\": }\n{\"id\":\"3\"}\n");
  try {
    ReadAll(dir / "c.jsonl");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("c.jsonl:2: column 8: "), std::string::npos) << e.what();
  }
  CorpusOptions skip;
  skip.skip_bad_lines = true;
  CorpusStats stats;
  EXPECT_EQ(ReadAll(dir / "c.jsonl", skip, nullptr, &stats).size(), 2u);
  EXPECT_EQ(stats.skipped_lines, 1u);
}

TEST(CorpusReader, TruncatedZstdIsAnError) {
  TempDir dir;
  const std::string compressed = Compress(std::string(100000, 'a') + "\n");
  WriteFile(dir / "c.jsonl.zst", compressed.substr(0, compressed.size() / 2));
  EXPECT_THROW(ReadAll(dir / "c.jsonl.zst"), InputError);
}

TEST(CorpusReader, MissingPath) {
  EXPECT_THROW(CorpusReader::Open("/nonexistent/corpus", {}, nullptr), InputError);
}

}  // namespace
}  // namespace fathom::testing
