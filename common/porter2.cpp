#include "common/porter2.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <utility>

#include "common/utf8.hpp"

namespace fathom {
namespace {

// The word as code points: Snowball's UTF-8 stemmer counts characters, not
// bytes, in its "hop" tests (word length, "ies" after two letters).
using Word = std::u32string;
using Suffix = std::u32string_view;

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

bool IsVowel(char32_t c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}
// Snowball's v_WXY: vowels plus w, x and Y (a consonant y), which never end
// a short syllable.
bool IsVowelWxy(char32_t c) { return IsVowel(c) || c == 'w' || c == 'x' || c == 'Y'; }
bool IsValidLi(char32_t c) { return Suffix(U"cdeghkmnrt").find(c) != Suffix::npos; }

bool EndsWith(const Word& w, std::size_t end, Suffix s) {
  return end >= s.size() && Suffix(w).substr(end - s.size(), s.size()) == s;
}
bool EndsWith(const Word& w, Suffix s) { return EndsWith(w, w.size(), s); }

void ReplaceSuffix(Word& w, std::size_t length, Suffix with) {
  w.replace(w.size() - length, length, with);
}

// The longest of the candidates the word ends with (Snowball's among), or -1.
template <std::size_t N>
int LongestSuffix(const Word& w, const std::array<Suffix, N>& candidates) {
  int best = -1;
  for (std::size_t i = 0; i < N; ++i) {
    if (EndsWith(w, candidates[i]) &&
        (best < 0 || candidates[i].size() > candidates[static_cast<std::size_t>(best)].size())) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

class Stemmer {
 public:
  // Stems word in place.
  explicit Stemmer(Word& word) : w_(word) {}

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
    for (char32_t& c : w_) {
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
    return EndsWith(w_, end, U"past");
  }

  void Prelude() {
    if (!w_.empty() && w_[0] == '\'') w_.erase(0, 1);
    for (std::size_t i = 0; i < w_.size(); ++i) {
      if (w_[i] == 'y' && (i == 0 || IsVowel(w_[i - 1]))) w_[i] = 'Y';
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
    constexpr std::array<Suffix, 9> kPrefixes = {U"gener", U"commun", U"arsen", U"past", U"univers",
                                                 U"later", U"emerg",  U"organ", U"inter"};
    p1_ = std::string_view::npos;
    for (const Suffix prefix : kPrefixes) {
      if (Suffix(w_).substr(0, prefix.size()) == prefix) p1_ = prefix.size();
    }
    if (p1_ == std::string_view::npos) p1_ = RegionAfter(0);
    p2_ = RegionAfter(p1_);
  }

  void Step1a() {
    constexpr std::array<Suffix, 3> kApostrophes = {U"'", U"'s", U"'s'"};
    if (const int i = LongestSuffix(w_, kApostrophes); i >= 0) {
      w_.resize(w_.size() - kApostrophes[static_cast<std::size_t>(i)].size());
    }
    constexpr std::array<Suffix, 6> kSuffixes = {U"sses", U"ied", U"ies", U"s", U"us", U"ss"};
    const int i = LongestSuffix(w_, kSuffixes);
    if (i < 0) return;
    const Suffix suffix = kSuffixes[static_cast<std::size_t>(i)];
    const std::size_t start = w_.size() - suffix.size();
    if (suffix == U"sses") {
      ReplaceSuffix(w_, 4, U"ss");
    } else if (suffix == U"ied" || suffix == U"ies") {
      ReplaceSuffix(w_, 3, start >= 2 ? U"i" : U"ie");
    } else if (suffix == U"s") {
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
    constexpr std::array<Suffix, 6> kSuffixes = {U"eed",  U"eedly", U"ed",
                                                 U"edly", U"ing",   U"ingly"};
    const int i = LongestSuffix(w_, kSuffixes);
    if (i < 0) return;
    const Suffix suffix = kSuffixes[static_cast<std::size_t>(i)];
    const std::size_t start = w_.size() - suffix.size();
    const Suffix stem = Suffix(w_).substr(0, start);
    if (suffix == U"eed" || suffix == U"eedly") {
      if (stem == U"proc" || stem == U"exc" || stem == U"succ") return;
      if (InR1(start)) ReplaceSuffix(w_, suffix.size(), U"ee");
      return;
    }
    if (suffix == U"ing") {
      // dying -> die, lying -> lie, tying -> tie, vying -> vie.
      if (stem.size() == 2 && stem[1] == 'y' && !IsVowel(stem[0])) {
        w_ = stem.substr(0, 1);
        w_ += U"ie";
        return;
      }
      if (stem == U"inn" || stem == U"out" || stem == U"cann" || stem == U"herr" ||
          stem == U"earr" || stem == U"even") {
        return;
      }
    }
    bool vowel = false;
    for (const char32_t c : stem) vowel = vowel || IsVowel(c);
    if (!vowel) return;
    w_.resize(start);
    if (EndsWith(w_, U"at") || EndsWith(w_, U"bl") || EndsWith(w_, U"iz")) {
      w_ += U"e";
      return;
    }
    const std::size_t n = w_.size();
    constexpr Suffix kDoubles = U"bdfgmnprt";
    if (n >= 2 && w_[n - 1] == w_[n - 2] && kDoubles.find(w_[n - 1]) != Suffix::npos) {
      // Undouble (hopp -> hop), except after a lone a, e or o (add, ebb, err, off).
      const bool lone_aeo = n == 3 && Suffix(U"aeo").find(w_[0]) != Suffix::npos;
      if (!lone_aeo) w_.pop_back();
      return;
    }
    if (n == p1_ && ShortSyllableEndsAt(n)) w_ += U"e";
  }

  void Step1c() {
    const std::size_t n = w_.size();
    if (n >= 3 && (w_[n - 1] == 'y' || w_[n - 1] == 'Y') && !IsVowel(w_[n - 2])) {
      w_[n - 1] = 'i';
    }
  }

  void Step2() {
    static constexpr std::array<std::pair<Suffix, Suffix>, 25> kRules = {{
        {U"tional", U"tion"}, {U"enci", U"ence"},   {U"anci", U"ance"},   {U"abli", U"able"},
        {U"entli", U"ent"},   {U"izer", U"ize"},    {U"ization", U"ize"}, {U"ational", U"ate"},
        {U"ation", U"ate"},   {U"ator", U"ate"},    {U"alism", U"al"},    {U"aliti", U"al"},
        {U"alli", U"al"},     {U"fulness", U"ful"}, {U"ousli", U"ous"},   {U"ousness", U"ous"},
        {U"iveness", U"ive"}, {U"iviti", U"ive"},   {U"biliti", U"ble"},  {U"bli", U"ble"},
        {U"ogist", U"og"},    {U"ogi", U"og"},      {U"fulli", U"ful"},   {U"lessli", U"less"},
        {U"li", U""},
    }};
    const auto [suffix, replacement] = Longest(kRules);
    if (suffix.empty()) return;
    const std::size_t start = w_.size() - suffix.size();
    if (!InR1(start)) return;
    if (suffix == U"ogi") {
      if (start == 0 || w_[start - 1] != 'l') return;
    } else if (suffix == U"li") {
      if (start == 0 || !IsValidLi(w_[start - 1])) return;
    }
    ReplaceSuffix(w_, suffix.size(), replacement);
  }

  void Step3() {
    static constexpr std::array<std::pair<Suffix, Suffix>, 9> kRules = {{
        {U"tional", U"tion"},
        {U"ational", U"ate"},
        {U"alize", U"al"},
        {U"icate", U"ic"},
        {U"iciti", U"ic"},
        {U"ical", U"ic"},
        {U"ful", U""},
        {U"ness", U""},
        {U"ative", U""},
    }};
    const auto [suffix, replacement] = Longest(kRules);
    if (suffix.empty()) return;
    const std::size_t start = w_.size() - suffix.size();
    if (!InR1(start)) return;
    if (suffix == U"ative" && !InR2(start)) return;
    ReplaceSuffix(w_, suffix.size(), replacement);
  }

  void Step4() {
    static constexpr std::array<std::pair<Suffix, Suffix>, 18> kRules = {{
        {U"al", U""},
        {U"ance", U""},
        {U"ence", U""},
        {U"er", U""},
        {U"ic", U""},
        {U"able", U""},
        {U"ible", U""},
        {U"ant", U""},
        {U"ement", U""},
        {U"ment", U""},
        {U"ent", U""},
        {U"ism", U""},
        {U"ate", U""},
        {U"iti", U""},
        {U"ous", U""},
        {U"ive", U""},
        {U"ize", U""},
        {U"ion", U""},
    }};
    const auto [suffix, replacement] = Longest(kRules);
    if (suffix.empty()) return;
    const std::size_t start = w_.size() - suffix.size();
    if (!InR2(start)) return;
    if (suffix == U"ion" && (start == 0 || (w_[start - 1] != 's' && w_[start - 1] != 't'))) {
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

  Word& w_;
  std::size_t p1_ = 0;
  std::size_t p2_ = 0;
};

// Whole words the algorithm does not touch or maps specially (exception1).
bool Exception(const Word& w, Word& out) {
  static constexpr std::array<std::pair<Suffix, Suffix>, 15> kExceptions = {{
      {U"skis", U"ski"},
      {U"skies", U"sky"},
      {U"idly", U"idl"},
      {U"gently", U"gentl"},
      {U"ugly", U"ugli"},
      {U"early", U"earli"},
      {U"only", U"onli"},
      {U"singly", U"singl"},
      {U"sky", U"sky"},
      {U"news", U"news"},
      {U"howe", U"howe"},
      {U"atlas", U"atlas"},
      {U"cosmos", U"cosmos"},
      {U"bias", U"bias"},
      {U"andes", U"andes"},
  }};
  for (const auto& [word, stem] : kExceptions) {
    if (Suffix(w) == word) {
      out = stem;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string Porter2Stem(std::string_view word) {
  Word w = Decode(word);
  Word exception;
  if (Exception(w, exception)) return Encode(exception);
  if (w.size() < 3) return std::string(word);
  Stemmer(w).Run();
  return Encode(w);
}

}  // namespace fathom
