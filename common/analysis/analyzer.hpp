// Text analysis: UTF-8 text -> a stream of normalized terms with positions.
// The indexer and the searcher use this one class, configured from the
// AnalysisSettings recorded in the index, so documents and queries are
// always analyzed the same way.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/analysis/fields.hpp"

struct sb_stemmer;

namespace fathom {

struct AnalysisSettings {
  // A Snowball language name as libstemmer knows it ("english", "french"...)
  // or "none" for no stemming.
  std::string language = "english";
  // Folded (unstemmed) words dropped from the token stream. Empty = none.
  // They still consume a position, so phrases keep their gaps.
  std::vector<std::string> stop_words;

  bool operator==(const AnalysisSettings&) const = default;
};

// Languages libstemmer ships, plus "none".
std::vector<std::string> StemmerLanguages();

// The built-in stop list for a language; throws InputError when Fathom has
// none for it (a custom list can always be supplied).
std::vector<std::string> DefaultStopWords(std::string_view language);

struct Token {
  std::string term;        // case-folded, stemmed
  std::uint32_t position;  // counts every word, stop words included
  std::uint32_t begin;     // byte range of the word in the analyzed text
  std::uint32_t end;
};

class Analyzer {
 public:
  // Throws InputError for a language libstemmer does not know.
  explicit Analyzer(AnalysisSettings settings);
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;

  const AnalysisSettings& settings() const { return settings_; }

  // Starts analyzing text; the first word gets first_position. The text must
  // outlive the calls to Next(). It need not be valid UTF-8: malformed bytes
  // separate words.
  void Reset(std::string_view text, std::uint32_t first_position = 0);
  // Fills token with the next indexed term; false at the end of the text.
  bool Next(Token& token);
  // The position the next word would get (one past the last word seen).
  std::uint32_t next_position() const { return next_position_; }
  // Words cut to kMaxTermBytes since construction.
  std::uint64_t truncated_words() const { return truncated_words_; }

  // Convenience: every token of text.
  std::vector<Token> AnalyzeAll(std::string_view text);

 private:
  struct RawWord {
    std::uint32_t begin;
    std::uint32_t end;
  };
  bool NextRawWord(RawWord& word);
  void Normalize(std::string_view raw, std::string& out);
  // Stemming is a pure function of the word, and a few thousand words make
  // most of any text (Zipf): a direct-mapped cache of recent stems skips the
  // stemmer for them. Short words only, so entries stay in place (SSO).
  void Stem(const std::string& word, std::string& out);
  void StemUncached(const std::string& word, std::string& out);
  struct StemCacheEntry {
    std::string word, stem;
    bool used = false;
  };
  static constexpr std::size_t kStemCacheMaxWord = 15;
  // The cache is made once this many words were stemmed without it (a
  // query's few words never pay for it), small: fresh memory is dear on the
  // virtual machine bench/README.md measures on, and the 1.2 MB of a full
  // cache, made at once, cost a searcher 3.3 ms in the middle of a batch of
  // 562 queries. It doubles, up to kStemCacheMaxEntries, each time it missed
  // twice as many words as it holds: a text's analysis soon grows it.
  static constexpr std::size_t kStemsBeforeCache = 1024;
  static constexpr std::size_t kStemCacheFirstEntries = 1 << 10;
  static constexpr std::size_t kStemCacheMaxEntries = 1 << 14;
  std::vector<StemCacheEntry> stem_cache_;
  std::size_t stems_without_cache_ = 0;
  std::size_t stem_cache_misses_ = 0;  // since the cache took its size

  AnalysisSettings settings_;
  sb_stemmer* stemmer_ = nullptr;
  bool porter2_ = false;  // English: Porter2Stem instead of libstemmer
  bool apostrophes_join_ = true;
  bool strip_possessive_ = false;
  std::unordered_set<std::string> stop_words_;
  std::string_view text_;
  std::size_t cursor_ = 0;
  static constexpr std::size_t kNoWordYet = SIZE_MAX;
  std::size_t last_word_end_ = kNoWordYet;  // where the previous word ended
  std::uint32_t next_position_ = 0;
  std::uint64_t truncated_words_ = 0;
  std::string scratch_;
};

// Positions of consecutive fields of one document are this far apart, so a
// phrase never matches across the end of the title and the start of the body.
inline constexpr std::uint32_t kFieldPositionGap = 100;
// And so are the paragraphs of a text: words parted by a blank line (a line
// break, optional spaces or tabs, another line break). HTML blocks, JSON
// body fields and PDF pages come as paragraphs, so a phrase never runs from
// one into the next. Only below kMaxParagraphGapPosition: the gaps of a
// pathological text (a gigabyte of one-word paragraphs) stop there, so that
// positions never overflow.
inline constexpr std::uint32_t kParagraphPositionGap = kFieldPositionGap;
inline constexpr std::uint32_t kMaxParagraphGapPosition = 1u << 30;
// True when text (the bytes between two words) holds a blank line.
bool HoldsParagraphBreak(std::string_view text);

// A document's tokens numbered as the index numbers them (docs/FORMAT.md,
// "Positions"): the title's from 0, then the body's from the title's next
// position plus kFieldPositionGap. Calls on_token(token, in_title) for each;
// token is the caller's, so that its buffer is reused.
template <typename OnToken>
void AnalyzeDocument(Analyzer& analyzer, std::string_view title, std::string_view body,
                     Token& token, OnToken&& on_token) {
  analyzer.Reset(title, 0);
  while (analyzer.Next(token)) on_token(static_cast<const Token&>(token), true);
  analyzer.Reset(body, analyzer.next_position() + kFieldPositionGap);
  while (analyzer.Next(token)) on_token(static_cast<const Token&>(token), false);
}

}  // namespace fathom
