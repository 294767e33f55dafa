#include "searcher/present/spelling.hpp"

#include <optional>

#include <algorithm>
#include <cmath>

#include "common/analysis/fields.hpp"
#include "common/analysis/utf8.hpp"

namespace fathom {
namespace {

std::vector<char32_t> CodePoints(std::string_view text) {
  std::vector<char32_t> out;
  for (std::size_t pos = 0; pos < text.size();) {
    const utf8::Decoded d = utf8::DecodeAt(text, pos);
    out.push_back(d.code_point);
    pos += d.length;
  }
  return out;
}

// First dictionary index >= from whose term does not start with prefix:
// where the first term at or above the prefix's successor (the prefix with
// its last byte below 0xFF raised by one, and what follows dropped) is.
// REQUIRES: the terms from `from` on that start with prefix are consecutive
// (they are: the dictionary is sorted).
std::uint64_t SkipPrefix(const IndexReader& reader, std::uint64_t from, std::string_view prefix) {
  std::string successor(prefix);
  while (!successor.empty() && static_cast<unsigned char>(successor.back()) == 0xFF) {
    successor.pop_back();
  }
  if (successor.empty()) return reader.term_count();
  successor.back() = static_cast<char>(static_cast<unsigned char>(successor.back()) + 1);
  return std::max(from, reader.LowerBound(successor));
}

// Closest first, then most frequent, then in byte order: a total order, so
// that the cut at a limit does not depend on how the index is segmented.
void SortCandidates(std::vector<SpellingCandidate>& found) {
  std::sort(found.begin(), found.end(), [](const SpellingCandidate& a, const SpellingCandidate& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.document_frequency != b.document_frequency) {
      return a.document_frequency > b.document_frequency;
    }
    return a.term < b.term;
  });
}

}  // namespace

std::vector<SpellingCandidate> FuzzyTerms(const IndexReader& reader, std::string_view term,
                                          int max_distance, std::size_t limit,
                                          std::size_t exact_prefix) {
  const std::vector<char32_t> target = CodePoints(term);
  // The slice of the dictionary whose terms start with the exact prefix.
  std::size_t prefix_length = 0;
  for (std::size_t c = 0; c < exact_prefix && prefix_length < term.size(); ++c) {
    prefix_length += utf8::DecodeAt(term, prefix_length).length;
  }
  const std::string_view prefix = term.substr(0, prefix_length);
  const std::uint64_t begin = reader.LowerBound(prefix);
  const std::uint64_t count =
      prefix.empty() ? reader.term_count() : SkipPrefix(reader, begin, prefix);
  const std::size_t width = target.size() + 1;
  // Row d of the Levenshtein table (flattened) belongs to the first d code
  // points of the current dictionary term; prefix_bytes[d] is their length.
  // A term longer than target + max_distance code points is pruned before
  // its rows run out, so this many rows always suffice.
  const std::size_t max_rows = target.size() + static_cast<std::size_t>(max_distance) + 2;
  std::vector<int> rows(max_rows * width);
  for (std::size_t j = 0; j < width; ++j) rows[j] = static_cast<int>(j);
  std::vector<std::size_t> prefix_bytes(max_rows, 0);
  std::size_t depth = 0;  // rows valid: 0..depth
  std::string previous;   // a copy: the walker rebuilds its term in place

  std::vector<SpellingCandidate> found;
  // Consecutive terms are walked (each entry decoded once); a pruned
  // prefix is jumped over by SkipPrefix's search.
  std::optional<TermWalker> walk;
  walk.emplace(reader, begin);
  while (walk->index() < count) {
    const std::string_view candidate = walk->term();
    // Keep the rows of the prefix shared with the previous term.
    std::size_t common = 0;
    const std::size_t shorter = std::min(candidate.size(), previous.size());
    while (common < shorter && candidate[common] == previous[common]) ++common;
    while (depth > 0 && prefix_bytes[depth] > common) --depth;
    std::size_t pos = prefix_bytes[depth];
    bool pruned = false;
    while (pos < candidate.size()) {
      const utf8::Decoded d = utf8::DecodeAt(candidate, pos);
      pos += d.length;
      const int* above = &rows[depth * width];
      int* row = &rows[(depth + 1) * width];
      row[0] = above[0] + 1;
      int best = row[0];
      for (std::size_t j = 1; j < width; ++j) {
        const int substitution = above[j - 1] + (target[j - 1] == d.code_point ? 0 : 1);
        row[j] = std::min({above[j] + 1, row[j - 1] + 1, substitution});
        best = std::min(best, row[j]);
      }
      ++depth;
      prefix_bytes[depth] = pos;
      if (best > max_distance) {
        pruned = true;
        break;
      }
    }
    previous.assign(candidate);
    if (pruned) {
      // No term starting with this prefix can be within reach.
      // Most such groups are a few terms: walk past them, and search only
      // past a long one.
      const std::string dead_end(candidate.substr(0, pos));
      walk->Next();
      for (int steps = 0; walk->index() < count && steps < 16 && walk->term().starts_with(dead_end);
           ++steps) {
        walk->Next();
      }
      if (walk->index() < count && walk->term().starts_with(dead_end)) {
        walk.emplace(reader, SkipPrefix(reader, walk->index(), dead_end));
      }
      continue;
    }
    if (rows[depth * width + width - 1] <= max_distance && !IsFieldTerm(candidate)) {
      found.push_back({std::string(candidate), rows[depth * width + width - 1],
                       walk->info().entry.document_frequency});
    }
    walk->Next();
  }
  SortCandidates(found);
  if (found.size() > limit) found.resize(limit);
  return found;
}

std::vector<SpellingCandidate> FuzzyTerms(const IndexSnapshot& snapshot, std::string_view term,
                                          int max_distance, std::size_t limit,
                                          std::size_t exact_prefix) {
  const auto& segments = snapshot.segments();
  if (segments.size() == 1) {
    return FuzzyTerms(*segments[0].reader, term, max_distance, limit, exact_prefix);
  }
  // Every segment's candidates, uncut: a term outside one segment's first
  // `limit` may be among the collection's once its frequencies are summed.
  std::vector<SpellingCandidate> found;
  for (const SnapshotSegment& segment : segments) {
    for (auto& candidate :
         FuzzyTerms(*segment.reader, term, max_distance, SIZE_MAX, exact_prefix)) {
      found.push_back(std::move(candidate));
    }
  }
  SumByTerm(found);
  SortCandidates(found);
  if (found.size() > limit) found.resize(limit);
  return found;
}

std::vector<SpellingCandidate> SuggestCorrections(const IndexSnapshot& snapshot,
                                                  std::string_view term, std::size_t limit) {
  const std::uint64_t own = snapshot.DocumentFrequency(term);
  // A term in a handful of documents may be a typo of a common one; a term
  // in more is a word of its own.
  if (own > 3) return {};
  const std::size_t length = CodePoints(term).size();
  const int reach = length <= 4 ? 1 : 2;  // two edits make short words ambiguous
  std::vector<SpellingCandidate> candidates =
      FuzzyTerms(snapshot, term, reach, 200, /*exact_prefix=*/1);
  std::vector<SpellingCandidate> better;
  for (auto& candidate : candidates) {
    // Worth suggesting only if far more documents use it.
    if (candidate.distance > 0 &&
        candidate.document_frequency >= std::max<std::uint64_t>(2, 5 * own)) {
      better.push_back(std::move(candidate));
    }
  }
  // Closer matters more than frequent, but a far more frequent term one
  // edit further can win: score = distance - log10(df) / 2.
  std::stable_sort(better.begin(), better.end(),
                   [](const SpellingCandidate& a, const SpellingCandidate& b) {
                     return a.distance - std::log10(a.document_frequency) / 2 <
                            b.distance - std::log10(b.document_frequency) / 2;
                   });
  if (better.size() > limit) better.resize(limit);
  return better;
}

}  // namespace fathom
