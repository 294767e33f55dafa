// Snippets: the best window, several fragments, phrases kept whole, stemmed
// words highlighted, and never a split UTF-8 character.
#include <gtest/gtest.h>

#include <random>

#include "common/analysis/utf8.hpp"
#include "searcher/present/snippets.hpp"
#include "searcher/query/query_tree.hpp"
#include "tests/test_support.hpp"

namespace fathom {
namespace {

const HighlightStyle kMarks{"[", "]"};

std::string Snippet(const std::string& text, const std::string& query_text,
                    SnippetOptions options = {}) {
  // The production parser needs an index (prefixes expand through its
  // dictionary); these queries have none, so any index serves.
  static const testing::TempDir dir;
  static const IndexSnapshot snapshot(testing::BuildFromDocs(dir, {{"d", "", "x"}}));
  Analyzer analyzer(AnalysisSettings{});
  QueryTreeParser parser(analyzer, snapshot);
  const Query query = ParseFlatQuery(parser, query_text);
  Analyzer snippet_analyzer(AnalysisSettings{});
  return MakeSnippet(text, MakeSnippetQuery(query), snippet_analyzer, kMarks, options);
}

std::string Filler(std::size_t words, const std::string& word = "filler") {
  std::string text;
  for (std::size_t i = 0; i < words; ++i) text += word + " ";
  return text;
}

TEST(Snippets, HighlightsStemmedForms) {
  EXPECT_EQ(Snippet("The meetings were held. Nobody met.", "meeting"),
            "The [meetings] were held. Nobody met.");
}

TEST(Snippets, FieldTermsHighlightTheirWord) {
  Query query;
  query.clauses.push_back(QueryNode::Leaf(Occur::kShould, {"title:kremlin"}, {0}));
  query.clauses.back().source = "title:kremlin";
  Analyzer analyzer(AnalysisSettings{});
  EXPECT_EQ(MakeSnippet("The Kremlin said so.", MakeSnippetQuery(query), analyzer, kMarks),
            "The [Kremlin] said so.");
}

TEST(Snippets, AdjacentMatchesShareOneHighlight) {
  EXPECT_EQ(Snippet("talks in Saudi Arabia began", "saudi arabia"),
            "talks in [Saudi Arabia] began");
}

TEST(Snippets, HtmlEscapedSnippetsHaveNoMarkupButTheHighlights) {
  Query query;
  query.clauses.push_back(QueryNode::Leaf(Occur::kShould, {"markup"}, {0}));
  query.clauses.back().source = "markup";
  Analyzer analyzer(AnalysisSettings{});
  const HighlightStyle html{"<b>", "</b>", true};
  EXPECT_EQ(
      MakeSnippet("Tom's <b>bold</b> & \"markup\"   here", MakeSnippetQuery(query), analyzer, html),
      "\u2026b&gt;bold&lt;/b&gt; &amp; &quot;<b>markup</b>&quot; here");
  // The same snippet as text, for fathom-search.
  EXPECT_EQ(MakeSnippet("Tom's <b>bold</b> & \"markup\"   here", MakeSnippetQuery(query), analyzer,
                        kMarks),
            "\u2026b>bold</b> & \"[markup]\" here");
  // No word at all: the text, escaped.
  EXPECT_EQ(MakeSnippet("<> & '<>'", MakeSnippetQuery(query), analyzer, html),
            "&lt;&gt; &amp; &#39;&lt;&gt;&#39;");
}

TEST(Snippets, PicksTheWindowWithTheMostDistinctTerms) {
  const std::string text =
      Filler(50) + "alpha alpha alpha " + Filler(50) + "alpha beta gamma " + Filler(50);
  const std::string snippet = Snippet(text, "alpha beta gamma", {12, 1});
  EXPECT_NE(snippet.find("[alpha beta gamma]"), std::string::npos) << snippet;
}

TEST(Snippets, FarApartTermsGetSeveralFragments) {
  const std::string text = "alpha " + Filler(200) + "omega " + Filler(200);
  const std::string snippet = Snippet(text, "alpha omega");
  EXPECT_NE(snippet.find("[alpha]"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("[omega]"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find(" \u2026 "), std::string::npos) << snippet;
  // alpha comes first in the text, so first in the snippet.
  EXPECT_LT(snippet.find("[alpha]"), snippet.find("[omega]"));
}

TEST(Snippets, PhrasesAreNeverCut) {
  // The phrase starts right where a window of the other term would end.
  const std::string text = "start " + Filler(30) + "new york city " + Filler(30);
  const std::string snippet = Snippet(text, "\"new york city\"", {10, 1});
  EXPECT_NE(snippet.find("[new york city]"), std::string::npos) << snippet;
}

TEST(Snippets, PhraseBeatsScatteredWords) {
  const std::string text = Filler(20) + "york and new " + Filler(40) + "in new york " + Filler(40);
  const std::string snippet = Snippet(text, "\"new york\"", {8, 1});
  EXPECT_NE(snippet.find("in [new york]"), std::string::npos) << snippet;
}

TEST(Snippets, NoMatchShowsTheStart) {
  EXPECT_EQ(Snippet("Just some words here.", "absent"), "Just some words here.");
  EXPECT_EQ(Snippet("", "absent"), "");
}

TEST(Snippets, NeverSplitsAUtf8Character) {
  std::mt19937_64 rng(1);
  const std::vector<std::string> pieces = {"Москва", "東京", "naïve", "café", "—",   "“x”",
                                           " ",      "\n",   "é",     "mot",  "日本"};
  for (int trial = 0; trial < 300; ++trial) {
    std::string text;
    const std::size_t count = 1 + rng() % 400;
    for (std::size_t i = 0; i < count; ++i) text += pieces[rng() % pieces.size()] + " ";
    const std::string snippet = Snippet(text, "café 東 москва", {1 + rng() % 40, 1 + rng() % 3});
    ASSERT_TRUE(utf8::IsValid(snippet)) << snippet;
  }
}

TEST(Snippets, OneLineCollapsesWhiteSpaceAndCutsSafely) {
  EXPECT_EQ(OneLine("  a\n\n b\t c  ", 100), "a b c");
  const std::string cut = OneLine("ééééé", 5);  // 5 bytes: two whole é and half of one
  EXPECT_EQ(cut, "éé\u2026");
}

}  // namespace
}  // namespace fathom
