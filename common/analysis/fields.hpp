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

// True for terms of the title field (and any future field), which word-level
// tools (spelling suggestions, prefix expansion) skip.
inline bool IsFieldTerm(std::string_view term) {
  return term.find(kFieldSeparator) != std::string_view::npos;
}

// The size rule: the most bytes the term may hold. A word holds at most
// kMaxTermBytes, a field term the longest field prefix more.
inline std::size_t MaxTermBytes(std::string_view term) {
  return IsFieldTerm(term) ? kMaxIndexedTermBytes : kMaxTermBytes;
}

}  // namespace fathom
