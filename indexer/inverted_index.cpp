#include "indexer/inverted_index.hpp"

#include <algorithm>

#include "common/codec.hpp"
#include "common/fields.hpp"

namespace fathom {
namespace {

// A hash-map node with its key and an empty TermPostings (libstdc++, 64-bit),
// and the bucket pointer.
constexpr std::uint64_t kTermOverheadBytes = 160;
// Growing vectors and strings double their capacity: on average a third of
// what they hold is spare.
constexpr std::uint64_t kSlackNumerator = 3, kSlackDenominator = 2;

}  // namespace

void InvertedIndex::AddPosting(const std::string& term, DocId doc, std::uint32_t position) {
  auto [it, inserted] = terms_.try_emplace(term);
  TermPostings& postings = it->second;
  if (inserted) memory_bytes_ += kTermOverheadBytes + term.size();
  if (inserted || postings.docs.back() != doc) {
    postings.docs.push_back(doc);
    postings.frequencies.push_back(0);
    postings.last_position = 0;
    ++posting_count_;
    memory_bytes_ += 2 * sizeof(std::uint32_t) * kSlackNumerator / kSlackDenominator;
  }
  ++postings.frequencies.back();
  const std::size_t before = postings.positions.size();
  codec::PutVarint(position - postings.last_position, postings.positions);
  memory_bytes_ += (postings.positions.size() - before) * kSlackNumerator / kSlackDenominator;
  postings.last_position = position;
}

DocumentSummary InvertedIndex::AddDocument(DocId doc, std::string_view title,
                                           std::string_view body) {
  DocumentSummary summary;
  analyzer_.Reset(title, 0);
  while (analyzer_.Next(token_)) {
    AddPosting(token_.term, doc, token_.position);
    AddPosting(FieldTerm(kTitleField, token_.term), doc, token_.position);
    min_hasher_.Add(token_.term);
    ++summary.length;
  }
  analyzer_.Reset(body, analyzer_.next_position() + kFieldPositionGap);
  while (analyzer_.Next(token_)) {
    AddPosting(token_.term, doc, token_.position);
    min_hasher_.Add(token_.term);
    ++summary.length;
  }
  summary.sketch = min_hasher_.Finish();
  return summary;
}

std::vector<std::pair<std::string_view, const InvertedIndex::TermPostings*>>
InvertedIndex::SortedTerms() const {
  std::vector<std::pair<std::string_view, const TermPostings*>> sorted;
  sorted.reserve(terms_.size());
  for (const auto& [term, postings] : terms_) sorted.emplace_back(term, &postings);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return sorted;
}

void InvertedIndex::Clear() {
  // Swapping with an empty map releases the buckets too, which clear() keeps.
  std::unordered_map<std::string, TermPostings>().swap(terms_);
  posting_count_ = 0;
  memory_bytes_ = 0;
}

}  // namespace fathom
