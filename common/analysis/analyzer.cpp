#include "common/analysis/analyzer.hpp"

#include <libstemmer.h>
#include <utf8proc.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/analysis/porter2.hpp"
#include "common/analysis/utf8.hpp"
#include "common/error.hpp"

namespace fathom {
namespace {

// Lucene's EnglishAnalyzer default set: short, conservative, widely used as a
// baseline, so quality comparisons against Lucene stay like for like.
constexpr const char* kEnglishStopWords[] = {
    "a",   "an",    "and",  "are",   "as",    "at",   "be",   "but", "by",  "for",  "if",
    "in",  "into",  "is",   "it",    "no",    "not",  "of",   "on",  "or",  "such", "that",
    "the", "their", "then", "there", "these", "they", "this", "to",  "was", "will", "with"};

bool IsApostrophe(char32_t cp) { return cp == U'\'' || cp == 0x2019 || cp == 0x02BC; }

// Scripts written without spaces between words: each character is its own
// token (as Lucene's StandardTokenizer does for ideographs), so a query for
// one character finds it inside a run of text.
bool IsIdeographic(char32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) ||  // Hiragana, Katakana
         (cp >= 0x3400 && cp <= 0x4DBF) ||  // CJK Extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK Unified Ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||  // CJK Compatibility Ideographs
         (cp >= 0x20000 && cp <= 0x3FFFF);  // CJK Extensions B and later
}

bool IsWordChar(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  }
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool IsLetter(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO;
}

// Combining marks belong to the character before them ("e" + U+0301 is "é").
bool IsMark(char32_t cp) {
  if (cp < 0x80) return false;
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC ||
         category == UTF8PROC_CATEGORY_ME;
}

bool IsDigit(char32_t cp) {
  return cp < 0x80 ? (cp >= '0' && cp <= '9')
                   : utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_ND;
}

}  // namespace

std::vector<std::string> StemmerLanguages() {
  std::vector<std::string> languages{"none"};
  for (const char** name = sb_stemmer_list(); *name != nullptr; ++name) {
    languages.emplace_back(*name);
  }
  std::sort(languages.begin() + 1, languages.end());
  languages.erase(std::unique(languages.begin(), languages.end()), languages.end());
  return languages;
}

std::vector<std::string> DefaultStopWords(std::string_view language) {
  if (language == "english" || language == "en" || language == "porter") {
    return {std::begin(kEnglishStopWords), std::end(kEnglishStopWords)};
  }
  throw InputError("no built-in stop word list for language '" + std::string(language) +
                   "' (supply one with --stop-words-file)");
}

Analyzer::Analyzer(AnalysisSettings settings) : settings_(std::move(settings)) {
  // English stems come from Fathom's own Snowball 3.0 Porter2, so they do not
  // change with the libstemmer release a system ships (Debian 12: 2.2.0).
  porter2_ = settings_.language == "english" || settings_.language == "en";
  if (settings_.language != "none" && !porter2_) {
    stemmer_ = sb_stemmer_new(settings_.language.c_str(), "UTF_8");
    if (stemmer_ == nullptr) {
      std::string known;
      for (const auto& name : StemmerLanguages()) known += (known.empty() ? "" : ", ") + name;
      throw InputError("unknown language '" + settings_.language + "' (known: " + known + ")");
    }
  }
  // Apostrophes join words in English ("don't", "Russia's"); in languages
  // with elision ("l'homme", "dell'anno") they separate the article.
  apostrophes_join_ = settings_.language == "none" || settings_.language == "english" ||
                      settings_.language == "porter" || settings_.language == "en";
  strip_possessive_ = settings_.language == "english" || settings_.language == "en" ||
                      settings_.language == "porter";
  stop_words_.insert(settings_.stop_words.begin(), settings_.stop_words.end());
}

Analyzer::~Analyzer() {
  if (stemmer_ != nullptr) sb_stemmer_delete(stemmer_);
}

Analyzer::Analyzer(Analyzer&& other) noexcept
    : settings_(std::move(other.settings_)),
      stemmer_(std::exchange(other.stemmer_, nullptr)),
      porter2_(other.porter2_),
      apostrophes_join_(other.apostrophes_join_),
      strip_possessive_(other.strip_possessive_),
      stop_words_(std::move(other.stop_words_)),
      text_(other.text_),
      cursor_(other.cursor_),
      last_word_end_(other.last_word_end_),
      next_position_(other.next_position_),
      truncated_words_(other.truncated_words_) {}

Analyzer& Analyzer::operator=(Analyzer&& other) noexcept {
  if (this != &other) {
    if (stemmer_ != nullptr) sb_stemmer_delete(stemmer_);
    settings_ = std::move(other.settings_);
    stemmer_ = std::exchange(other.stemmer_, nullptr);
    porter2_ = other.porter2_;
    apostrophes_join_ = other.apostrophes_join_;
    strip_possessive_ = other.strip_possessive_;
    stop_words_ = std::move(other.stop_words_);
    text_ = other.text_;
    cursor_ = other.cursor_;
    last_word_end_ = other.last_word_end_;
    next_position_ = other.next_position_;
    truncated_words_ = other.truncated_words_;
    stem_cache_.clear();  // stems of the old settings
    stem_cache_misses_ = 0;
  }
  return *this;
}

void Analyzer::Reset(std::string_view text, std::uint32_t first_position) {
  text_ = text;
  cursor_ = 0;
  last_word_end_ = kNoWordYet;
  next_position_ = first_position;
}

bool HoldsParagraphBreak(std::string_view text) {
  for (std::size_t at = text.find('\n'); at != std::string_view::npos;
       at = text.find('\n', at + 1)) {
    std::size_t next = at + 1;
    while (next < text.size() &&
           (text[next] == ' ' || text[next] == '\t' || text[next] == '\r' || text[next] == '\f')) {
      ++next;
    }
    if (next < text.size() && text[next] == '\n') return true;
  }
  return false;
}

// A word is a run of letters, marks and digits. Inside a run, a few
// connectors do not break it: an apostrophe between letters ("Russia’s"),
// a '.' or ',' between digits ("3.14", "1,000"), and the dots of a
// single-letter acronym ("U.S.", which becomes "US").
bool Analyzer::NextRawWord(RawWord& word) {
  const std::size_t size = text_.size();
  // Skip separators.
  while (cursor_ < size) {
    const utf8::Decoded d = utf8::DecodeAt(text_, cursor_);
    if (d.valid && IsWordChar(d.code_point)) break;
    cursor_ += d.length;
  }
  if (cursor_ >= size) return false;

  word.begin = static_cast<std::uint32_t>(cursor_);
  const utf8::Decoded first = utf8::DecodeAt(text_, cursor_);
  cursor_ += first.length;
  if (IsIdeographic(first.code_point)) {
    word.end = static_cast<std::uint32_t>(cursor_);
    return true;
  }
  char32_t previous = first.code_point;
  bool acronym = IsLetter(first.code_point);  // "X" or "X.Y" so far
  std::size_t letters_since_dot = 1;
  while (cursor_ < size) {
    const utf8::Decoded d = utf8::DecodeAt(text_, cursor_);
    if (!d.valid) break;
    const char32_t cp = d.code_point;
    if (IsWordChar(cp) && !IsIdeographic(cp)) {
      cursor_ += d.length;
      if (IsMark(cp)) continue;  // decomposed text behaves like composed text
      previous = cp;
      ++letters_since_dot;
      if (letters_since_dot > 1) acronym = false;
      continue;
    }
    // A connector joins only when a word character follows it.
    if (cursor_ + d.length >= size) break;
    const utf8::Decoded after = utf8::DecodeAt(text_, cursor_ + d.length);
    if (!after.valid) break;
    const char32_t next = after.code_point;
    bool joins = false;
    if (IsApostrophe(cp)) {
      joins = apostrophes_join_ && IsLetter(previous) && IsLetter(next);
    } else if (cp == '.' || cp == ',') {
      joins = IsDigit(previous) && IsDigit(next);
      if (!joins && cp == '.' && acronym && letters_since_dot == 1 && IsLetter(next)) {
        // "U.S": the letter after the dot must stand alone too.
        std::size_t next_end = cursor_ + d.length + after.length;
        while (next_end < size) {  // the letter's own combining marks
          const utf8::Decoded mark = utf8::DecodeAt(text_, next_end);
          if (!mark.valid || !IsMark(mark.code_point)) break;
          next_end += mark.length;
        }
        const bool alone =
            next_end >= size || !IsWordChar(utf8::DecodeAt(text_, next_end).code_point);
        joins = alone;
      }
    }
    if (!joins) break;
    cursor_ += d.length;
    letters_since_dot = 0;
    previous = cp;
  }
  word.end = static_cast<std::uint32_t>(cursor_);
  return true;
}

void Analyzer::Normalize(std::string_view raw, std::string& out) {
  out.clear();
  bool ascii = true;
  for (const char c : raw) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    for (const char c : raw) {
      if (c == '.' && !out.empty() && std::isalpha(static_cast<unsigned char>(out.back()))) {
        continue;  // acronym dot ("U.S" -> "us"); digit dots ("3.5") stay
      }
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c);
    }
  } else {
    utf8proc_uint8_t* folded = nullptr;
    const auto length = utf8proc_map(
        reinterpret_cast<const utf8proc_uint8_t*>(raw.data()),
        static_cast<utf8proc_ssize_t>(raw.size()), &folded,
        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
    if (length >= 0) {
      std::string_view view(reinterpret_cast<const char*>(folded),
                            static_cast<std::size_t>(length));
      bool after_letter = false;  // out.back() may be a continuation byte: track code points
      for (std::size_t pos = 0; pos < view.size();) {
        const utf8::Decoded d = utf8::DecodeAt(view, pos);
        if (IsApostrophe(d.code_point)) {
          out.push_back('\'');
        } else if (d.code_point == '.' && after_letter) {
          // acronym dot ("É.U" -> "éu")
        } else {
          out.append(view.substr(pos, d.length));
        }
        if (!IsMark(d.code_point)) after_letter = IsLetter(d.code_point);
        pos += d.length;
      }
    } else {
      out.assign(raw);
    }
    std::free(folded);
  }
  if (strip_possessive_) {
    if (out.size() > 2 && out.ends_with("'s")) {
      out.resize(out.size() - 2);
    }
  }
  // ASCII apostrophes were copied as is; a typographic one never reaches here
  // in the ASCII branch, so both spellings normalize to "'".
}

void Analyzer::StemUncached(const std::string& word, std::string& out) {
  if (porter2_) {
    out = Porter2Stem(word);
  } else if (stemmer_ != nullptr) {
    const sb_symbol* stemmed = sb_stemmer_stem(
        stemmer_, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (stemmed != nullptr) {
      out.assign(reinterpret_cast<const char*>(stemmed),
                 static_cast<std::size_t>(sb_stemmer_length(stemmer_)));
    } else {
      out = word;  // out of memory inside libstemmer: keep the word
    }
  } else {
    out = word;
  }
}

void Analyzer::Stem(const std::string& word, std::string& out) {
  if ((!porter2_ && stemmer_ == nullptr) || word.size() > kStemCacheMaxWord) {
    StemUncached(word, out);
    return;
  }
  if (stem_cache_.empty()) {
    if (++stems_without_cache_ <= kStemsBeforeCache) {
      StemUncached(word, out);
      return;
    }
    stem_cache_.resize(kStemCacheFirstEntries);
  }
  StemCacheEntry& entry =
      stem_cache_[std::hash<std::string_view>{}(word) & (stem_cache_.size() - 1)];
  if (entry.used && entry.word == word) {
    out = entry.stem;
    return;
  }
  StemUncached(word, out);
  entry.word = word;
  entry.stem = out;
  entry.used = true;
  if (++stem_cache_misses_ > 2 * stem_cache_.size() && stem_cache_.size() < kStemCacheMaxEntries) {
    // Larger, and empty again: its entries would sit elsewhere now.
    std::vector<StemCacheEntry>(2 * stem_cache_.size()).swap(stem_cache_);
    stem_cache_misses_ = 0;
  }
}

bool Analyzer::Next(Token& token) {
  RawWord raw;
  while (NextRawWord(raw)) {
    if (last_word_end_ != kNoWordYet && next_position_ < kMaxParagraphGapPosition &&
        HoldsParagraphBreak(text_.substr(last_word_end_, raw.begin - last_word_end_))) {
      next_position_ += kParagraphPositionGap;
    }
    last_word_end_ = raw.end;
    const std::uint32_t position = next_position_++;
    Normalize(text_.substr(raw.begin, raw.end - raw.begin), scratch_);
    if (!stop_words_.empty() && stop_words_.contains(scratch_)) continue;
    Stem(scratch_, token.term);
    if (token.term.size() > kMaxTermBytes) {
      token.term.resize(utf8::TruncationPoint(token.term, kMaxTermBytes));
      ++truncated_words_;
    }
    if (token.term.empty()) continue;
    token.position = position;
    token.begin = raw.begin;
    token.end = raw.end;
    return true;
  }
  return false;
}

std::vector<Token> Analyzer::AnalyzeAll(std::string_view text) {
  std::vector<Token> tokens;
  Reset(text);
  Token token;
  while (Next(token)) tokens.push_back(token);
  return tokens;
}

}  // namespace fathom
