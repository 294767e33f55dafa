#include "indexer/corpus/trec_sgml.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

namespace fathom {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\f\v";

std::string_view Trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = s.find_last_not_of(kWhitespace);
  return s.substr(first, last - first + 1);
}

// Finds "<NAME>" or "<NAME attr...>" at or after `from`; returns the
// position just after its '>' in `content_begin` and the position of the
// closing "</NAME>" in `content_end`. False when absent or unclosed.
bool FindElement(std::string_view doc, std::string_view name, std::size_t from,
                 std::size_t& content_begin, std::size_t& content_end) {
  const std::string open = "<" + std::string(name);
  const std::string close = "</" + std::string(name) + ">";
  std::size_t pos = from;
  while ((pos = doc.find(open, pos)) != std::string_view::npos) {
    const std::size_t after = pos + open.size();
    if (after < doc.size() &&
        (doc[after] == '>' || kWhitespace.find(doc[after]) != std::string_view::npos)) {
      const std::size_t gt = doc.find('>', after);
      if (gt == std::string_view::npos) return false;
      const std::size_t end = doc.find(close, gt + 1);
      if (end == std::string_view::npos) return false;
      content_begin = gt + 1;
      content_end = end;
      return true;
    }
    pos = after;
  }
  return false;
}

// Element text with inner tags (<P>, <F P=105>...) removed.
std::string StripTags(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      const std::size_t gt = s.find('>', i);
      if (gt == std::string_view::npos) break;
      out += ' ';
      i = gt;
    } else {
      out += s[i];
    }
  }
  return out;
}

constexpr std::array<std::string_view, 4> kTitleTags = {"HEADLINE", "HEAD", "TITLE", "HL"};
constexpr std::array<std::string_view, 8> kBodyTags = {"HEADLINE", "HEAD",     "TITLE", "HL",
                                                       "TEXT",     "LEADPARA", "LP",    "GRAPHIC"};

}  // namespace

bool LooksLikeTrecSgml(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kWhitespace);
  return first != std::string_view::npos && text.substr(first).starts_with("<DOC>");
}

std::vector<SourceDocument> ParseTrecSgml(std::string_view text, const std::string& file,
                                          const WarningSink& warn) {
  std::vector<SourceDocument> documents;
  constexpr std::string_view kOpen = "<DOC>";
  constexpr std::string_view kClose = "</DOC>";
  std::size_t pos = 0;
  while ((pos = text.find(kOpen, pos)) != std::string_view::npos) {
    const std::size_t begin = pos + kOpen.size();
    // </DOC> is looked for only up to the next <DOC>, so a file of many
    // unclosed DOCs is read in linear time, not quadratic.
    const std::size_t next_open = text.find(kOpen, begin);
    const std::string_view rest = text.substr(
        begin, next_open == std::string_view::npos ? std::string_view::npos : next_open - begin);
    const std::size_t close = rest.find(kClose);
    const std::size_t end = close == std::string_view::npos ? close : begin + close;
    if (end == std::string_view::npos) {
      // An unterminated DOC: skip to the next <DOC>, which starts afresh.
      warn(file + ": byte " + std::to_string(pos) + ": <DOC> without </DOC>, skipped");
      if (next_open == std::string_view::npos) break;
      pos = next_open;
      continue;
    }
    const std::string_view doc = text.substr(begin, end - begin);
    pos = end + kClose.size();

    std::size_t cb = 0;
    std::size_t ce = 0;
    std::string_view id;
    if (FindElement(doc, "DOCNO", 0, cb, ce)) id = Trim(doc.substr(cb, ce - cb));
    if (id.empty()) {
      warn(file + ": byte " + std::to_string(begin - kOpen.size()) +
           ": <DOC> without a <DOCNO>, skipped");
      continue;
    }
    SourceDocument document;
    document.id = std::string(id);
    std::string_view title_tag;
    std::size_t title_begin = 0;
    for (std::string_view tag : kTitleTags) {
      if (FindElement(doc, tag, 0, cb, ce)) {
        std::string title = StripTags(doc.substr(cb, ce - cb));
        document.title = std::string(Trim(title));
        if (!document.title.empty()) {
          title_tag = tag;
          title_begin = cb;
          break;
        }
      }
    }
    // Parts in the order they appear in the DOC, whatever their tag.
    std::vector<std::pair<std::size_t, std::string>> parts;
    for (std::string_view tag : kBodyTags) {
      std::size_t from = 0;
      while (FindElement(doc, tag, from, cb, ce)) {
        from = ce;
        if (tag == title_tag && cb == title_begin) continue;  // already the title
        const std::string part = StripTags(doc.substr(cb, ce - cb));
        const std::string_view trimmed = Trim(part);
        if (!trimmed.empty()) parts.emplace_back(cb, std::string(trimmed));
      }
    }
    std::sort(parts.begin(), parts.end());
    for (auto& [offset, part] : parts) {
      if (!document.body.empty()) document.body += "\n\n";
      document.body += part;
    }
    documents.push_back(std::move(document));
  }
  return documents;
}

}  // namespace fathom
