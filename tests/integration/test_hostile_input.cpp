// Hostile and odd input through the command-line tools, one test per case of
// issue 5: what Fathom does with each is asserted, never just "no crash".
//
// Two cases are size-parameterized: the 1 GB document and the million tiny
// documents run at full size only when FATHOM_HOSTILE_FULL=1 (set by .ci/test
// for the optimized build); otherwise at 1/32 and 1/10 of it, which keeps
// them to seconds under the sanitizers.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "common/analysis/fields.hpp"
#include "common/command_line.hpp"
#include "indexer/check/index_checker.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

namespace fs = std::filesystem;

bool FullSize() {
  const char* full = std::getenv("FATHOM_HOSTILE_FULL");
  return full != nullptr && std::string(full) == "1";
}

CommandResult Index(const fs::path& corpus, const fs::path& index, const std::string& flags = "") {
  return RunCommand(kIndexBin + " " + Quote(corpus) + " " + Quote(index) + " " + flags);
}

CommandResult Search(const fs::path& index, const std::string& query,
                     const std::string& flags = "") {
  return RunCommand(kSearchBin + " " + Quote(index) + " " + Quote(query) + " --color never " +
                    flags);
}

bool Contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Streams `bytes` bytes of words to path: a vocabulary of 50,000 words, so
// the document has many distinct terms and long posting lists.
void WriteWords(const fs::path& path, std::uint64_t bytes, const std::string& head) {
  fs::create_directories(path.parent_path());
  std::FILE* out = std::fopen(path.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  std::fputs(head.c_str(), out);
  std::uint64_t written = head.size();
  std::string chunk;
  std::uint64_t word = 0;
  while (written < bytes) {
    chunk.clear();
    while (chunk.size() < (1 << 20)) {
      chunk += "w" + std::to_string((word * 7919) % 50000) + " ";
      ++word;
    }
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), bytes - written));
    ASSERT_EQ(std::fwrite(chunk.data(), 1, n, out), n);
    written += n;
  }
  std::fclose(out);
}

TEST(HostileInput, HugeSingleDocument) {
  TempDir dir;
  const std::uint64_t bytes = FullSize() ? 1'000'000'000 : 1'000'000'000 / 32;
  WriteWords(dir / "docs" / "huge.txt", bytes, "Huge document\nneedle in the haystack\n");
  const auto start = std::chrono::steady_clock::now();
  const CommandResult result = Index(dir / "docs", dir / "idx", "-q");
  std::cout << "indexed one " << bytes << "-byte document in " << Seconds(start) << " s\n";
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(Contains(result.out, "Indexed 1 documents")) << result.out;
  const CommandResult found = Search(dir / "idx", "needle", "--no-snippets");
  EXPECT_TRUE(Contains(found.out, "huge.txt")) << found.out << found.err;
  EXPECT_TRUE(Contains(Search(dir / "idx", "w49999", "--no-snippets").out, "1 matching document"));
  EXPECT_TRUE(CheckIndex(dir / "idx").sound);

  // Over the limit: skipped with a warning naming the file and the limit.
  WriteFile(dir / "docs" / "small.txt", "small words\n");
  const CommandResult limited = Index(dir / "docs", dir / "idx2", "--max-document-size 1M");
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  EXPECT_TRUE(Contains(limited.err,
                       "huge.txt: larger than the 1 MiB document limit "
                       "(--max-document-size), skipped"))
      << limited.err;
  EXPECT_TRUE(Contains(limited.out, "Indexed 1 documents")) << limited.out;
  EXPECT_TRUE(Contains(limited.out, "1 too large,")) << limited.out;
  EXPECT_NE(Index(dir / "docs", dir / "idx3", "--max-document-size 5G").exit_code, 0);
  EXPECT_NE(Index(dir / "docs", dir / "idx3", "--max-document-size -1").exit_code, 0);
}

TEST(HostileInput, MillionCharacterTokenIsCutWithAWarning) {
  TempDir dir;
  const std::string token(1'000'000, 'a');
  WriteFile(dir / "docs" / "long.txt", "Long word\n" + token + " tail words\n");
  const auto start = std::chrono::steady_clock::now();
  const CommandResult result = Index(dir / "docs", dir / "idx");
  std::cout << "indexed a 1,000,000-character token in " << Seconds(start) << " s\n";
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string limit = std::to_string(kMaxTermBytes) + " bytes";
  EXPECT_TRUE(Contains(result.err,
                       "warning: long.txt: 1 word(s) longer than " + limit + " cut to " + limit))
      << result.err;
  EXPECT_TRUE(Contains(result.out, "1 words cut to " + limit)) << result.out;
  // The query goes through the same analyzer, so the same cut finds it.
  const std::string query_file = (dir / "q.tsv").string();
  WriteFile(query_file, "1\t" + token + "\n");
  const CommandResult found =
      RunCommand(kSearchBin + " " + Quote(dir / "idx") + " --queries " + query_file);
  EXPECT_EQ(found.exit_code, 0) << found.err;
  EXPECT_TRUE(Contains(found.out, "long.txt")) << found.out;
  EXPECT_TRUE(CheckIndex(dir / "idx").sound);
}

TEST(HostileInput, MillionTinyDocuments) {
  TempDir dir;
  const std::uint64_t count = FullSize() ? 1'000'000 : 100'000;
  {
    std::FILE* out = std::fopen((dir / "tiny.jsonl").c_str(), "wb");
    ASSERT_NE(out, nullptr);
    for (std::uint64_t i = 0; i < count; ++i) {
      std::fprintf(out, "{\"id\":\"%llu\",\"body\":\"w%llu\"}\n",
                   static_cast<unsigned long long>(i), static_cast<unsigned long long>(i % 1000));
    }
    std::fclose(out);
  }
  const auto start = std::chrono::steady_clock::now();
  const CommandResult result = Index(dir / "tiny.jsonl", dir / "idx", "-q");
  std::cout << "indexed " << count << " tiny documents in " << Seconds(start) << " s\n";
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(Contains(result.out, "Indexed " + FormatCount(count) + " documents")) << result.out;
  const CommandResult found = Search(dir / "idx", "w999", "--no-snippets -k 3");
  EXPECT_TRUE(Contains(found.out, FormatCount(count / 1000) + " matching documents")) << found.out;
  const auto check_start = std::chrono::steady_clock::now();
  EXPECT_TRUE(CheckIndex(dir / "idx").sound);
  std::cout << "checked it in " << Seconds(check_start) << " s\n";
}

TEST(HostileInput, DeeplyNestedJson) {
  TempDir dir;
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  WriteFile(dir / "c.jsonl",
            "{\"id\":\"1\",\"body\":\"fine\"}\n{\"id\":\"2\",\"x\":" + deep +
                ",\"body\":\"deep\"}\n{\"id\":\"3\",\"x\":" + std::string(500, '[') +
                std::string(500, ']') + ",\"body\":\"nested within the limit\"}\n");
  const CommandResult strict = Index(dir / "c.jsonl", dir / "idx");
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_TRUE(Contains(strict.err, "c.jsonl:2: column ")) << strict.err;
  EXPECT_FALSE(fs::exists(dir / "idx"));
  const CommandResult skipped = Index(dir / "c.jsonl", dir / "idx", "--skip-bad-lines");
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_TRUE(Contains(skipped.out, "Indexed 2 documents")) << skipped.out;
  EXPECT_TRUE(Contains(skipped.out, "1 bad lines")) << skipped.out;
}

TEST(HostileInput, HugeJsonValues) {
  TempDir dir;
  std::string line = "{\"id\":\"big\",\"body\":\"";
  const std::size_t body = FullSize() ? 256 << 20 : 16 << 20;
  for (std::size_t i = 0; line.size() < body; ++i) line += "v" + std::to_string(i % 9973) + " ";
  line += "\",\"numbers\":[";
  for (int i = 0; i < 1'000'000; ++i) line += std::to_string(i) + ",";
  line += "0],\"wide\":{";
  for (int i = 0; i < 100'000; ++i)
    line += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  line += "\"end\":true}}\n";
  WriteFile(dir / "c.jsonl", line + "{\"id\":\"small\",\"body\":\"v17 alone\"}\n");
  const auto start = std::chrono::steady_clock::now();
  const CommandResult result = Index(dir / "c.jsonl", dir / "idx", "-q");
  std::cout << "indexed a " << line.size() << "-byte JSON line in " << Seconds(start) << " s\n";
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(Contains(result.out, "Indexed 2 documents")) << result.out;
  EXPECT_TRUE(Contains(Search(dir / "idx", "v17", "--no-snippets").out, "2 matching documents"));
  // A line over the document limit is a bad line, read through, not kept.
  const CommandResult limited = Index(dir / "c.jsonl", dir / "idx2", "--max-document-size 1M");
  EXPECT_EQ(limited.exit_code, 1);
  EXPECT_TRUE(Contains(limited.err, "c.jsonl:1: line longer than the 1 MiB document limit"))
      << limited.err;
  const CommandResult skipped =
      Index(dir / "c.jsonl", dir / "idx2", "--max-document-size 1M --skip-bad-lines");
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_TRUE(Contains(skipped.out, "Indexed 1 documents")) << skipped.out;
}

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string lines;
    for (int i = 0; i < 200; ++i) {
      lines += "{\"id\":\"d" + std::to_string(i) + "\",\"body\":\"the word" + std::to_string(i) +
               " and of word" + std::to_string(i + 1) + " common\"}\n";
    }
    WriteFile(dir_ / "c.jsonl", lines);
    ASSERT_EQ(Index(dir_ / "c.jsonl", index_, "--stop-words").exit_code, 0);
  }
  CommandResult Batch(const std::string& queries) {
    WriteFile(dir_ / "q.tsv", queries);
    return RunCommand(kSearchBin + " " + Quote(index_) + " --queries " + Quote(dir_ / "q.tsv"));
  }
  TempDir dir_;
  fs::path index_ = dir_ / "idx";
};

TEST_F(QueryTest, TenThousandTerms) {
  std::string query;
  for (int i = 0; i < 10'000; ++i) query += "word" + std::to_string(i) + " ";
  const auto start = std::chrono::steady_clock::now();
  const CommandResult result = Batch("1\t" + query + "\n");
  std::cout << "answered a 10,000-term query in " << Seconds(start)
            << " s: " << std::count(result.out.begin(), result.out.end(), '\n')
            << " results; stderr: " << result.err << "\n";
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(Contains(result.out, "1 Q0 d")) << result.out.substr(0, 200);
  // A topic keeps its first 1,024 distinct words, and says so.
  EXPECT_TRUE(Contains(result.err,
                       "query 1: the topic has 10000 distinct words; the first 1024 "
                       "are searched"))
      << result.err;
  // In the query language, more than 1,024 words is an error naming the column.
  const CommandResult one = Search(index_, query);
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_TRUE(Contains(one.err, "a query holds at most 1024 words and phrases")) << one.err;
}

TEST_F(QueryTest, EmptyStopWordsAndPunctuationQueries) {
  const CommandResult batch = Batch("1\t\n2\tthe of and\n3\t!!! ... ??? -- ++ \"\"\n4\tword7\n");
  EXPECT_EQ(batch.exit_code, 0) << batch.err;
  EXPECT_FALSE(Contains(batch.out, "1 Q0")) << batch.out;
  EXPECT_FALSE(Contains(batch.out, "2 Q0")) << batch.out;
  EXPECT_FALSE(Contains(batch.out, "3 Q0")) << batch.out;
  EXPECT_TRUE(Contains(batch.out, "4 Q0 d7")) << batch.out;
  for (const std::string query : {"the of and", "!!! ...", "\"\""}) {
    const CommandResult one = Search(index_, query);
    EXPECT_NE(one.exit_code, 139) << query;
    EXPECT_FALSE(Contains(one.out, "d7")) << query << one.out;
    std::cout << "query '" << query << "': exit " << one.exit_code << ", " << one.out << one.err;
  }
}

// Root ignores file permissions, so the unreadable cases run the indexer as
// nobody when the test runs as root.
std::string AsUnprivileged() {
  if (::geteuid() != 0) return "";
  if (std::system("command -v setpriv >/dev/null 2>&1") != 0) return "";
  return "setpriv --reuid=65534 --regid=65534 --clear-groups ";
}

TEST(HostileInput, UnreadableFilesAndSymbolicLinkLoops) {
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::all);
  const fs::path docs = dir / "docs";
  WriteFile(docs / "good.txt", "readable words about lighthouses\n");
  WriteFile(docs / "secret.txt", "hidden words\n");
  WriteFile(docs / "locked" / "inner.txt", "locked words\n");
  fs::create_directories(docs / "sub");
  fs::create_symlink("loop-b", docs / "loop-a");
  fs::create_symlink("loop-a", docs / "loop-b");
  fs::create_symlink("self", docs / "self");
  fs::create_symlink("..", docs / "sub" / "up");  // folder link: a cycle if followed
  fs::create_directory_symlink(docs, docs / "sub" / "root");
  fs::create_symlink("nowhere.txt", docs / "dangling");
  fs::create_symlink("good.txt", docs / "alias.txt");     // file links are followed
  ASSERT_EQ(::mkfifo((docs / "pipe").c_str(), 0644), 0);  // must not block the walk
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (!entry.is_symlink()) fs::permissions(entry.path(), fs::perms::all);
  }
  const std::string as = AsUnprivileged();
  if (::geteuid() == 0 && as.empty()) GTEST_SKIP() << "root without setpriv";
  fs::permissions(docs / "secret.txt", fs::perms::none);
  fs::permissions(docs / "locked", fs::perms::none);
  const CommandResult result =
      RunCommand(as + kIndexBin + " " + Quote(docs) + " " + Quote(dir / "idx"));
  std::cout << result.out << result.err;
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(Contains(result.out, "Indexed 2 documents")) << result.out;  // good + alias
  EXPECT_TRUE(Contains(result.err, "secret.txt: cannot open: Permission denied (skipped)"))
      << result.err;
  EXPECT_TRUE(Contains(result.err, "locked: cannot read folder: Permission denied (skipped)"))
      << result.err;
  EXPECT_TRUE(Contains(result.err, "loop-a: symbolic link loop")) << result.err;
  EXPECT_TRUE(Contains(result.err, "self: symbolic link loop")) << result.err;
  EXPECT_TRUE(Contains(result.err, "dangling: symbolic link to nothing")) << result.err;
  EXPECT_TRUE(Contains(result.out, "2 unreadable")) << result.out;
  EXPECT_TRUE(Contains(result.out, "4 broken links")) << result.out;
}

// The previous index must survive a disk that fills up mid-build, and the
// message must say so. RLIMIT_FSIZE makes any write past the limit fail
// (EFBIG) without needing a small file system.
TEST(HostileInput, FileSizeLimitDuringIndexingKeepsThePreviousIndex) {
  TempDir dir;
  WriteFile(dir / "small" / "a.txt", "Small\nthe previous index\n");
  ASSERT_EQ(Index(dir / "small", dir / "idx").exit_code, 0);
  const std::string before = ReadFile(dir / "idx" / "manifest");
  WriteWords(dir / "big" / "b.txt", 4 << 20, "Big\n");
  const CommandResult result = RunCommand("ulimit -f 512; trap '' XFSZ; " + kIndexBin + " " +
                                          Quote(dir / "big") + " " + Quote(dir / "idx"));
  std::cout << result.err;
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(Contains(result.err, "File too large")) << result.err;
  EXPECT_TRUE(
      Contains(result.err, "the previous index at " + (dir / "idx").string() + " is unchanged"))
      << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(ReadFile(dir / "idx" / "manifest"), before);
  EXPECT_TRUE(CheckIndex(dir / "idx").sound);
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_FALSE(Contains(entry.path().filename().string(), ".tmp-")) << entry.path();
  }
}

// The same with a real full disk: a 2 MB tmpfs (root only; skipped otherwise).
TEST(HostileInput, DiskFullDuringIndexingKeepsThePreviousIndex) {
  TempDir dir;
  const fs::path disk = dir / "disk";
  fs::create_directories(disk);
  if (::geteuid() != 0 || ::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=2m") != 0) {
    GTEST_SKIP() << "cannot mount a small tmpfs (needs root)";
  }
  WriteFile(dir / "small" / "a.txt", "Small\nthe previous index\n");
  WriteWords(dir / "big" / "b.txt", 6 << 20, "Big\n");
  const CommandResult first = Index(dir / "small", disk / "idx");
  const CommandResult full = Index(dir / "big", disk / "idx");
  const std::string before = ReadFile(disk / "idx" / "manifest");
  const bool sound = CheckIndex(disk / "idx").sound;
  std::error_code ec;
  std::size_t leftovers = 0;
  for (const auto& entry : fs::directory_iterator(disk, ec))
    leftovers += entry.path() != disk / "idx";
  ::umount(disk.c_str());
  std::cout << full.err;
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(full.exit_code, 1);
  EXPECT_TRUE(Contains(full.err, "No space left on device")) << full.err;
  EXPECT_TRUE(
      Contains(full.err, "the previous index at " + (disk / "idx").string() + " is unchanged"))
      << full.err;
  EXPECT_FALSE(before.empty());
  EXPECT_TRUE(sound);
  EXPECT_EQ(leftovers, 0u);
}

TEST(HostileInput, FifoInPlaceOfAnIndexFileDoesNotHang) {
  TempDir dir;
  WriteFile(dir / "docs" / "a.txt", "Title\nsome words\n");
  ASSERT_EQ(Index(dir / "docs", dir / "idx").exit_code, 0);
  fs::remove(dir / "idx" / "seg-000001" / "docids");
  ASSERT_EQ(::mkfifo((dir / "idx" / "seg-000001" / "docids").c_str(), 0644), 0);
  const CommandResult search =
      RunCommand("timeout 20 " + kSearchBin + " " + Quote(dir / "idx") + " words");
  EXPECT_EQ(search.exit_code, 1) << search.err;
  EXPECT_TRUE(Contains(search.err, "docids: not a regular file")) << search.err;
  const CommandResult check =
      RunCommand("timeout 20 " + kIndexBin + " check " + Quote(dir / "idx"));
  EXPECT_EQ(check.exit_code, 1) << check.err;
  fs::remove(dir / "idx" / "manifest");
  ASSERT_EQ(::mkfifo((dir / "idx" / "manifest").c_str(), 0644), 0);
  // Rebuilding over it: the target is not recognized as an index, and
  // nothing blocks on the FIFO.
  const CommandResult rebuild =
      RunCommand("timeout 20 " + kIndexBin + " " + Quote(dir / "docs") + " " + Quote(dir / "idx"));
  EXPECT_EQ(rebuild.exit_code, 1) << rebuild.err;
  EXPECT_TRUE(Contains(rebuild.err, "is not a Fathom index")) << rebuild.err;
}

}  // namespace
}  // namespace fathom::testing
