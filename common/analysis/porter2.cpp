#include "common/analysis/porter2.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <utility>

#include "common/analysis/utf8.hpp"

namespace fathom {
namespace {

// Snowball's UTF-8 stemmer counts characters, not bytes, in its "hop" tests
// (word length, "ies" after two letters), so a non-ASCII word is stemmed as
// code points; an ASCII word, the common case, as its bytes. Every suffix
// and letter the algorithm tests is ASCII.
using Word = std::u32string;
using Suffix = std::string_view;

// Malformed bytes (never produced by the analyzer) survive the round trip as
// lone surrogates, which no valid UTF-8 decodes to.
constexpr char32_t kRawByteBase = 0xDC00;

Word Decode(std::string_view text) {
  Word word;
  for (std::size_t pos = 0; pos < text.size();) {
    const utf8::Decoded d = utf8::DecodeAt(text, pos);
    word.push_back(d.valid ? d.code_point : kRawByteBase + static_cast<unsigned char>(text[pos]));
    pos += d.length;
  }
  return word;
}

std::string Encode(const Word& word) {
  std::string out;
  for (const char32_t c : word) {
    if (c >= kRawByteBase && c < kRawByteBase + 0x100) {
      out.push_back(static_cast<char>(c - kRawByteBase));
    } else {
      utf8::Append(out, c);
    }
  }
  return out;
}

template <typename Char>
bool IsVowel(Char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}
// Snowball's v_WXY: vowels plus w, x and Y (a consonant y), which never end
// a short syllable.
template <typename Char>
bool IsVowelWxy(Char c) {
  return IsVowel(c) || c == 'w' || c == 'x' || c == 'Y';
}
template <typename Char>
bool IsOneOf(Char c, Suffix letters) {
  for (const char letter : letters) {
    if (c == static_cast<Char>(letter)) return true;
  }
  return false;
}

// Whether w[0, end) ends with s (ASCII).
template <typename String>
bool EndsWith(const String& w, std::size_t end, Suffix s) {
  if (end < s.size()) return false;
  const std::size_t start = end - s.size();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (w[start + i] != static_cast<typename String::value_type>(s[i])) return false;
  }
  return true;
}
template <typename String>
bool EndsWith(const String& w, Suffix s) {
  return EndsWith(w, w.size(), s);
}
template <typename String>
bool Equals(const String& w, std::size_t length, Suffix s) {
  return length == s.size() && EndsWith(w, length, s);
}

template <typename String>
void ReplaceSuffix(String& w, std::size_t length, Suffix with) {
  w.resize(w.size() - length);
  for (const char c : with) w.push_back(static_cast<typename String::value_type>(c));
}

// The longest of the candidates the word ends with (Snowball's among), or -1.
template <typename String, std::size_t N>
int LongestSuffix(const String& w, const std::array<Suffix, N>& candidates) {
  int best = -1;
  for (std::size_t i = 0; i < N; ++i) {
    if (EndsWith(w, candidates[i]) &&
        (best < 0 || candidates[i].size() > candidates[static_cast<std::size_t>(best)].size())) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

template <typename String>
class Stemmer {
 public:
  using Char = typename String::value_type;

  // Stems word in place.
  explicit Stemmer(String& word) : w_(word) {}

  void Run() {
    Prelude();
    MarkRegions();
    Step1a();
    Step1b();
    Step1c();
    Step2();
    Step3();
    Step4();
    Step5();
    if (!y_found_) return;  // an input 'Y' stays, as in Snowball
    for (Char& c : w_) {
      if (c == 'Y') c = 'y';
    }
  }

 private:
  bool InR1(std::size_t pos) const { return p1_ <= pos; }
  bool InR2(std::size_t pos) const { return p2_ <= pos; }

  // A short syllable ends at end: consonant, vowel, consonant other than w,
  // x or Y; or vowel, consonant at the start of the word; or "past" (pasted,
  // pasting).
  bool ShortSyllableEndsAt(std::size_t end) const {
    if (end >= 3 && !IsVowelWxy(w_[end - 1]) && IsVowel(w_[end - 2]) && !IsVowel(w_[end - 3])) {
      return true;
    }
    if (end == 2 && !IsVowel(w_[1]) && IsVowel(w_[0])) return true;
    return EndsWith(w_, end, "past");
  }

  void Prelude() {
    if (!w_.empty() && w_[0] == '\'') w_.erase(0, 1);
    for (std::size_t i = 0; i < w_.size(); ++i) {
      if (w_[i] == 'y' && (i == 0 || IsVowel(w_[i - 1]))) {
        w_[i] = 'Y';
        y_found_ = true;
      }
    }
  }

  // Position after the first consonant that follows a vowel, from start.
  std::size_t RegionAfter(std::size_t start) const {
    std::size_t i = start;
    while (i < w_.size() && !IsVowel(w_[i])) ++i;
    while (i < w_.size() && IsVowel(w_[i])) ++i;
    return i < w_.size() ? i + 1 : w_.size();
  }

  void MarkRegions() {
    // Words whose R1 starts after a longer prefix than the rule gives.
    constexpr std::array<Suffix, 9> kPrefixes = {"gener", "commun", "arsen", "past", "univers",
                                                 "later", "emerg",  "organ", "inter"};
    p1_ = std::string_view::npos;
    for (const Suffix prefix : kPrefixes) {
      if (w_.size() >= prefix.size() && EndsWith(w_, prefix.size(), prefix)) p1_ = prefix.size();
    }
    if (p1_ == std::string_view::npos) p1_ = RegionAfter(0);
    p2_ = RegionAfter(p1_);
  }

  void Step1a() {
    constexpr std::array<Suffix, 3> kApostrophes = {"'", "'s", "'s'"};
    if (const int i = LongestSuffix(w_, kApostrophes); i >= 0) {
      w_.resize(w_.size() - kApostrophes[static_cast<std::size_t>(i)].size());
    }
    constexpr std::array<Suffix, 6> kSuffixes = {"sses", "ied", "ies", "s", "us", "ss"};
    const int i = LongestSuffix(w_, kSuffixes);
    if (i < 0) return;
    const Suffix suffix = kSuffixes[static_cast<std::size_t>(i)];
    const std::size_t start = w_.size() - suffix.size();
    if (suffix == "sses") {
      ReplaceSuffix(w_, 4, "ss");
    } else if (suffix == "ied" || suffix == "ies") {
      ReplaceSuffix(w_, 3, start >= 2 ? "i" : "ie");
    } else if (suffix == "s") {
      // Delete when a vowel comes before the letter preceding the s.
      for (std::size_t j = 0; j + 1 < start; ++j) {
        if (IsVowel(w_[j])) {
          w_.pop_back();
          return;
        }
      }
    }
  }

  void Step1b() {
    constexpr std::array<Suffix, 6> kSuffixes = {"eed", "eedly", "ed", "edly", "ing", "ingly"};
    const int i = LongestSuffix(w_, kSuffixes);
    if (i < 0) return;
    const Suffix suffix = kSuffixes[static_cast<std::size_t>(i)];
    const std::size_t start = w_.size() - suffix.size();
    if (suffix == "eed" || suffix == "eedly") {
      if (Equals(w_, start, "proc") || Equals(w_, start, "exc") || Equals(w_, start, "succ")) {
        return;
      }
      if (InR1(start)) ReplaceSuffix(w_, suffix.size(), "ee");
      return;
    }
    if (suffix == "ing") {
      // dying -> die, lying -> lie, tying -> tie, vying -> vie.
      if (start == 2 && w_[1] == 'y' && !IsVowel(w_[0])) {
        ReplaceSuffix(w_, 4, "ie");
        return;
      }
      for (const Suffix whole : {"inn", "out", "cann", "herr", "earr", "even"}) {
        if (Equals(w_, start, whole)) return;
      }
    }
    bool vowel = false;
    for (std::size_t j = 0; j < start; ++j) vowel = vowel || IsVowel(w_[j]);
    if (!vowel) return;
    w_.resize(start);
    if (EndsWith(w_, "at") || EndsWith(w_, "bl") || EndsWith(w_, "iz")) {
      w_.push_back('e');
      return;
    }
    const std::size_t n = w_.size();
    constexpr Suffix kDoubles = "bdfgmnprt";
    if (n >= 2 && w_[n - 1] == w_[n - 2] && IsOneOf(w_[n - 1], kDoubles)) {
      // Undouble (hopp -> hop), except after a lone a, e or o (add, ebb, err, off).
      const bool lone_aeo = n == 3 && IsOneOf(w_[0], "aeo");
      if (!lone_aeo) w_.pop_back();
      return;
    }
    if (n == p1_ && ShortSyllableEndsAt(n)) w_.push_back('e');
  }

  void Step1c() {
    const std::size_t n = w_.size();
    if (n >= 3 && (w_[n - 1] == 'y' || w_[n - 1] == 'Y') && !IsVowel(w_[n - 2])) {
      w_[n - 1] = 'i';
    }
  }

  void Step2() {
    static constexpr std::array<std::pair<Suffix, Suffix>, 25> kRules = {{
        {"tional", "tion"}, {"enci", "ence"},   {"anci", "ance"},   {"abli", "able"},
        {"entli", "ent"},   {"izer", "ize"},    {"ization", "ize"}, {"ational", "ate"},
        {"ation", "ate"},   {"ator", "ate"},    {"alism", "al"},    {"aliti", "al"},
        {"alli", "al"},     {"fulness", "ful"}, {"ousli", "ous"},   {"ousness", "ous"},
        {"iveness", "ive"}, {"iviti", "ive"},   {"biliti", "ble"},  {"bli", "ble"},
        {"ogist", "og"},    {"ogi", "og"},      {"fulli", "ful"},   {"lessli", "less"},
        {"li", ""},
    }};
    const auto [suffix, replacement] = Longest(kRules);
    if (suffix.empty()) return;
    const std::size_t start = w_.size() - suffix.size();
    if (!InR1(start)) return;
    if (suffix == "ogi") {
      if (start == 0 || w_[start - 1] != 'l') return;
    } else if (suffix == "li") {
      if (start == 0 || !IsOneOf(w_[start - 1], "cdeghkmnrt")) return;
    }
    ReplaceSuffix(w_, suffix.size(), replacement);
  }

  void Step3() {
    static constexpr std::array<std::pair<Suffix, Suffix>, 9> kRules = {{
        {"tional", "tion"},
        {"ational", "ate"},
        {"alize", "al"},
        {"icate", "ic"},
        {"iciti", "ic"},
        {"ical", "ic"},
        {"ful", ""},
        {"ness", ""},
        {"ative", ""},
    }};
    const auto [suffix, replacement] = Longest(kRules);
    if (suffix.empty()) return;
    const std::size_t start = w_.size() - suffix.size();
    if (!InR1(start)) return;
    if (suffix == "ative" && !InR2(start)) return;
    ReplaceSuffix(w_, suffix.size(), replacement);
  }

  void Step4() {
    static constexpr std::array<std::pair<Suffix, Suffix>, 18> kRules = {{
        {"al", ""},
        {"ance", ""},
        {"ence", ""},
        {"er", ""},
        {"ic", ""},
        {"able", ""},
        {"ible", ""},
        {"ant", ""},
        {"ement", ""},
        {"ment", ""},
        {"ent", ""},
        {"ism", ""},
        {"ate", ""},
        {"iti", ""},
        {"ous", ""},
        {"ive", ""},
        {"ize", ""},
        {"ion", ""},
    }};
    const auto [suffix, replacement] = Longest(kRules);
    if (suffix.empty()) return;
    const std::size_t start = w_.size() - suffix.size();
    if (!InR2(start)) return;
    if (suffix == "ion" && (start == 0 || (w_[start - 1] != 's' && w_[start - 1] != 't'))) {
      return;
    }
    ReplaceSuffix(w_, suffix.size(), replacement);
  }

  void Step5() {
    const std::size_t n = w_.size();
    if (n == 0) return;
    if (w_[n - 1] == 'e') {
      if (InR2(n - 1) || (InR1(n - 1) && !ShortSyllableEndsAt(n - 1))) w_.pop_back();
    } else if (w_[n - 1] == 'l') {
      if (InR2(n - 1) && n >= 2 && w_[n - 2] == 'l') w_.pop_back();
    }
  }

  // The longest rule whose suffix ends the word ({"", ""} when none does).
  template <std::size_t N>
  std::pair<Suffix, Suffix> Longest(const std::array<std::pair<Suffix, Suffix>, N>& rules) const {
    std::pair<Suffix, Suffix> best;
    for (const auto& rule : rules) {
      if (EndsWith(w_, rule.first) && rule.first.size() > best.first.size()) best = rule;
    }
    return best;
  }

  String& w_;
  bool y_found_ = false;  // a consonant y was marked 'Y'
  std::size_t p1_ = 0;
  std::size_t p2_ = 0;
};

// Whole words the algorithm does not touch or maps specially (exception1).
const char* Exception(std::string_view word) {
  static constexpr std::array<std::pair<Suffix, const char*>, 15> kExceptions = {{
      {"skis", "ski"},
      {"skies", "sky"},
      {"idly", "idl"},
      {"gently", "gentl"},
      {"ugly", "ugli"},
      {"early", "earli"},
      {"only", "onli"},
      {"singly", "singl"},
      {"sky", "sky"},
      {"news", "news"},
      {"howe", "howe"},
      {"atlas", "atlas"},
      {"cosmos", "cosmos"},
      {"bias", "bias"},
      {"andes", "andes"},
  }};
  for (const auto& [whole, stem] : kExceptions) {
    if (word == whole) return stem;
  }
  return nullptr;
}

}  // namespace

std::string Porter2Stem(std::string_view word) {
  if (const char* stem = Exception(word)) return stem;
  bool ascii = true;
  for (const char c : word) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    std::string w(word);
    if (w.size() >= 3) Stemmer<std::string>(w).Run();
    return w;
  }
  Word w = Decode(word);
  if (w.size() < 3) return std::string(word);
  Stemmer<Word>(w).Run();
  return Encode(w);
}

}  // namespace fathom
