// One term: blocks in order of their block-max bound, best first, so that
// only blocks whose bound can enter the top k are decoded.
#include "searcher/eval/pruning.hpp"

namespace fathom::eval {

EvalResult TopKSingleTerm(const IndexReader& reader, PreparedQuery& prepared, std::size_t k) {
  ClauseCursor& clause = prepared.required.empty() ? prepared.optional[0] : prepared.required[0];
  PostingCursor& cursor = *clause.term();
  // Blocks best bound first: the top k fills with the best candidates at
  // once, and the first block whose bound cannot enter ends the search, so
  // only blocks whose maximum can enter the top k are ever decoded.
  struct BlockBound {
    float bound;
    std::uint32_t block;
  };
  std::vector<BlockBound> blocks(cursor.block_count());
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    blocks[b] = {clause.BlockBound(b), static_cast<std::uint32_t>(b)};
  }
  const auto worse = [](const BlockBound& a, const BlockBound& b) {
    return a.bound < b.bound || (a.bound == b.bound && a.block > b.block);
  };
  std::make_heap(blocks.begin(), blocks.end(), worse);
  TopK top(k);
  EvalResult result;
  float threshold = prepared.threshold;
  const float weight = clause.weight();
  const Bm25Scorer& scorer = clause.scorer();
  for (auto end = blocks.end(); end != blocks.begin();) {
    std::pop_heap(blocks.begin(), end, worse);
    --end;
    // Blocks are visited out of doc order, so a document scoring exactly
    // the threshold could still enter (a smaller id wins ties): only a
    // bound below PruneBelow, itself below the threshold, ends the search.
    if (end->bound <= PruneBelow(threshold)) break;
    cursor.SeekBlock(end->block);
    const std::uint32_t* docs = cursor.block_docs();
    const std::uint32_t* frequencies = cursor.block_frequencies();
    const std::size_t size = cursor.block_size();
    const format::SkipEntry skip = cursor.SkipOf(end->block);
    const std::uint32_t min_frequency =
        MinFrequency(clause, skip.min_length, skip.max_frequency, PruneBelow(threshold));
    // Three passes: pick the candidates, then load their lengths (cache
    // misses into doclens, independent of each other, so they overlap
    // instead of waiting behind the branches of the heap), then score.
    std::uint32_t candidates[codec::kBlockSize];
    std::uint32_t lengths[codec::kBlockSize];
    std::size_t n = 0;
    for (std::size_t i = 0; i < size; ++i) {
      candidates[n] = static_cast<std::uint32_t>(i);
      n += frequencies[i] >= min_frequency ? 1 : 0;
    }
    for (std::size_t c = 0; c < n; ++c) lengths[c] = reader.length(docs[candidates[c]]);
    for (std::size_t c = 0; c < n; ++c) {
      const std::size_t i = candidates[c];
      const Score score = weight * scorer(frequencies[i], lengths[c]);
      if ((Enters(top, score) || !top.full() || score == top.threshold()) &&
          !IsLeftOut(prepared, docs[i])) {
        top.Push(docs[i], score);
      }
    }
    result.total_matches += size;
    if (prepared.deleted != nullptr || prepared.filter != nullptr) {
      for (std::size_t i = 0; i < size; ++i) {
        if (IsLeftOut(prepared, docs[i])) --result.total_matches;
      }
    }
    if (top.full()) threshold = std::max(prepared.threshold, top.threshold());
  }
  result.hits = top.TakeSorted();
  return result;
}

}  // namespace fathom::eval
