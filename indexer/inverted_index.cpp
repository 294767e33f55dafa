#include "indexer/inverted_index.hpp"

#include <algorithm>

#include "common/codec.hpp"
#include "common/error.hpp"
#include "common/fields.hpp"

namespace fathom {

void InvertedIndex::AddPosting(const std::string& term, DocId doc, std::uint32_t position) {
  auto [it, inserted] = terms_.try_emplace(term);
  TermPostings& postings = it->second;
  if (inserted || postings.docs.back() != doc) {
    postings.docs.push_back(doc);
    postings.frequencies.push_back(0);
    postings.last_position = 0;
    ++posting_count_;
  }
  ++postings.frequencies.back();
  ++postings.collection_frequency;
  codec::PutVarint(position - postings.last_position, postings.positions);
  postings.last_position = position;
}

std::uint32_t InvertedIndex::AddDocument(std::string_view title, std::string_view body) {
  if (lengths_.size() >= kMaxDocuments) {
    throw InputError("too many documents: an index holds at most " + std::to_string(kMaxDocuments));
  }
  const auto doc = static_cast<DocId>(lengths_.size());
  std::uint32_t length = 0;
  analyzer_.Reset(title, 0);
  while (analyzer_.Next(token_)) {
    AddPosting(token_.term, doc, token_.position);
    AddPosting(FieldTerm(kTitleField, token_.term), doc, token_.position);
    min_hasher_.Add(token_.term);
    ++length;
  }
  analyzer_.Reset(body, analyzer_.next_position() + kFieldPositionGap);
  while (analyzer_.Next(token_)) {
    AddPosting(token_.term, doc, token_.position);
    min_hasher_.Add(token_.term);
    ++length;
  }
  lengths_.push_back(length);
  sketches_.push_back(min_hasher_.Finish());
  total_length_ += length;
  return length;
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

}  // namespace fathom
