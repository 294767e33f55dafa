// Counting (--count, k = 0): no scoring. A lone term is its document
// frequency; required clauses leapfrog without decoding frequencies; long
// unions of terms set bits in a bitmap of the collection. Every path stops
// at options.count_limit.
#include "searcher/eval/pruning.hpp"

namespace fathom::eval {
namespace {

// Bits set in a word; portable builds have no popcnt instruction, and
// std::popcount then calls into libgcc.
inline std::uint64_t PopCount(std::uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return (x * 0x0101010101010101ull) >> 56;
}

// Whether a union is counted faster with a bitmap of the collection than by
// merging: only terms, no excluded clause (deleted documents are masked
// out), and enough postings (at least one per 32 documents) to pay for
// clearing and counting the bitmap. The bitmap reads every posting: when
// the count may stop at a limit below their number, merging, which stops
// there, reads fewer.
bool UnionByBitmap(const IndexReader& reader, const PreparedQuery& prepared, std::uint64_t limit) {
  if (prepared.excludes_clauses() || prepared.optional.size() < 2) return false;
  std::uint64_t postings = 0;
  for (const auto& clause : prepared.optional) {
    if (clause.phrase() != nullptr) return false;
    postings += clause.cost();
  }
  return postings * 32 >= reader.document_count() && limit >= postings;
}

}  // namespace

EvalResult CountMatches(const IndexReader& reader, const Query& query, const EvalOptions& options) {
  const std::uint64_t limit = options.count_limit;
  // Stopped at the limit: a lower bound.
  const EvalResult at_limit{{}, limit, false};
  if (limit == 0) return at_limit;
  // A lone term (required or not; optional clauses beside a required one
  // change no match), with nothing excluded: its document frequency, read
  // from the dictionary without opening the list. With deletions, that
  // frequency less every deleted document is still a lower bound, which
  // settles a limited count when it reaches the limit.
  const QueryClause* single = nullptr;
  std::size_t required = 0, optional = 0;
  bool any_excluded = false;
  for (const auto& clause : query.clauses) {
    if (clause.occur == Occur::kMustNot) any_excluded = true;
    if (clause.occur == Occur::kMust && ++required == 1) single = &clause;
    if (clause.occur == Occur::kShould && ++optional == 1 && required == 0) single = &clause;
  }
  // So is a phrase of two pair words: its pair's list holds exactly the
  // documents that hold it.
  const bool single_list =
      single != nullptr &&
      (!single->is_phrase() || (single->terms.size() == 2 && MatchedAsPair(reader, *single, 0)));
  if (!any_excluded && options.filter == nullptr && single_list &&
      (required == 1 || (required == 0 && optional == 1))) {
    const auto info = reader.FindTerm(
        single->is_phrase() ? PairTerm(single->terms[0], single->terms[1]) : single->terms[0]);
    const std::uint64_t frequency = info ? info->entry.document_frequency : 0;
    if (options.deleted == nullptr) return {{}, frequency, true};
    const std::uint64_t deleted = options.deleted->count();
    if (frequency > deleted && frequency - deleted >= limit) return at_limit;
  }
  PreparedQuery prepared = Prepare(reader, query, options, false);
  EvalResult result;
  if (prepared.matches_nothing || prepared.slots() == 0) return result;
  // Counts doc unless excluded; true once the count reaches the limit.
  std::uint64_t count = 0;
  auto& excluded = prepared.excluded;
  const auto counted = [&](DocId doc) { return !IsExcluded(excluded, doc) && ++count == limit; };
  if (!prepared.required.empty()) {
    // Optional clauses do not change which documents match.
    const std::vector<ClauseCursor*> order = LeapfrogOrder(prepared.required);
    if (MergesRequired(order)) {
      const auto counted_all = [&](const DocId* docs, std::size_t n) {
        if (!excluded.empty()) {
          for (std::size_t f = 0; f < n; ++f) {
            if (counted(docs[f])) return true;
          }
          return false;
        }
        count += std::min<std::uint64_t>(n, limit - count);
        return count == limit;
      };
      const auto from_any = [](DocId doc) { return doc; };
      if (MergeRequired(order, !excluded.empty(), from_any, counted_all)) return at_limit;
    } else {
      for (DocId doc = Align(order); doc != kEndDoc; doc = Align(order)) {
        if (counted(doc)) return at_limit;
        order[0]->Next();
      }
    }
  } else if (prepared.optional.size() == 1 && excluded.empty() &&
             prepared.optional[0].term() != nullptr) {
    count = prepared.optional[0].term()->document_frequency();
  } else if (UnionByBitmap(reader, prepared, limit)) {
    // Long lists of terms, nothing excluded: set one bit per posting, block
    // by block, then count the bits. No merging, no per-posting branches.
    thread_local std::vector<std::uint64_t> bits;
    bits.assign((reader.document_count() + 63) / 64, 0);
    for (auto& clause : prepared.optional) {
      PostingCursor& cursor = *clause.term();
      for (std::size_t b = 0; b < cursor.block_count(); ++b) {
        cursor.SeekBlock(b);
        const std::uint32_t* docs = cursor.block_docs();
        for (std::size_t i = 0, n = cursor.block_size(); i < n; ++i) {
          bits[docs[i] >> 6] |= std::uint64_t{1} << (docs[i] & 63);
        }
      }
    }
    if (prepared.deleted != nullptr) {
      const std::vector<std::uint64_t>& deleted = prepared.deleted->words();
      for (std::size_t i = 0; i < bits.size(); ++i) bits[i] &= ~deleted[i];
    }
    for (const std::uint64_t word : bits) count += PopCount(word);
  } else {
    std::vector<ClauseCursor*> clauses;
    for (auto& clause : prepared.optional) clauses.push_back(&clause);
    while (true) {
      DocId doc = kEndDoc;
      for (ClauseCursor* clause : clauses) doc = std::min(doc, clause->doc());
      if (doc == kEndDoc) break;
      if (counted(doc)) return at_limit;
      for (ClauseCursor* clause : clauses) {
        if (clause->doc() == doc) clause->Next();
      }
    }
  }
  result.total_matches = count;
  return result;
}

}  // namespace fathom::eval
