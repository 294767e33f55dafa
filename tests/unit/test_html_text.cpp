// HTML documents are indexed as the text a reader sees: markup, scripts,
// styles and comments out, entities decoded, the title from <title> or the
// first <h1>, charsets converted; through the corpus reader and the
// programs, so that a search neither finds hidden words nor shows tags.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "indexer/corpus/corpus_reader.hpp"
#include "indexer/corpus/html_text.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

constexpr const char* kPage = R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Tides &amp; Moons</title>
<style>body { color: stylewordonly; }</style>
<script>var scriptwordonly = 1;</script></head>
<body><h1>Ocean tides</h1>
<!-- commentwordonly -->
<p>The moon&rsquo;s pull raises <b>two</b> bulges.</p><p>Second paragraph</p>
<noscript>noscriptwordonly</noscript><template>templatewordonly</template>
<ul><li>first item</li><li>second item</li></ul>
</body></html>)";

TEST(HtmlText, KeepsVisibleTextAndDropsTheRest) {
  const HtmlText page = ExtractHtmlText(kPage);
  EXPECT_EQ(page.title, "Tides & Moons");
  for (const char* hidden : {"stylewordonly", "scriptwordonly", "commentwordonly",
                             "noscriptwordonly", "templatewordonly", "<", ">", "&amp;"}) {
    EXPECT_EQ(page.body.find(hidden), std::string::npos) << hidden << " in:\n" << page.body;
  }
  EXPECT_NE(page.body.find("The moon\u2019s pull raises two bulges."), std::string::npos)
      << page.body;
  // Blocks end paragraphs (a blank line); inline elements do not.
  EXPECT_NE(page.body.find("Ocean tides\n\nThe moon"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("bulges.\n\nSecond paragraph\n\nfirst item\n\nsecond item"),
            std::string::npos)
      << page.body;
  // <br> ends a line only.
  EXPECT_EQ(ExtractHtmlText("<p>one<br>two</p><p>three</p>").body, "one\ntwo\n\nthree");
}

TEST(HtmlText, TitleFallsBackToTheFirstH1) {
  EXPECT_EQ(ExtractHtmlText("<html><body><h1>Main <i>heading</i></h1><h1>Other</h1>x</body>").title,
            "Main heading");
  EXPECT_EQ(ExtractHtmlText("<p>no title at all</p>").title, "");
  // A second <title> (in the body, or an SVG's) is neither title nor text;
  // fuzz_html found that it once sent the walk round in circles.
  const HtmlText two = ExtractHtmlText("<title>First</title><p>a<title>Second</title>b</p>");
  EXPECT_EQ(two.title, "First");
  EXPECT_EQ(two.body.find("Second"), std::string::npos) << two.body;
}

TEST(HtmlText, RecognizedByNameOrByContent) {
  EXPECT_TRUE(IsHtml("a/page.HTM", "whatever"));
  EXPECT_TRUE(IsHtml("a/page.xhtml", ""));
  EXPECT_TRUE(IsHtml("README", "  \n<!doctype HTML><html>"));
  EXPECT_TRUE(IsHtml("noext", "<html lang=en>"));
  EXPECT_TRUE(IsHtml("x.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD"));
  EXPECT_FALSE(IsHtml("notes.txt", "Use <html> tags like this"));
  EXPECT_FALSE(IsHtml("data.xml", "<?xml version=\"1.0\"?><feed>"));
}

TEST(HtmlText, DeclaredCharsetIsConvertedToUtf8) {
  EXPECT_EQ(DeclaredCharset("<meta charset=\"ISO-8859-1\">"), "iso-8859-1");
  EXPECT_EQ(DeclaredCharset("<meta http-equiv=\"Content-Type\" content=\"text/html; "
                            "charset=windows-1252\">"),
            "windows-1252");
  EXPECT_EQ(DeclaredCharset("\xEF\xBB\xBF<p>x"), "utf-8");
  EXPECT_EQ(DeclaredCharset("<p>nothing declared</p>"), "");
  std::string latin1 = "<meta charset=iso-8859-1><p>caf\xE9 na\xEFve</p>";
  ASSERT_TRUE(ConvertToUtf8(latin1, "iso-8859-1"));
  EXPECT_NE(ExtractHtmlText(latin1).body.find("caf\u00e9 na\u00efve"), std::string::npos);
  std::string unknown = "x";
  EXPECT_FALSE(ConvertToUtf8(unknown, "no-such-charset"));
  EXPECT_EQ(unknown, "x");
}

TEST(HtmlText, HostileMarkupGivesTextNotACrash) {
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "<div><span>";
  deep += "bottom";
  EXPECT_TRUE(NestsDeeperThan(deep, kMaxHtmlDepth));  // refused before gumbo sees it
  std::string nested;
  for (int i = 0; i < 400; ++i) nested += "<div><span>";
  nested += "bottom";
  EXPECT_FALSE(NestsDeeperThan(nested, kMaxHtmlDepth));
  EXPECT_NE(ExtractHtmlText(nested).body.find("bottom"), std::string::npos);
  // Open-ended and void elements do not count as nesting.
  std::string flat;
  for (int i = 0; i < 5000; ++i) flat += "<p>para <br><li>item <img src=x>";
  flat += "<script>" + std::string(3000, '<') + "div></script>";
  EXPECT_FALSE(NestsDeeperThan(flat, kMaxHtmlDepth));
  EXPECT_EQ(ExtractHtmlText("").body, "");
  EXPECT_EQ(ExtractHtmlText("<<<>>>&&&;;;</p></p></html>").title, "");
  const std::string unclosed = "<html><body><p>open <b>bold <i>italic <script>hidden";
  const HtmlText page = ExtractHtmlText(unclosed);
  EXPECT_NE(page.body.find("open bold italic"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("hidden"), std::string::npos) << page.body;
}

TEST(HtmlText, FoldersOfPagesAreIndexedAsTheirText) {
  TempDir dir;
  WriteFile(dir / "docs" / "tides.html", kPage);
  WriteFile(dir / "docs" / "sniffed", "<!DOCTYPE html><title>Sniffed</title><p>found by content");
  WriteFile(dir / "docs" / "latin.htm",
            "<html><head><meta charset=\"windows-1252\"><title>Caf\xE9</title></head>"
            "<body>cr\xE8me br\xFBl\xE9\x65</body></html>");
  WriteFile(dir / "docs" / "plain.txt", "Plain title\nsome <b>literal</b> markup in text");
  std::string deep = "<html><body>";
  for (int i = 0; i < 3000; ++i) deep += "<div>";
  WriteFile(dir / "docs" / "deep.html", deep + "deepwordonly");
  std::vector<std::string> warnings;
  auto reader =
      CorpusReader::Open(dir / "docs", {}, [&](const std::string& w) { warnings.push_back(w); });
  std::map<std::string, SourceDocument> docs;
  for (SourceDocument doc; reader->Next(doc);) docs[doc.id] = doc;
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_EQ(reader->stats().html.documents, 3u);
  EXPECT_EQ(docs["tides.html"].title, "Tides & Moons");
  EXPECT_EQ(docs["sniffed"].title, "Sniffed");
  EXPECT_EQ(docs["sniffed"].body, "found by content");
  EXPECT_EQ(docs["latin.htm"].title, "Caf\u00e9");
  EXPECT_EQ(docs["latin.htm"].body, "cr\u00e8me br\u00fbl\u00e9e");
  EXPECT_EQ(docs["plain.txt"].body, "some <b>literal</b> markup in text");
  EXPECT_EQ(reader->stats().skipped_too_large, 1u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("deep.html: HTML nested deeper than 1000 elements"), std::string::npos)
      << warnings[0];

  // Through the programs: hidden words are not found, snippets show text.
  ASSERT_EQ(
      RunCommand(kIndexBin + " -q " + Quote(dir / "docs") + " " + Quote(dir / "idx")).exit_code, 0);
  const auto search = [&](const std::string& query) {
    return RunCommand(kSearchBin + " " + Quote(dir / "idx") + " --color never '" + query + "'");
  };
  EXPECT_NE(search("scriptwordonly").out.find("0 matching documents"), std::string::npos);
  EXPECT_NE(search("stylewordonly").out.find("0 matching documents"), std::string::npos);
  const CommandResult found = search("bulges");
  EXPECT_NE(found.out.find("1 matching document"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("Tides & Moons"), std::string::npos) << found.out;
  EXPECT_EQ(found.out.find("<p>"), std::string::npos) << found.out;
  EXPECT_NE(search("crème").out.find("latin.htm"), std::string::npos);
  // A phrase stays inside a block: "bulges. Second paragraph" spans two.
  EXPECT_NE(search("\"raises two bulges\"").out.find("1 matching document"), std::string::npos);
  EXPECT_NE(search("\"bulges second\"").out.find("0 matching documents"), std::string::npos);
  EXPECT_NE(search("\"first item second\"").out.find("0 matching documents"), std::string::npos);
  EXPECT_NE(search("\"bulges second\"~5").out.find("0 matching documents"), std::string::npos);
}

}  // namespace
}  // namespace fathom::testing
