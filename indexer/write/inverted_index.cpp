#include "indexer/write/inverted_index.hpp"

#include <algorithm>

#include "common/analysis/fields.hpp"
#include "common/format/codec.hpp"

namespace fathom {
namespace {

// A term's record and its two slots (the table is at most half full).
constexpr std::uint64_t kTermOverheadBytes = sizeof(InvertedIndex::TermPostings) + 16;
constexpr std::size_t kInitialSlots = 1 << 12;

std::uint64_t HashTerm(std::string_view term) { return std::hash<std::string_view>{}(term); }
// Growing vectors and strings double their capacity: on average a third of
// what they hold is spare.
constexpr std::uint64_t kSlackNumerator = 3, kSlackDenominator = 2;

}  // namespace

void InvertedIndex::Grow(std::size_t at_least) {
  std::size_t size = slots_.empty() ? kInitialSlots : 2 * slots_.size();
  while (size < at_least) size *= 2;
  std::vector<std::uint64_t> slots(size, 0);
  const std::size_t mask = slots.size() - 1;
  for (const std::uint64_t slot : slots_) {
    if (slot == 0) continue;
    std::size_t i = HashTerm(terms_[(slot & 0xFFFFFFFF) - 1].term) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = slot;
  }
  memory_bytes_ += (slots.size() - slots_.size()) * sizeof(std::uint64_t);
  slots_.swap(slots);
}

// REQUIRES: room for one more term (InvertPending grows the table first).
InvertedIndex::TermPostings& InvertedIndex::Find(std::string_view term, std::uint64_t hash) {
  const std::uint64_t tag = hash & 0xFFFFFFFF00000000ull;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = slots_[i];
    if (slot == 0) {
      slots_[i] = tag | (terms_.size() + 1);
      TermPostings& added = terms_.emplace_back();
      added.term = term;
      memory_bytes_ += kTermOverheadBytes + (term.size() > 15 ? term.size() + 1 : 0);
      return added;
    }
    if ((slot & 0xFFFFFFFF00000000ull) == tag) {
      TermPostings& candidate = terms_[(slot & 0xFFFFFFFF) - 1];
      if (candidate.term == term) return candidate;
    }
  }
}

void InvertedIndex::AddPosting(std::string_view term, std::uint64_t hash, DocId doc,
                               std::uint32_t position) {
  TermPostings& postings = Find(term, hash);
  if (postings.last_doc != doc) {
    postings.last_doc = doc;
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
  pending_.clear();
  pending_bytes_.clear();
  // The pair words' pairs (common/analysis/fields.hpp): the last pair word
  // seen, while it is the word just before the current one.
  const std::span<const std::string_view> pair_words = PairWords(analyzer_.settings().language);
  std::string_view previous_pair_word;
  std::uint32_t previous_position = 0;
  AnalyzeDocument(analyzer_, title, body, token_, [&](const Token& token, bool in_title) {
    AddPending(token.term, token.position);
    const auto pair_word = std::find(pair_words.begin(), pair_words.end(), token.term);
    if (pair_word != pair_words.end()) {
      if (!previous_pair_word.empty() && token.position == previous_position + 1) {
        AddPending(PairTerm(previous_pair_word, token.term), previous_position);
      }
      previous_pair_word = *pair_word;  // the list's, not the reused token's
      previous_position = token.position;
    } else {
      previous_pair_word = {};
    }
    if (in_title) {
      AddPending(FieldTerm(kTitleField, token.term), token.position);
      ++summary.title_length;
    }
    min_hasher_.Add(token.term);
    ++summary.length;
  });
  summary.sketch = min_hasher_.Finish();
  InvertPending(doc);
  return summary;
}

void InvertedIndex::AddPending(std::string_view term, std::uint32_t position) {
  pending_.push_back({static_cast<std::uint32_t>(pending_bytes_.size()),
                      static_cast<std::uint32_t>(term.size()), position, HashTerm(term)});
  pending_bytes_.append(term);
}

void InvertedIndex::InvertPending(DocId doc) {
  // Every term may be new: make room first, so that no slot moves (and no
  // prefetched address goes stale) while the document is inverted.
  if (2 * (terms_.size() + pending_.size()) > slots_.size()) {
    Grow(2 * (terms_.size() + pending_.size()));
  }
  constexpr std::size_t kSlotsAhead = 8, kRecordsAhead = 4;
  const std::size_t mask = slots_.size() - 1;
  const std::size_t n = pending_.size();
  for (std::size_t i = 0; i < n && i < kSlotsAhead; ++i) {
    __builtin_prefetch(&slots_[pending_[i].hash & mask]);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kSlotsAhead < n) __builtin_prefetch(&slots_[pending_[i + kSlotsAhead].hash & mask]);
    if (i + kRecordsAhead < n) {
      // The term's first probe, whose slot the loop prefetched earlier.
      const std::uint64_t slot = slots_[pending_[i + kRecordsAhead].hash & mask];
      if (slot != 0) __builtin_prefetch(&terms_[(slot & 0xFFFFFFFF) - 1]);
    }
    const PendingTerm& term = pending_[i];
    AddPosting(std::string_view(pending_bytes_.data() + term.offset, term.length), term.hash, doc,
               term.position);
  }
}

std::vector<std::pair<std::string_view, const InvertedIndex::TermPostings*>>
InvertedIndex::SortedTerms() const {
  std::vector<std::pair<std::string_view, const TermPostings*>> sorted;
  sorted.reserve(terms_.size());
  for (const TermPostings& postings : terms_) sorted.emplace_back(postings.term, &postings);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return sorted;
}

void InvertedIndex::Clear() {
  // Swapping with empty containers releases their memory, which clear() keeps.
  std::deque<TermPostings>().swap(terms_);
  std::vector<std::uint64_t>().swap(slots_);
  posting_count_ = 0;
  memory_bytes_ = 0;
}

}  // namespace fathom
