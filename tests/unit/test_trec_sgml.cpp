// TREC SGML: one document per <DOC>, id from DOCNO, title and body from the
// text-bearing tags; bad DOCs skipped with a warning, the rest still read.
#include <gtest/gtest.h>

#include "indexer/corpus/corpus_reader.hpp"
#include "indexer/corpus/trec_sgml.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

const std::string kThreeDocs =
    "\n<DOC>\n<DOCNO> FT-001 </DOCNO>\n<HEADLINE>Harbour reopens</HEADLINE>\n"
    "<TEXT>\n<P>The harbour reopened on Monday.</P>\n</TEXT>\n</DOC>\n"
    "<DOC>\n<DOCNO>FT-002</DOCNO>\n<DATE>1990</DATE>\n<TEXT>Bridge works delayed.</TEXT>\n"
    "<GRAPHIC>Map of the bridge</GRAPHIC>\n</DOC>\n"
    "<DOC>\n<DOCNO>FT-003</DOCNO>\n<HL>Lighthouse</HL>\n<LP>Keeper retires.</LP>\n"
    "<TEXT>After forty years.</TEXT>\n</DOC>\n";

TEST(TrecSgml, Detection) {
  EXPECT_TRUE(LooksLikeTrecSgml(kThreeDocs));
  EXPECT_TRUE(LooksLikeTrecSgml("<DOC>"));
  EXPECT_FALSE(LooksLikeTrecSgml("text <DOC>"));
  EXPECT_FALSE(LooksLikeTrecSgml("<DOCUMENT>"));
  EXPECT_FALSE(LooksLikeTrecSgml(""));
}

TEST(TrecSgml, ThreeDocumentsWithIdsTitlesAndText) {
  std::vector<std::string> warnings;
  const auto docs =
      ParseTrecSgml(kThreeDocs, "f.sgml", [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].id, "FT-001");
  EXPECT_EQ(docs[0].title, "Harbour reopens");
  EXPECT_EQ(docs[0].body, "The harbour reopened on Monday.");  // <P> removed, headline not twice
  EXPECT_EQ(docs[1].id, "FT-002");
  EXPECT_EQ(docs[1].title, "");
  EXPECT_EQ(docs[1].body, "Bridge works delayed.\n\nMap of the bridge");  // DATE is not text
  EXPECT_EQ(docs[2].id, "FT-003");
  EXPECT_EQ(docs[2].title, "Lighthouse");
  EXPECT_EQ(docs[2].body, "Keeper retires.\n\nAfter forty years.");
}

TEST(TrecSgml, MalformedDocsAreSkippedWithAWarning) {
  const std::string text =
      "<DOC><TEXT>no docno</TEXT></DOC>\n"     // byte 0: no DOCNO
      "<DOC><DOCNO>A</DOCNO><TEXT>unclosed\n"  // not closed before the next <DOC>
      "<DOC><DOCNO>B</DOCNO><TEXT>good</TEXT></DOC>\n"
      "<DOC><DOCNO>C</DOCNO><TEXT>cut off at the end";
  std::vector<std::string> warnings;
  const auto docs =
      ParseTrecSgml(text, "bad.sgml", [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, "B");
  EXPECT_EQ(docs[0].body, "good");
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0], "bad.sgml: byte 0: <DOC> without a <DOCNO>, skipped");
  EXPECT_NE(warnings[1].find("bad.sgml: byte 33: <DOC> without </DOC>"), std::string::npos)
      << warnings[1];
  EXPECT_NE(warnings[2].find("<DOC> without </DOC>"), std::string::npos) << warnings[2];
}

// Through the folder reader: a plain and a gzipped TREC file beside a text
// file, each DOC a document.
TEST(TrecSgml, FolderReaderGivesOneDocumentPerDoc) {
  TempDir dir;
  WriteFile(dir / "c" / "a.sgml", kThreeDocs);
  WriteFile(dir / "c" / "b", "<DOC><DOCNO>Z-1</DOCNO><TEXT>zipped words</TEXT></DOC>\n");
  ASSERT_EQ(RunCommand("cd " + Quote(dir / "c") + " && gzip b").exit_code, 0);
  WriteFile(dir / "c" / "plain.txt", "just text\n");
  const CorpusRead read = ReadCorpus(dir / "c");
  const std::vector<SourceDocument>& docs = read.docs;
  EXPECT_TRUE(read.warnings.empty());
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_EQ(docs[0].id, "FT-001");
  EXPECT_EQ(docs[2].id, "FT-003");
  EXPECT_EQ(docs[3].id, "Z-1");
  EXPECT_EQ(docs[3].body, "zipped words");
  EXPECT_EQ(docs[4].id, "plain.txt");
  EXPECT_EQ(read.stats.documents, 5u);
  EXPECT_EQ(read.stats.trec_files, 2u);
  EXPECT_EQ(read.stats.trec.documents, 4u);
}

}  // namespace
}  // namespace fathom::testing
