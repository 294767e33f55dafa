// Fields and the terms of the index. Every word of a document is indexed as
// its term; the words of the title are indexed a second time as
// field-qualified terms ("title:" + term, at the same positions), the way
// Lucene keeps one term space per field. That is what `title:kremlin`
// searches, and what lets a query weigh title matches apart from body
// matches. The analyzer never produces ':', so field terms cannot collide
// with words. The size rule of terms (docs/FORMAT.md, terms.dict) is here,
// for the analyzer, the writers, the checker and the tests alike.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace fathom {

inline constexpr std::string_view kTitleField = "title";
inline constexpr char kFieldSeparator = ':';
// Every field with a term space of its own.
inline constexpr std::string_view kFields[] = {kTitleField};

// Longest word term, in bytes: the analyzer cuts longer words at a code
// point boundary.
inline constexpr std::size_t kMaxTermBytes = 255;
// Longest field prefix ("title:"), in bytes.
inline constexpr std::size_t kMaxFieldPrefixBytes = [] {
  std::size_t longest = 0;
  for (const std::string_view field : kFields) longest = std::max(longest, field.size() + 1);
  return longest;
}();
// Longest term of any kind: a longest word behind a longest field prefix.
inline constexpr std::size_t kMaxIndexedTermBytes = kMaxFieldPrefixBytes + kMaxTermBytes;

inline std::string FieldTerm(std::string_view field, std::string_view term) {
  std::string qualified;
  qualified.reserve(field.size() + 1 + term.size());
  qualified.append(field);
  qualified.push_back(kFieldSeparator);
  qualified.append(term);
  return qualified;
}

// True for terms of the title field (and any future field), and for word
// pairs (below): the terms word-level tools (spelling suggestions, prefix
// expansion) skip.
inline bool IsFieldTerm(std::string_view term) {
  return term.find(kFieldSeparator) != std::string_view::npos;
}

// Word pairs (format 12). Where two of a language's pair words follow each
// other (positions p and p + 1), the pair is indexed a second time as one
// term, "pair:" + first + " " + second, at p. A phrase's adjacent pair words
// are then one list, far shorter than either word's: "of the" is as many
// documents as hold the phrase, not every document holding "of" and "the".
// The idea is Williams, Zobel and Bahle's combined index (2004), as Solr's
// CommonGrams. The pairs are exact (the analyzer never produces a space), so
// a phrase matched through them finds what it would find through the words.
// The words are few, and the most frequent of the language, since each
// pair list costs index bytes (bench/README.md, "Word pairs"). The list is
// part of the format: a reader takes it from the index's language.
inline constexpr std::string_view kPairPrefix = "pair:";
inline constexpr std::string_view kEnglishPairWords[] = {"the", "of", "and", "in"};

// The pair words of an analysis language (its analyzed terms); none for
// languages without a list.
inline std::span<const std::string_view> PairWords(std::string_view language) {
  if (language == "english" || language == "en" || language == "porter") return kEnglishPairWords;
  return {};
}

inline bool IsPairWord(std::span<const std::string_view> pair_words, std::string_view term) {
  for (const std::string_view word : pair_words) {
    if (word == term) return true;
  }
  return false;
}

inline std::string PairTerm(std::string_view first, std::string_view second) {
  std::string pair;
  pair.reserve(kPairPrefix.size() + first.size() + 1 + second.size());
  pair.append(kPairPrefix);
  pair.append(first);
  pair.push_back(' ');
  pair.append(second);
  return pair;
}

inline bool IsPairTerm(std::string_view term) { return term.starts_with(kPairPrefix); }

// The size rule: the most bytes the term may hold. A word holds at most
// kMaxTermBytes, a field term the longest field prefix more.
inline std::size_t MaxTermBytes(std::string_view term) {
  return IsFieldTerm(term) ? kMaxIndexedTermBytes : kMaxTermBytes;
}

}  // namespace fathom
