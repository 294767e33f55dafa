// Tests for common/analyzer: tokenization, normalization, stemming, stop
// words, positions and byte offsets.

#include "common/analysis/analyzer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/analysis/utf8.hpp"
#include "common/error.hpp"

namespace fathom {

// Readable gtest failure messages (found by argument-dependent lookup).
void PrintTo(const Token& token, std::ostream* os) {
  *os << "{\"" << token.term << "\" @" << token.position << " [" << token.begin << ", " << token.end
      << ")}";
}

namespace {

using testing::ElementsAre;
using testing::IsEmpty;

AnalysisSettings Settings(std::string language, std::vector<std::string> stop_words = {}) {
  AnalysisSettings settings;
  settings.language = std::move(language);
  settings.stop_words = std::move(stop_words);
  return settings;
}

std::vector<std::string> Terms(const AnalysisSettings& settings, std::string_view text) {
  Analyzer analyzer(settings);
  std::vector<std::string> terms;
  for (const Token& token : analyzer.AnalyzeAll(text)) terms.push_back(token.term);
  return terms;
}

std::vector<std::string> English(std::string_view text) { return Terms(AnalysisSettings{}, text); }
std::vector<std::string> Unstemmed(std::string_view text) { return Terms(Settings("none"), text); }

// The original text of each token, from its byte offsets.
std::vector<std::string> Spans(std::string_view text, const std::vector<Token>& tokens) {
  std::vector<std::string> spans;
  for (const Token& token : tokens) {
    EXPECT_LE(token.begin, token.end);
    EXPECT_LE(token.end, text.size());
    spans.emplace_back(text.substr(token.begin, token.end - token.begin));
  }
  return spans;
}

std::vector<std::uint32_t> Positions(const std::vector<Token>& tokens) {
  std::vector<std::uint32_t> positions;
  for (const Token& token : tokens) positions.push_back(token.position);
  return positions;
}

MATCHER_P4(IsToken, term, position, begin, end, "") {
  return arg.term == term && arg.position == static_cast<std::uint32_t>(position) &&
         arg.begin == static_cast<std::uint32_t>(begin) &&
         arg.end == static_cast<std::uint32_t>(end);
}

// ------------------------------------------------------------ Tokenization

TEST(AnalyzerTokenize, EmptyAndBlankTextGiveNoTokens) {
  Analyzer analyzer(AnalysisSettings{});
  EXPECT_THAT(analyzer.AnalyzeAll(""), IsEmpty());
  EXPECT_EQ(analyzer.next_position(), 0u);
  EXPECT_THAT(analyzer.AnalyzeAll("   \t\n\r  "), IsEmpty());
  EXPECT_THAT(analyzer.AnalyzeAll("... -- !? “” ‘’ – — … «»"), IsEmpty());
  EXPECT_EQ(analyzer.next_position(), 0u);
  Token token;
  analyzer.Reset("");
  EXPECT_FALSE(analyzer.Next(token));
}

TEST(AnalyzerTokenize, SimpleSentence) {
  Analyzer analyzer(Settings("none"));
  const std::string text = "Hello, world! How are you?";
  EXPECT_THAT(
      analyzer.AnalyzeAll(text),
      ElementsAre(IsToken("hello", 0, 0, 5), IsToken("world", 1, 7, 12), IsToken("how", 2, 14, 17),
                  IsToken("are", 3, 18, 21), IsToken("you", 4, 22, 25)));
  EXPECT_EQ(analyzer.next_position(), 5u);
}

TEST(AnalyzerTokenize, CurlyQuotesAndDashesSeparateWords) {
  const std::string text = "“Peace talks” – he said—‘soon’ ‘maybe’";
  EXPECT_THAT(Unstemmed(text), ElementsAre("peace", "talks", "he", "said", "soon", "maybe"));
  // Dashes with no space around them still split.
  EXPECT_THAT(Unstemmed("one–two three—four"), ElementsAre("one", "two", "three", "four"));
  Analyzer analyzer(Settings("none"));
  EXPECT_EQ(Spans(text, analyzer.AnalyzeAll(text)),
            (std::vector<std::string>{"Peace", "talks", "he", "said", "soon", "maybe"}));
}

TEST(AnalyzerTokenize, PunctuationSeparatesWords) {
  EXPECT_THAT(Unstemmed("a/b;c:d(e)f[g]h{i}j<k>l|m!n?o\"p*q+r=s~t`u^v&w%x$y#z@_0"),
              ElementsAre("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
                          "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "0"));
  EXPECT_THAT(Unstemmed("foo_bar C++ x@example.com"),
              ElementsAre("foo", "bar", "c", "x", "example", "com"));
  // Non-ASCII punctuation and spaces: « » … 、 · no-break space, thin space.
  EXPECT_THAT(Unstemmed("a«b»c…d、e·f\u00A0g\u2009h\u3000i"),
              ElementsAre("a", "b", "c", "d", "e", "f", "g", "h", "i"));
  // A hyphen always separates.
  EXPECT_THAT(Unstemmed("state-of-the-art"), ElementsAre("state", "of", "the", "art"));
}

TEST(AnalyzerTokenize, LettersAndDigitsOfAnyScript) {
  EXPECT_THAT(Unstemmed("Ελληνικά русский עברית العربية हिन्दी ქართული"),
              ElementsAre("ελληνικά", "русский", "עברית", "العربية", "हिन्दी", "ქართული"));
  // Combining marks (Devanagari vowel signs, virama) stay inside the word.
  Analyzer analyzer(Settings("none"));
  const std::string hindi = "नमस्ते दुनिया";
  EXPECT_THAT(analyzer.AnalyzeAll(hindi),
              ElementsAre(IsToken("नमस्ते", 0, 0, 18), IsToken("दुनिया", 1, 19, 37)));
  // Digits of other scripts, and other numeric characters.
  EXPECT_THAT(Unstemmed("٣.١٤ ३.१४ x² Ⅻ"), ElementsAre("٣.١٤", "३.१४", "x²", "ⅻ"));
  // Four-byte letters (Gothic).
  EXPECT_THAT(Unstemmed("𐌰𐌱 𐌲"), ElementsAre("𐌰𐌱", "𐌲"));
  // Symbols and emoji are not word characters.
  EXPECT_THAT(Unstemmed("I ❤ NY 😀 €5"), ElementsAre("i", "ny", "5"));
}

TEST(AnalyzerTokenize, CjkIdeographsAreOneTokenEach) {
  Analyzer analyzer(Settings("none"));
  EXPECT_THAT(analyzer.AnalyzeAll("日本語"),
              ElementsAre(IsToken("日", 0, 0, 3), IsToken("本", 1, 3, 6), IsToken("語", 2, 6, 9)));
  EXPECT_THAT(Unstemmed("中文 テキスト ひらがな"),
              ElementsAre("中", "文", "テ", "キ", "ス", "ト", "ひ", "ら", "が", "な"));
  // Ideographs next to Latin letters or digits split from them.
  EXPECT_THAT(analyzer.AnalyzeAll("abc日本def2025年"),
              ElementsAre(IsToken("abc", 0, 0, 3), IsToken("日", 1, 3, 6), IsToken("本", 2, 6, 9),
                          IsToken("def2025", 3, 9, 16), IsToken("年", 4, 16, 19)));
  // Extension B (four bytes).
  EXPECT_THAT(Unstemmed("𠀀𠀁"), ElementsAre("𠀀", "𠀁"));
}

// -------------------------------------------------------------- Apostrophes

TEST(AnalyzerApostrophe, PossessiveWithStraightOrCurlyApostrophe) {
  EXPECT_THAT(English("Russia's"), ElementsAre("russia"));
  EXPECT_THAT(English("Russia’s"), ElementsAre("russia"));       // U+2019
  EXPECT_THAT(English("Russia\u02BCs"), ElementsAre("russia"));  // U+02BC
  EXPECT_THAT(English("RUSSIA'S RUSSIA’S"), ElementsAre("russia", "russia"));
  EXPECT_EQ(English("Russia's"), English("Russia"));
  // The whole word, apostrophe included, is one token.
  Analyzer analyzer(AnalysisSettings{});
  const std::string text = "Russia's and Russia’s";
  EXPECT_THAT(analyzer.AnalyzeAll(text),
              ElementsAre(IsToken("russia", 0, 0, 8), IsToken("and", 1, 9, 12),
                          IsToken("russia", 2, 13, 23)));
}

TEST(AnalyzerApostrophe, ContractionsStayOneWord) {
  EXPECT_THAT(English("don't can’t O'Neill"), ElementsAre("don't", "can't", "o'neil"));
  // Both spellings normalize to the ASCII apostrophe.
  EXPECT_EQ(English("don’t"), English("don't"));
  // Without stemming the possessive is kept.
  EXPECT_THAT(Unstemmed("Russia’s don't"), ElementsAre("russia's", "don't"));
}

TEST(AnalyzerApostrophe, EdgeApostrophesAreQuotes) {
  EXPECT_THAT(English("'quoted' ’tis James'"), ElementsAre("quot", "tis", "jame"));
  // An apostrophe after a digit is not inside a word.
  EXPECT_THAT(Unstemmed("the 1990's"), ElementsAre("the", "1990", "s"));
}

TEST(AnalyzerApostrophe, ElisionLanguagesSplitAtTheApostrophe) {
  EXPECT_THAT(Terms(Settings("french"), "l’homme l'homme"), ElementsAre("l", "homm", "l", "homm"));
}

// ------------------------------------------------------------ Case folding

TEST(AnalyzerFold, UnicodeCaseFolding) {
  EXPECT_THAT(Unstemmed("ÉCOLE école École"), ElementsAre("école", "école", "école"));
  EXPECT_EQ(English("ÉCOLE"), English("école"));
  // Decomposed input (e + U+0301) composes to the same term.
  EXPECT_THAT(Unstemmed("e\u0301cole ECOLE\u0301"), ElementsAre("école", "ecolé"));
  EXPECT_THAT(Unstemmed("MIXED case Ünïcödé"), ElementsAre("mixed", "case", "ünïcödé"));
}

TEST(AnalyzerFold, DecomposedTextTokenizesLikeComposedText) {
  // A combining mark belongs to the letter before it: apostrophes and acronym
  // dots after "e" + U+0301 behave as after "é".
  Analyzer analyzer(AnalysisSettings{});
  const std::string text = "cafe\u0301’s E\u0301.U. E.U\u0301.";
  EXPECT_THAT(
      analyzer.AnalyzeAll(text),
      ElementsAre(IsToken("café", 0, 0, 10), IsToken("éu", 1, 11, 16), IsToken("eú", 2, 18, 23)));
  EXPECT_EQ(English("cafe\u0301’s E\u0301.U. E.U\u0301."), English("café’s É.U. E.Ú."));
  // No precomposed form: the dot still goes.
  EXPECT_THAT(Unstemmed("X\u0301.Y."), ElementsAre("x\u0301y"));
}

TEST(AnalyzerFold, SharpSFoldsToSs) {
  // utf8proc's CASEFOLD maps ß to "ss" (full case folding).
  EXPECT_THAT(Unstemmed("STRASSE Straße strasse STRAẞE"),
              ElementsAre("strasse", "strasse", "strasse", "strasse"));
  EXPECT_THAT(English("STRASSE Straße"), ElementsAre("strass", "strass"));
}

TEST(AnalyzerFold, GreekAndCyrillic) {
  // Final sigma folds to σ.
  EXPECT_THAT(Unstemmed("ΣΟΦΟΣ σοφός Σοφός"), ElementsAre("σοφοσ", "σοφόσ", "σοφόσ"));
  EXPECT_THAT(Unstemmed("МОСКВА Москва"), ElementsAre("москва", "москва"));
}

// ---------------------------------------------------------------- Stemming

TEST(AnalyzerStem, EnglishSnowball) {
  EXPECT_THAT(English("meetings running"), ElementsAre("meet", "run"));
  EXPECT_THAT(English("MEETINGS Running"), ElementsAre("meet", "run"));
  EXPECT_THAT(English("connection connected connecting connects"),
              ElementsAre("connect", "connect", "connect", "connect"));
  EXPECT_THAT(Terms(Settings("porter"), "meetings running"), ElementsAre("meet", "run"));
}

TEST(AnalyzerStem, NoneKeepsWordsUnstemmed) {
  EXPECT_THAT(Unstemmed("meetings running connected"),
              ElementsAre("meetings", "running", "connected"));
}

TEST(AnalyzerStem, RussianAndGreek) {
  EXPECT_THAT(Terms(Settings("russian"), "Москва москвы МОСКВУ Москве"),
              ElementsAre("москв", "москв", "москв", "москв"));
  EXPECT_THAT(Terms(Settings("greek"), "ΑΘΗΝΑ Αθήνα"), ElementsAre("αθην", "αθην"));
}

TEST(AnalyzerStem, UnknownLanguageThrows) {
  EXPECT_THROW(Analyzer(Settings("klingon")), InputError);
  EXPECT_THROW(Analyzer(Settings("")), InputError);
  EXPECT_THROW(Analyzer(Settings("English")), InputError);  // names are lower case
  EXPECT_NO_THROW(Analyzer(Settings("none")));
  EXPECT_NO_THROW(Analyzer(Settings("french")));
}

TEST(AnalyzerStem, StemmerLanguages) {
  const std::vector<std::string> languages = StemmerLanguages();
  ASSERT_FALSE(languages.empty());
  EXPECT_EQ(languages.front(), "none");
  EXPECT_TRUE(std::is_sorted(languages.begin() + 1, languages.end()));
  EXPECT_EQ(std::adjacent_find(languages.begin(), languages.end()), languages.end());
  for (const char* name : {"english", "porter", "russian", "greek", "french", "german"}) {
    EXPECT_NE(std::find(languages.begin(), languages.end(), name), languages.end()) << name;
  }
  // Every listed language constructs.
  for (const std::string& language : languages) {
    EXPECT_NO_THROW(Analyzer(Settings(language))) << language;
  }
}

// -------------------------------------------------------------- Stop words

TEST(AnalyzerStopWords, DefaultEnglishList) {
  const std::vector<std::string> words = DefaultStopWords("english");
  EXPECT_EQ(words.size(), 33u);
  for (const char* word : {"a", "and", "the", "of", "to", "is", "with"}) {
    EXPECT_NE(std::find(words.begin(), words.end(), word), words.end()) << word;
  }
  EXPECT_EQ(DefaultStopWords("en"), words);
  EXPECT_EQ(DefaultStopWords("porter"), words);
  EXPECT_THROW(DefaultStopWords("french"), InputError);
  EXPECT_THROW(DefaultStopWords("none"), InputError);
}

TEST(AnalyzerStopWords, DroppedButConsumePositions) {
  Analyzer analyzer(Settings("english", DefaultStopWords("english")));
  const std::string text = "The cat and the hat";
  EXPECT_THAT(analyzer.AnalyzeAll(text),
              ElementsAre(IsToken("cat", 1, 4, 7), IsToken("hat", 4, 16, 19)));
  EXPECT_EQ(analyzer.next_position(), 5u);
  // Matched after folding, not after stemming; trailing stop words count too.
  EXPECT_THAT(Positions(analyzer.AnalyzeAll("THE meetings OF")), ElementsAre(1));
  EXPECT_EQ(analyzer.next_position(), 3u);
  EXPECT_THAT(analyzer.AnalyzeAll("the of and"), IsEmpty());
  EXPECT_EQ(analyzer.next_position(), 3u);
}

TEST(AnalyzerStopWords, CustomListMatchesFoldedUnstemmedWords) {
  const AnalysisSettings settings = Settings("english", {"meetings", "école"});
  EXPECT_THAT(Terms(settings, "Meetings MEETING meet ÉCOLE"), ElementsAre("meet", "meet"));
  Analyzer analyzer(settings);
  EXPECT_THAT(Positions(analyzer.AnalyzeAll("Meetings MEETING meet ÉCOLE")), ElementsAre(1, 2));
}

TEST(AnalyzerStopWords, PossessiveIsStrippedBeforeMatching) {
  // English strips a trailing 's (either apostrophe) before the stop list is
  // consulted, so "It's" is the stop word "it" and "Russia’s" matches "russia".
  Analyzer analyzer(Settings("english", DefaultStopWords("english")));
  EXPECT_THAT(analyzer.AnalyzeAll("It's Russia's"), ElementsAre(IsToken("russia", 1, 5, 13)));
  EXPECT_THAT(Terms(Settings("english", {"russia"}), "Russia’s RUSSIA'S Russian"),
              ElementsAre("russian"));
  // Language "none" keeps the possessive, so it is a different word.
  EXPECT_THAT(Terms(Settings("none", {"russia"}), "Russia’s Russia"), ElementsAre("russia's"));
}

// -------------------------------------------------- Positions and offsets

TEST(AnalyzerOffsets, PointAtTheOriginalWord) {
  Analyzer analyzer(AnalysisSettings{});
  const std::string text = "  Élysée “Meetings” — U.S.  Russia’s\tpresidents\n";
  const std::vector<Token> tokens = analyzer.AnalyzeAll(text);
  EXPECT_EQ(Spans(text, tokens),
            (std::vector<std::string>{"Élysée", "Meetings", "U.S", "Russia’s", "presidents"}));
  EXPECT_THAT(Positions(tokens), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(tokens, ElementsAre(IsToken("élysé", 0, 2, 10), IsToken("meet", 1, 14, 22),
                                  IsToken("us", 2, 30, 33), IsToken("russia", 3, 36, 46),
                                  IsToken("presid", 4, 47, 57)));
}

TEST(AnalyzerOffsets, ResetWithFirstPosition) {
  Analyzer analyzer(AnalysisSettings{});
  const std::string text = "alpha beta";
  analyzer.Reset(text, 100);
  EXPECT_EQ(analyzer.next_position(), 100u);
  Token token;
  ASSERT_TRUE(analyzer.Next(token));
  EXPECT_THAT(token, IsToken("alpha", 100, 0, 5));
  EXPECT_EQ(analyzer.next_position(), 101u);
  ASSERT_TRUE(analyzer.Next(token));
  EXPECT_THAT(token, IsToken("beta", 101, 6, 10));
  EXPECT_FALSE(analyzer.Next(token));
  EXPECT_EQ(analyzer.next_position(), 102u);
  // AnalyzeAll starts over at position 0.
  EXPECT_THAT(Positions(analyzer.AnalyzeAll(text)), ElementsAre(0, 1));
}

TEST(AnalyzerOffsets, BlankLinesPartParagraphsByTheParagraphGap) {
  Analyzer analyzer(AnalysisSettings{});
  const std::uint32_t gap = kParagraphPositionGap;
  // A line break alone keeps the words adjacent; a blank line (spaces,
  // tabs and \r allowed on it, punctuation around it) parts them.
  EXPECT_THAT(Positions(analyzer.AnalyzeAll("one\ntwo\r\nthree")), ElementsAre(0, 1, 2));
  EXPECT_THAT(Positions(analyzer.AnalyzeAll("one.\n\ntwo three\n \t\r\n- four")),
              ElementsAre(0, 1 + gap, 2 + gap, 3 + 2 * gap));
  // Blank lines before the first word or after the last add nothing.
  EXPECT_THAT(Positions(analyzer.AnalyzeAll("\n\n\none two\n\n")), ElementsAre(0, 1));
  // A stop word still takes its position, and the gap follows the text.
  Analyzer stopping(AnalysisSettings{"english", {"the"}});
  EXPECT_THAT(Positions(stopping.AnalyzeAll("the\n\nend")), ElementsAre(1 + gap));
  EXPECT_TRUE(HoldsParagraphBreak(" \n\t\n "));
  EXPECT_FALSE(HoldsParagraphBreak(" \n x \n "));
  EXPECT_FALSE(HoldsParagraphBreak("\n"));
}

TEST(AnalyzerOffsets, ParagraphGapsStopBeforePositionsCouldOverflow) {
  Analyzer analyzer(AnalysisSettings{});
  const std::string text = "a\n\nb\n\nc";
  analyzer.Reset(text, kMaxParagraphGapPosition - 2);
  Token token;
  std::vector<std::uint32_t> positions;
  while (analyzer.Next(token)) positions.push_back(token.position);
  // Below the limit, the gap; once a position reaches it, none.
  EXPECT_THAT(positions, ElementsAre(kMaxParagraphGapPosition - 2,
                                     kMaxParagraphGapPosition - 1 + kParagraphPositionGap,
                                     kMaxParagraphGapPosition + kParagraphPositionGap));
}

// --------------------------------------------------- Acronyms and numbers

TEST(AnalyzerSpecial, AcronymsLoseTheirDots) {
  Analyzer analyzer(AnalysisSettings{});
  EXPECT_THAT(analyzer.AnalyzeAll("U.S."), ElementsAre(IsToken("us", 0, 0, 3)));
  EXPECT_THAT(English("U.S. u.s. US"), ElementsAre("us", "us", "us"));
  EXPECT_THAT(English("U.S.A. e.g. i.e."), ElementsAre("usa", "eg", "ie"));
  EXPECT_THAT(English("U.S.-led"), ElementsAre("us", "led"));
  // Non-ASCII letters too.
  EXPECT_THAT(Unstemmed("É.U. С.Ш.А."), ElementsAre("éu", "сша"));
  EXPECT_EQ(Unstemmed("É.U."), Unstemmed("ÉU"));
  // Only single letters between the dots: a sentence end is not an acronym.
  EXPECT_THAT(Unstemmed("end.Next a.bc"), ElementsAre("end", "next", "a", "bc"));
}

TEST(AnalyzerSpecial, NumbersKeepDecimalAndThousandsSeparators) {
  Analyzer analyzer(AnalysisSettings{});
  EXPECT_THAT(analyzer.AnalyzeAll("3.14"), ElementsAre(IsToken("3.14", 0, 0, 4)));
  EXPECT_THAT(analyzer.AnalyzeAll("1,000"), ElementsAre(IsToken("1,000", 0, 0, 5)));
  EXPECT_THAT(English("1,000,000.50 costs 3.14."), ElementsAre("1,000,000.50", "cost", "3.14"));
  // A separator not between two digits splits.
  EXPECT_THAT(English("3. .5 ,5 5, 3.x"), ElementsAre("3", "5", "5", "5", "3", "x"));
}

TEST(AnalyzerSpecial, DatesSplitAtHyphens) {
  Analyzer analyzer(AnalysisSettings{});
  EXPECT_THAT(
      analyzer.AnalyzeAll("2025-02-22"),
      ElementsAre(IsToken("2025", 0, 0, 4), IsToken("02", 1, 5, 7), IsToken("22", 2, 8, 10)));
}

// ------------------------------------------------------------ Long words

TEST(AnalyzerLongWords, CutAtKMaxTermBytesAndCounted) {
  static_assert(kMaxTermBytes == 255);
  Analyzer analyzer(Settings("none"));
  EXPECT_EQ(analyzer.truncated_words(), 0u);

  const std::string exact(kMaxTermBytes, 'a');
  EXPECT_THAT(analyzer.AnalyzeAll(exact), ElementsAre(IsToken(exact, 0, 0, 255)));
  EXPECT_EQ(analyzer.truncated_words(), 0u);

  const std::string long_ascii(300, 'b');
  EXPECT_THAT(analyzer.AnalyzeAll("x " + long_ascii + " y"),
              ElementsAre(IsToken("x", 0, 0, 1), IsToken(std::string(255, 'b'), 1, 2, 302),
                          IsToken("y", 2, 303, 304)));
  EXPECT_EQ(analyzer.truncated_words(), 1u);

  // 128 × "é" is 256 bytes: cut to 127 × "é" (254 bytes), not mid-character.
  std::string accented;
  for (int i = 0; i < 128; ++i) accented += "é";
  std::string expected;
  for (int i = 0; i < 127; ++i) expected += "é";
  EXPECT_THAT(analyzer.AnalyzeAll(accented), ElementsAre(IsToken(expected, 0, 0, 256)));
  EXPECT_EQ(analyzer.truncated_words(), 2u);

  // 64 × a four-byte letter is 256 bytes: cut to 252.
  std::string gothic;
  for (int i = 0; i < 64; ++i) gothic += "𐌰";
  const std::vector<Token> tokens = analyzer.AnalyzeAll(gothic);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].term.size(), 252u);
  EXPECT_TRUE(utf8::IsValid(tokens[0].term));
  EXPECT_EQ(tokens[0].term, gothic.substr(0, 252));
  EXPECT_EQ(tokens[0].end, 256u);  // the offsets still cover the whole word
  EXPECT_EQ(analyzer.truncated_words(), 3u);
}

TEST(AnalyzerLongWords, StemmedLanguageToo) {
  Analyzer analyzer(AnalysisSettings{});
  const std::vector<Token> tokens = analyzer.AnalyzeAll(std::string(1000, 'z') + " ok");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].term, std::string(255, 'z'));
  EXPECT_THAT(tokens[1], IsToken("ok", 1, 1001, 1003));
  EXPECT_EQ(analyzer.truncated_words(), 1u);
}

// ----------------------------------------------------------- Invalid UTF-8

TEST(AnalyzerInvalidUtf8, MalformedBytesSeparateWords) {
  Analyzer analyzer(Settings("none"));
  const std::string text =
      "ab\xFF"
      "cd caf\xC3 \xC0\x80x \xE2\x82y z\xED\xA0\x80w";
  EXPECT_THAT(analyzer.AnalyzeAll(text),
              ElementsAre(IsToken("ab", 0, 0, 2), IsToken("cd", 1, 3, 5), IsToken("caf", 2, 6, 9),
                          IsToken("x", 3, 13, 14), IsToken("y", 4, 17, 18), IsToken("z", 5, 19, 20),
                          IsToken("w", 6, 23, 24)));
  // Malformed bytes do not act as connectors either.
  EXPECT_THAT(Unstemmed("3.\xFF"
                        "14 Russia'\x80s U.\xFFS"),
              ElementsAre("3", "14", "russia", "s", "u", "s"));
  EXPECT_THAT(Unstemmed("\xFF\xFE\x80\xC3"), IsEmpty());
}

TEST(AnalyzerInvalidUtf8, RandomInputNeverBreaksInvariants) {
  // Pieces chosen to hit every branch: connectors, acronyms, apostrophes,
  // ideographs, combining marks, long runs, and malformed bytes.
  const std::vector<std::string> pieces = {"a",        "Z",
                                           "é",        "ß",
                                           "Σ",        "д",
                                           "7",        "٣",
                                           ".",        ",",
                                           "'",        "’",
                                           "-",        " ",
                                           "\n",       "日",
                                           "テ",       "\u0301",
                                           "“",        "—",
                                           "U.",       "S.",
                                           "\xFF",     "\x80",
                                           "\xC3",     "\xE2\x82",
                                           "\xF0\x9F", "\xED\xA0\x80",
                                           "\xC0\x80", std::string(40, 'q'),
                                           "𐌰",        "😀"};
  std::mt19937 rng(12345);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(0, 120);
  for (const char* language : {"english", "none", "french", "russian"}) {
    Analyzer analyzer(Settings(language, language == std::string("english")
                                             ? DefaultStopWords("english")
                                             : std::vector<std::string>{}));
    for (int round = 0; round < 500; ++round) {
      std::string text;
      for (int n = length(rng); n > 0; --n) text += pieces[pick(rng)];
      analyzer.Reset(text, 7);
      Token token;
      std::uint32_t last_position = 0;
      std::uint32_t last_end = 0;
      bool first = true;
      while (analyzer.Next(token)) {
        ASSERT_FALSE(token.term.empty());
        ASSERT_LE(token.term.size(), kMaxTermBytes);
        ASSERT_TRUE(utf8::IsValid(token.term));
        ASSERT_LT(token.begin, token.end);
        ASSERT_LE(token.end, text.size());
        ASSERT_TRUE(
            utf8::IsValid(std::string_view(text).substr(token.begin, token.end - token.begin)));
        if (!first) {
          ASSERT_GT(token.position, last_position);
          ASSERT_GE(token.begin, last_end);
        } else {
          ASSERT_GE(token.position, 7u);
        }
        ASSERT_LT(token.position, analyzer.next_position());
        first = false;
        last_position = token.position;
        last_end = token.end;
      }
    }
  }
}

// ------------------------------------------------------------------ Misc

TEST(AnalyzerMisc, SettingsAndMove) {
  const AnalysisSettings settings = Settings("english", {"the"});
  Analyzer original(settings);
  EXPECT_EQ(original.settings(), settings);
  Analyzer moved(std::move(original));
  EXPECT_EQ(moved.settings(), settings);
  EXPECT_THAT(Positions(moved.AnalyzeAll("the meetings")), ElementsAre(1));
  Analyzer assigned(Settings("none"));
  assigned = std::move(moved);
  EXPECT_EQ(assigned.settings(), settings);
  std::vector<std::string> terms;
  for (const Token& token : assigned.AnalyzeAll("The Meetings")) terms.push_back(token.term);
  EXPECT_THAT(terms, ElementsAre("meet"));
}

TEST(AnalyzerMisc, SameInputSameOutputAcrossCalls) {
  Analyzer analyzer(AnalysisSettings{});
  const std::string text = "Putin and Trump’s meeting in Riyadh, 2025-02-22 — U.S. officials said.";
  const std::vector<Token> first = analyzer.AnalyzeAll(text);
  const std::vector<Token> second = analyzer.AnalyzeAll(text);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].term, second[i].term);
    EXPECT_EQ(first[i].position, second[i].position);
    EXPECT_EQ(first[i].begin, second[i].begin);
    EXPECT_EQ(first[i].end, second[i].end);
  }
  std::vector<std::string> terms;
  for (const Token& token : first) terms.push_back(token.term);
  EXPECT_THAT(terms, ElementsAre("putin", "and", "trump", "meet", "in", "riyadh", "2025", "02",
                                 "22", "us", "offici", "said"));
}

}  // namespace
}  // namespace fathom
