// End to end through the command-line tools on the real, messy news sample
// (../shared/corpora/news-sample): index it, query it one-shot and in batch.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

const std::filesystem::path kNews = kSharedDir / "corpora" / "news-sample";

class NewsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kNews)) return;
    dir_ = new TempDir;
    const CommandResult built =
        RunCommand(kIndexBin + " " + Quote(kNews) + " " + Quote(*dir_ / "news"));
    ASSERT_EQ(built.exit_code, 0) << built.err;
    ASSERT_NE(built.out.find("Indexed 5 documents"), std::string::npos) << built.out;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(TestDataExists(kNews));
    ASSERT_NE(dir_, nullptr);
  }
  static std::string Index() { return Quote(*dir_ / "news"); }
  static TempDir* dir_;
};
TempDir* NewsTest::dir_ = nullptr;

// util-linux's `script` (Debian's bsdutils, always installed) runs the
// prompt on a pseudo-terminal; without it the terminal tests fail rather
// than pass unrun.
::testing::AssertionResult HaveScript() {
  if (RunCommand("command -v script").exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "script(1) not found: install util-linux (bsdutils)";
}

// Document ids listed in fathom-search's plain output (lines of 4 spaces + id,
// or the id as the result's title when it has none).
std::set<std::string> ResultIds(const std::string& output) {
  std::set<std::string> ids;
  const std::regex id(R"(\d{3}_[0-9a-f]{16}\.txt)");
  for (auto it = std::sregex_iterator(output.begin(), output.end(), id);
       it != std::sregex_iterator(); ++it) {
    ids.insert(it->str());
  }
  return ids;
}

TEST_F(NewsTest, PhraseMatchesExactlyTheArticlesContainingIt) {
  // Expected: the files whose raw text contains "Saudi Arabia" (any case,
  // any white space between the words), found without the engine.
  std::set<std::string> expected;
  const std::regex phrase(R"(saudi\s+arabia)", std::regex::icase);
  for (const auto& entry : std::filesystem::directory_iterator(kNews)) {
    if (std::regex_search(ReadFile(entry.path()), phrase)) {
      expected.insert(entry.path().filename().string());
    }
  }
  ASSERT_FALSE(expected.empty());
  const CommandResult result =
      RunCommand(kSearchBin + " " + Index() + " '\"Saudi Arabia\"' -k 100");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ResultIds(result.out), expected) << result.out;
  EXPECT_NE(result.out.find(std::to_string(expected.size()) + " matching documents"),
            std::string::npos)
      << result.out;
  // Not a terminal: matches are marked **like this**, without escape codes.
  EXPECT_NE(result.out.find("**Saudi Arabia**"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("\033["), std::string::npos);
}

TEST_F(NewsTest, ExplainAddsUpToTheScoreOfNestedQueries) {
  // Issue 11: explain listed every word of these as optional and summed
  // 2.5003 and 3.2554 where the results score 2.3440.
  for (const char* query : {"kremlin OR (putin AND NOT trump)", "(witkoff AND ryabkov) OR kremlin",
                            "+(putin OR trump) -(witkoff AND NOT ryabkov)"}) {
    const CommandResult result = RunCommand(kSearchBin + " " + Index() + " " + Quote(query) +
                                            " --explain --no-snippets -k 5");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // Each result line ends with its score; its explanation's first line
    // says the total.
    const std::regex hit(
        R"(\n\s*\d+\. .*  (\d+\.\d{4})\n(?:    \S+.*\n)?    score (\d+\.\d{4}) =)");
    int hits = 0;
    for (auto it = std::sregex_iterator(result.out.begin(), result.out.end(), hit);
         it != std::sregex_iterator(); ++it, ++hits) {
      EXPECT_EQ((*it)[1], (*it)[2]) << query << "\n" << result.out;
    }
    EXPECT_GT(hits, 0) << query << "\n" << result.out;
  }
}

TEST_F(NewsTest, WitkoffRanksHisMeetingWithPutinFirst) {
  const CommandResult result = RunCommand(kSearchBin + " " + Index() + " Witkoff --format json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // 004_… reports the Putin–Witkoff meeting; the others mention him in passing.
  EXPECT_NE(result.out.find("\"hits\":[{\"rank\":1,\"id\":\"004_6b5d6d9aa3101ad2.txt\""),
            std::string::npos)
      << result.out;
}

TEST_F(NewsTest, NearDuplicateArticlesAreFolded) {
  // 001_… and 003_… are the same article from two sites (different headers,
  // one with a page of ads): the lower-ranked one is folded under the other.
  const CommandResult folded = RunCommand(kSearchBin + " " + Index() + " Ryabkov --no-snippets");
  ASSERT_EQ(folded.exit_code, 0) << folded.err;
  const std::size_t line = folded.out.find("+1 near-duplicate: ");
  ASSERT_NE(line, std::string::npos) << folded.out;
  const std::string shown = folded.out.substr(0, line);
  const bool first_shown = shown.find("001_eb80d8210d81387f.txt") != std::string::npos;
  EXPECT_NE(first_shown, shown.find("003_66a99d05c168abbd.txt") != std::string::npos)
      << "exactly one of the two copies is a result of its own";
  const CommandResult all =
      RunCommand(kSearchBin + " " + Index() + " Ryabkov --no-snippets --show-duplicates");
  EXPECT_EQ(all.out.find("near-duplicate"), std::string::npos);
  // Folding hides no document: every id is still named.
  EXPECT_EQ(ResultIds(folded.out), ResultIds(all.out));
  const CommandResult groups = RunCommand(kSearchBin + " " + Index() + " --near-duplicates");
  EXPECT_EQ(groups.out, "001_eb80d8210d81387f.txt\t003_66a99d05c168abbd.txt\n");
}

TEST_F(NewsTest, MisspelledNameGetsASuggestion) {
  const CommandResult result = RunCommand(kSearchBin + " " + Index() + " 'putin Witkof'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Did you mean: **putin witkoff**?"), std::string::npos) << result.out;
  const CommandResult json =
      RunCommand(kSearchBin + " " + Index() + " Witkof --format json --no-snippets");
  EXPECT_NE(json.out.find("\"did_you_mean\":\"witkoff\""), std::string::npos) << json.out;
  const CommandResult correct = RunCommand(kSearchBin + " " + Index() + " 'putin witkoff'");
  EXPECT_EQ(correct.out.find("Did you mean"), std::string::npos);
}

TEST_F(NewsTest, CurlyAndStraightApostrophesSearchTheSame) {
  const CommandResult straight =
      RunCommand(kSearchBin + " " + Index() + " \"Moscow's\" --no-snippets");
  const CommandResult curly =
      RunCommand(kSearchBin + " " + Index() + " \"Moscow’s\" --no-snippets");
  ASSERT_EQ(straight.exit_code, 0);
  EXPECT_EQ(ResultIds(straight.out), ResultIds(curly.out));
  EXPECT_FALSE(ResultIds(straight.out).empty());
}

TEST_F(NewsTest, BatchModeWritesAValidTrecRun) {
  TempDir scratch;
  WriteFile(scratch / "queries.tsv",
            "q1\tSaudi Arabia\n# a comment\n\nq2\t\"Vladimir Putin\" +meeting\nq3\tzzzzunknown\n");
  const CommandResult result = RunCommand(kSearchBin + " " + Index() + " --queries " +
                                          Quote(scratch / "queries.tsv") + " --tag test-run");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  std::string line;
  std::map<std::string, int> last_rank;
  std::map<std::string, double> last_score;
  int count = 0;
  const std::regex trec(R"((\S+) Q0 (\S+) (\d+) (-?[0-9.]+) test-run)");
  while (std::getline(lines, line)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, trec)) << line;
    const std::string qid = m[1];
    const int rank = std::stoi(m[3]);
    const double score = std::stod(m[4]);
    EXPECT_EQ(rank, last_rank[qid] + 1) << line;
    if (last_rank[qid] > 0) {
      EXPECT_LE(score, last_score[qid]) << line;
    }
    EXPECT_TRUE(std::filesystem::exists(kNews / std::string(m[2]))) << line;
    last_rank[qid] = rank;
    last_score[qid] = score;
    ++count;
  }
  int mentioning = 0;  // articles with "saudi" or "arabia", found without the engine
  const std::regex either(R"(\b(saudi|arabia)\b)", std::regex::icase);
  for (const auto& entry : std::filesystem::directory_iterator(kNews)) {
    mentioning += std::regex_search(ReadFile(entry.path()), either) ? 1 : 0;
  }
  EXPECT_EQ(last_rank["q1"], mentioning);
  EXPECT_GT(last_rank["q2"], 0);
  EXPECT_EQ(last_rank.count("q3"), 0u);  // no results, no lines
  EXPECT_GT(count, 5);
}

TEST_F(NewsTest, QueryFileErrorsNameTheLine) {
  TempDir scratch;
  WriteFile(scratch / "bad.tsv", "q1\tputin\nno tab here\n");
  const CommandResult result =
      RunCommand(kSearchBin + " " + Index() + " --queries " + Quote(scratch / "bad.tsv"));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("bad.tsv:2: expected 'qid<TAB>query'"), std::string::npos)
      << result.err;
}

TEST_F(NewsTest, ShowsAWholeDocument) {
  const CommandResult result =
      RunCommand(kSearchBin + " " + Index() + " --doc 004_6b5d6d9aa3101ad2.txt");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("004_6b5d6d9aa3101ad2.txt\n", 0), 0u);
  EXPECT_NE(result.out.find("Putin-Trump meeting set to take place, preparations needed: Kremlin"),
            std::string::npos);
}

TEST_F(NewsTest, PipedQueriesAreAnsweredLineByLine) {
  const CommandResult result = RunCommand("printf 'Ryabkov\\nKremlin\\n' | " + kSearchBin + " " +
                                          Index() + " --no-snippets");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::size_t answers = 0;
  for (std::size_t at = result.out.find("matching document"); at != std::string::npos;
       at = result.out.find("matching document", at + 1)) {
    ++answers;
  }
  EXPECT_EQ(answers, 2u) << result.out;
}

TEST_F(NewsTest, InteractivePromptInATerminal) {
  // The prompt sees a real terminal (line editing, colours) while we type
  // into it.
  ASSERT_TRUE(HaveScript());
  TempDir home;
  const CommandResult result = RunCommand(
      "printf 'witkoff\\n:k 1\\n:bogus\\n\"saudi arabia\"\\n:doc 1\\n:quit\\n' | HOME=" +
      Quote(home.path()) + " script -qec \"" + kSearchBin + " " + Index() + "\" /dev/null");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_NE(out.find("fathom> "), std::string::npos) << out;
  EXPECT_NE(out.find("3 matching documents"), std::string::npos) << out;
  EXPECT_NE(out.find("\033[1mWitkoff\033[0m"), std::string::npos) << "bold on a terminal";
  EXPECT_NE(out.find("showing 1 results per query"), std::string::npos);
  EXPECT_NE(out.find("unknown command ':bogus' (known: :help"), std::string::npos);
  // After :k 1, one result for the phrase, then :doc 1 prints it whole.
  const std::size_t phrase = out.find("4 matching documents");
  ASSERT_NE(phrase, std::string::npos);
  EXPECT_EQ(out.find(" 2. ", phrase), std::string::npos) << out.substr(phrase);
  EXPECT_NE(out.find("Ryabkov did not provide any details", phrase), std::string::npos);
  // History was saved.
  EXPECT_NE(ReadFile(home / ".fathom_history").find("saudi"), std::string::npos);
}

TEST_F(NewsTest, PromptSessionShowsFoldingSuggestionsPrefixExplainAndStems) {
  // The session issue 7 asks for, at a real (pseudo-)terminal: a near
  // duplicate folded, a suggestion for "Witkof", a prefix query, explain,
  // and snippets that highlight stemmed forms.
  ASSERT_TRUE(HaveScript());
  TempDir home;
  const CommandResult result =
      RunCommand("printf 'Witkof\\nmeet* +kremlin\\n:explain 1\\nRyabkov\\n:quit\\n' | HOME=" +
                 Quote(home.path()) + " script -qec \"" + kSearchBin + " " + Index() +
                 " --color never\" /dev/null");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_NE(out.find("Did you mean: **witkoff**?"), std::string::npos) << out;
  // meet* finds the stem "meet": "meeting" is highlighted in the snippet.
  EXPECT_NE(out.find("**meeting**"), std::string::npos) << out;
  EXPECT_NE(out.find("**Kremlin's**"), std::string::npos) << out;
  // +kremlin is required: explain walks the query as it was scored.
  EXPECT_NE(out.find("kremlin                  required: idf"), std::string::npos) << out;
  EXPECT_NE(out.find("+1 near-duplicate: "), std::string::npos) << out;
}

}  // namespace
}  // namespace fathom::testing
