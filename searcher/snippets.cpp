#include "searcher/snippets.hpp"

#include <unordered_map>
#include <vector>

#include "common/utf8.hpp"

namespace fathom {
namespace {

const char* const kEllipsis = "\u2026";

// Appends text with runs of white space and control characters collapsed
// into single spaces.
void AppendCollapsed(std::string& out, std::string_view text) {
  bool pending_space = false;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == ' ') {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty() && out.back() != ' ') out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  if (pending_space && !out.empty() && out.back() != ' ') out.push_back(' ');
}

}  // namespace

std::string OneLine(std::string_view text, std::size_t max_bytes) {
  std::string out;
  const std::size_t cut = utf8::TruncationPoint(text, max_bytes);
  AppendCollapsed(out, text.substr(0, cut));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  std::size_t start = 0;
  while (start < out.size() && out[start] == ' ') ++start;
  out.erase(0, start);
  if (cut < text.size()) out += kEllipsis;
  return out;
}

std::string MakeSnippet(std::string_view text, const std::unordered_set<std::string>& terms,
                        Analyzer& analyzer, const HighlightStyle& style,
                        const SnippetOptions& options) {
  const std::string_view scanned =
      text.substr(0, utf8::TruncationPoint(text, options.max_scanned_bytes));
  std::vector<Token> tokens = analyzer.AnalyzeAll(scanned);
  if (tokens.empty()) return OneLine(text, 200);

  const std::size_t window = std::max<std::size_t>(1, options.window_words);
  std::vector<bool> is_match(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) is_match[i] = terms.contains(tokens[i].term);

  // Sliding window: distinct matched terms first, then total matches.
  std::unordered_map<std::string_view, std::size_t> in_window;
  std::size_t matches = 0;
  std::size_t best_start = 0, best_distinct = 0, best_matches = 0;
  for (std::size_t end = 0; end < tokens.size(); ++end) {
    if (is_match[end]) {
      ++in_window[tokens[end].term];
      ++matches;
    }
    if (end >= window) {
      const std::size_t leaving = end - window;
      if (is_match[leaving]) {
        auto it = in_window.find(tokens[leaving].term);
        if (--it->second == 0) in_window.erase(it);
        --matches;
      }
    }
    const std::size_t start = end + 1 >= window ? end + 1 - window : 0;
    if (in_window.size() > best_distinct ||
        (in_window.size() == best_distinct && matches > best_matches)) {
      best_distinct = in_window.size();
      best_matches = matches;
      best_start = start;
    }
  }
  std::size_t first = best_start;
  std::size_t last = std::min(tokens.size(), best_start + window);  // exclusive
  // Show a few words of context before the first match.
  if (best_distinct > 0) {
    std::size_t first_match = first;
    while (first_match < last && !is_match[first_match]) ++first_match;
    const std::size_t lead = std::min<std::size_t>(5, first_match);
    if (first_match - first < lead) {
      const std::size_t shift = lead - (first_match - first);
      first -= std::min(first, shift);
      last = std::min(tokens.size(), first + window);
    }
  }

  std::string out;
  if (first > 0) out += kEllipsis;
  std::size_t previous_end = tokens[first].begin;
  bool open = false;  // a highlight is open: adjacent matches share one
  for (std::size_t i = first; i < last; ++i) {
    const std::string_view gap = scanned.substr(previous_end, tokens[i].begin - previous_end);
    const bool only_space = gap.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (open && !(is_match[i] && only_space)) {
      out += style.end;
      open = false;
    }
    AppendCollapsed(out, gap);
    if (is_match[i] && !open) {
      out += style.begin;
      open = true;
    }
    out += scanned.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
    previous_end = tokens[i].end;
  }
  if (open) out += style.end;
  if (last < tokens.size() || scanned.size() < text.size()) {
    out += kEllipsis;
  } else {
    // Keep closing punctuation after the last word (". " or "”").
    std::string_view rest = scanned.substr(previous_end);
    rest = rest.substr(0, utf8::TruncationPoint(rest, 8));
    std::string tail;
    AppendCollapsed(tail, rest);
    out += tail.substr(0, tail.find(' '));
  }
  return out;
}

}  // namespace fathom
