#include "searcher/present/snippets.hpp"

#include <algorithm>
#include <unordered_map>

#include "common/analysis/fields.hpp"
#include "common/analysis/utf8.hpp"

namespace fathom {
namespace {

// Appends text as a snippet shows it: as it is, or HTML-escaped.
void AppendShown(std::string& out, std::string_view piece, bool escape_html) {
  if (!escape_html) {
    out += piece;
    return;
  }
  for (const char c : piece) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

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

// A thing worth showing: one token matching a query term, or a whole phrase
// occurrence. `key` identifies what it shows (the term, or the phrase), so a
// window is scored by the distinct keys it holds entirely.
struct Unit {
  std::size_t first;  // token indexes, inclusive
  std::size_t last;
  std::size_t key;
  int weight;
};

constexpr int kTermWeight = 1;
constexpr std::size_t kMaxCandidates = 512;
constexpr int kPhraseWeight = 3;

struct Window {
  std::size_t first = 0;  // token indexes, inclusive
  std::size_t last = 0;
  int gain = 0;
  std::size_t matches = 0;
};

}  // namespace

SnippetQuery MakeSnippetQuery(const Query& query) {
  SnippetQuery snippet_query;
  for (QueryClause clause : query.clauses) {
    if (clause.occur == Occur::kMustNot) continue;
    // Snippets show words: "title:kremlin" is highlighted as "kremlin".
    for (std::string& term : clause.terms) {
      if (IsFieldTerm(term)) term.erase(0, term.find(kFieldSeparator) + 1);
    }
    snippet_query.terms.insert(clause.terms.begin(), clause.terms.end());
    if (clause.is_phrase()) snippet_query.phrases.push_back(std::move(clause));
  }
  return snippet_query;
}

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
  SnippetQuery query;
  query.terms = terms;
  return MakeSnippet(text, query, analyzer, style, options);
}

std::string MakeSnippet(std::string_view text, const SnippetQuery& query, Analyzer& analyzer,
                        const HighlightStyle& style, const SnippetOptions& options) {
  const std::string_view scanned =
      text.substr(0, utf8::TruncationPoint(text, options.max_scanned_bytes));
  const std::vector<Token> tokens = analyzer.AnalyzeAll(scanned);
  if (tokens.empty()) {
    std::string shown;
    AppendShown(shown, OneLine(text, 200), style.escape_html);
    return shown;
  }
  const std::size_t n = tokens.size();

  // Units: matching tokens, then phrase occurrences.
  std::vector<bool> is_match(n);
  std::vector<Unit> units;
  std::unordered_map<std::string_view, std::size_t> term_keys;
  for (std::size_t i = 0; i < n; ++i) {
    if (!query.terms.contains(tokens[i].term)) continue;
    is_match[i] = true;
    const auto [it, inserted] = term_keys.try_emplace(tokens[i].term, term_keys.size());
    units.push_back({i, i, it->second, kTermWeight});
  }
  std::size_t next_key = term_keys.size();
  for (const QueryClause& phrase : query.phrases) {
    const std::size_t key = next_key++;
    for (std::size_t i = 0; i < n; ++i) {
      if (tokens[i].term != phrase.terms[0]) continue;
      std::size_t j = i;
      bool whole = true;
      for (std::size_t t = 1; t < phrase.terms.size() && whole; ++t) {
        // Tokens of a phrase are in order; stop words leave position gaps.
        const std::uint32_t want = tokens[i].position + phrase.offsets[t];
        while (j + 1 < n && tokens[j + 1].position < want) ++j;
        whole =
            j + 1 < n && tokens[j + 1].position == want && tokens[j + 1].term == phrase.terms[t];
        if (whole) ++j;
      }
      if (whole) units.push_back({i, j, key, kPhraseWeight});
    }
  }
  std::sort(units.begin(), units.end(),
            [](const Unit& a, const Unit& b) { return a.first < b.first; });

  // Scores the window [first, first + width) by the weight of the distinct
  // keys it holds entirely and has not shown yet.
  std::vector<bool> shown(next_key, false);
  const auto score = [&](std::size_t first, std::size_t width) {
    Window window{first, std::min(n, first + width) - 1, 0, 0};
    std::vector<bool> counted(next_key, false);
    const auto from = std::lower_bound(units.begin(), units.end(), window.first,
                                       [](const Unit& u, std::size_t at) { return u.first < at; });
    for (auto it = from; it != units.end(); ++it) {
      const Unit& unit = *it;
      if (unit.first > window.last) break;
      if (unit.last > window.last) continue;
      ++window.matches;
      if (!shown[unit.key] && !counted[unit.key]) {
        counted[unit.key] = true;
        window.gain += unit.weight;
      }
    }
    return window;
  };
  // Candidate windows start a few words before a unit, for context.
  const auto best_window = [&](std::size_t width, const std::vector<Window>& taken) {
    Window best;
    best.first = 0;
    best.last = std::min(n, width) - 1;
    best.gain = -1;
    // A document with thousands of matches: sample the candidate starts.
    const std::size_t stride = std::max<std::size_t>(1, units.size() / kMaxCandidates);
    for (std::size_t u = 0; u < units.size(); u += stride) {
      const Unit& unit = units[u];
      const std::size_t lead = std::min<std::size_t>(3, width / 4);
      const std::size_t first = unit.first >= lead ? unit.first - lead : 0;
      Window window = score(first, width);
      const bool overlaps = std::any_of(taken.begin(), taken.end(), [&](const Window& w) {
        return window.first <= w.last && w.first <= window.last;
      });
      if (overlaps) continue;
      if (window.gain > best.gain || (window.gain == best.gain && window.matches > best.matches)) {
        best = window;
      }
    }
    return best;
  };

  std::vector<Window> fragments;
  Window whole = best_window(options.max_words, fragments);
  std::size_t total_keys = 0;
  for (std::size_t k = 0; k < next_key; ++k) {
    total_keys +=
        std::any_of(units.begin(), units.end(), [&](const Unit& u) { return u.key == k; });
  }
  std::size_t keys_in_whole = 0;
  {
    std::vector<bool> seen(next_key, false);
    for (const Unit& unit : units) {
      if (unit.first >= whole.first && unit.last <= whole.last && !seen[unit.key]) {
        seen[unit.key] = true;
        ++keys_in_whole;
      }
    }
  }
  if (units.empty() || keys_in_whole == total_keys || options.max_fragments <= 1) {
    fragments.push_back(whole.gain < 0 ? Window{0, std::min(n, options.max_words) - 1, 0, 0}
                                       : whole);
  } else {
    const std::size_t width = std::max<std::size_t>(8, options.max_words / options.max_fragments);
    while (fragments.size() < options.max_fragments) {
      const Window next = best_window(width, fragments);
      if (next.gain <= 0) break;
      for (const Unit& unit : units) {
        if (unit.first >= next.first && unit.last <= next.last) shown[unit.key] = true;
      }
      fragments.push_back(next);
    }
    if (fragments.empty()) fragments.push_back(whole);
  }
  std::sort(fragments.begin(), fragments.end(),
            [](const Window& a, const Window& b) { return a.first < b.first; });

  std::string out;
  const auto emit = [&](std::string_view piece) { AppendShown(out, piece, style.escape_html); };
  std::string collapsed;
  for (std::size_t f = 0; f < fragments.size(); ++f) {
    const Window& window = fragments[f];
    if (f > 0) {
      out += std::string(" ") + kEllipsis + " ";
    } else if (window.first > 0) {
      out += kEllipsis;
    }
    std::size_t previous_end = tokens[window.first].begin;
    bool open = false;  // a highlight is open: adjacent matches share one
    for (std::size_t i = window.first; i <= window.last; ++i) {
      const std::string_view gap = scanned.substr(previous_end, tokens[i].begin - previous_end);
      const bool only_space = gap.find_first_not_of(" \t\r\n") == std::string_view::npos;
      if (open && !(is_match[i] && only_space)) {
        out += style.end;
        open = false;
      }
      // Collapsed after what is already out (a space is not doubled), then
      // shown.
      collapsed.assign(out.empty() ? 0 : 1, out.empty() ? ' ' : out.back());
      const std::size_t seed = collapsed.size();
      AppendCollapsed(collapsed, gap);
      emit(std::string_view(collapsed).substr(seed));
      if (is_match[i] && !open) {
        out += style.begin;
        open = true;
      }
      emit(scanned.substr(tokens[i].begin, tokens[i].end - tokens[i].begin));
      previous_end = tokens[i].end;
    }
    if (open) out += style.end;
    const bool at_end = window.last + 1 == n && scanned.size() == text.size();
    if (at_end) {
      // Keep closing punctuation after the last word (". " or "”").
      std::string_view rest = scanned.substr(previous_end);
      rest = rest.substr(0, utf8::TruncationPoint(rest, 8));
      std::string tail;
      AppendCollapsed(tail, rest);
      emit(std::string_view(tail).substr(0, tail.find(' ')));
    } else if (f + 1 == fragments.size()) {
      out += kEllipsis;
    }
  }
  return out;
}

}  // namespace fathom
