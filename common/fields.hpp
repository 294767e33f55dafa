// Fields. Every word of a document is indexed as its term; the words of the
// title are indexed a second time as field-qualified terms ("title:" + term,
// at the same positions), the way Lucene keeps one term space per field.
// That is what `title:kremlin` searches, and what lets a query weigh title
// matches apart from body matches. The analyzer never produces ':', so field
// terms cannot collide with words.
#pragma once

#include <string>
#include <string_view>

namespace fathom {

inline constexpr std::string_view kTitleField = "title";
inline constexpr char kFieldSeparator = ':';

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

}  // namespace fathom
