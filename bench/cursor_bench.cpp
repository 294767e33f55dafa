// What's measured: PostingCursor (common/read/posting_cursor.hpp) on a real
//   index: BM_CursorNext walks a whole posting list; BM_CursorNextGeq/R/S
//   leaps with NextGeq(doc + S), as conjunctions do, where larger strides
//   skip whole blocks through the skip table; BM_CursorPositions also
//   decodes every posting's positions, as phrase matching does.
// Data: a 30,000-document index built once per process with fathom::BuildIndex
//   from the synthetic corpus model (seed 42), in a temporary folder removed
//   at exit. R is the vocabulary rank of the term: 0 is the most frequent
//   word (in nearly every document), 100 and 1000 are mid and rare terms.
// Notes: counters "postings/s" (postings of the list covered per second),
//   "calls/s" for NextGeq, and "df" (the list's length). Cursor creation is
//   inside the loop: it decodes the first block, which a query pays too.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/fixtures.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/posting_cursor.hpp"

namespace fathom::bench {
namespace {

std::optional<TermInfo> TermOrSkip(benchmark::State& state) {
  auto term = SmallIndexTermOfRank(static_cast<std::size_t>(state.range(0)));
  if (!term) state.SkipWithError("the vocabulary word of this rank is not in the index");
  return term;
}

void BM_CursorNext(benchmark::State& state) {
  const auto term = TermOrSkip(state);
  if (!term) return;
  const IndexReader& reader = SmallIndex();
  std::uint64_t postings = 0;
  for (auto _ : state) {
    PostingCursor cursor(reader, *term);
    std::uint32_t sum = 0;
    for (; cursor.doc() != kEndDoc; cursor.Next()) sum += cursor.frequency();
    benchmark::DoNotOptimize(sum);
    postings += term->entry.document_frequency;
  }
  state.counters["postings/s"] =
      benchmark::Counter(static_cast<double>(postings), benchmark::Counter::kIsRate);
  state.counters["df"] = term->entry.document_frequency;
}
BENCHMARK(BM_CursorNext)->Arg(0)->Arg(100)->Arg(1000);

void BM_CursorNextGeq(benchmark::State& state) {
  const auto term = TermOrSkip(state);
  if (!term) return;
  const auto stride = static_cast<DocId>(state.range(1));
  const IndexReader& reader = SmallIndex();
  std::uint64_t calls = 0, postings = 0;
  for (auto _ : state) {
    PostingCursor cursor(reader, *term);
    std::uint32_t sum = 0;
    while (cursor.doc() != kEndDoc) {
      sum += cursor.frequency();
      cursor.NextGeq(cursor.doc() + stride);
      ++calls;
    }
    benchmark::DoNotOptimize(sum);
    postings += term->entry.document_frequency;
  }
  state.counters["calls/s"] =
      benchmark::Counter(static_cast<double>(calls), benchmark::Counter::kIsRate);
  state.counters["postings/s"] =
      benchmark::Counter(static_cast<double>(postings), benchmark::Counter::kIsRate);
  state.counters["df"] = term->entry.document_frequency;
}
BENCHMARK(BM_CursorNextGeq)
    ->ArgNames({"rank", "stride"})
    ->ArgsProduct({{0, 100}, {2, 8, 64, 512, 4096}});

void BM_CursorPositions(benchmark::State& state) {
  const auto term = TermOrSkip(state);
  if (!term) return;
  const IndexReader& reader = SmallIndex();
  std::vector<std::uint32_t> positions;
  std::uint64_t postings = 0, decoded = 0;
  for (auto _ : state) {
    PostingCursor cursor(reader, *term);
    for (; cursor.doc() != kEndDoc; cursor.Next()) {
      cursor.Positions(positions);
      decoded += positions.size();
    }
    benchmark::DoNotOptimize(positions.data());
    postings += term->entry.document_frequency;
  }
  state.counters["postings/s"] =
      benchmark::Counter(static_cast<double>(postings), benchmark::Counter::kIsRate);
  state.counters["positions/s"] =
      benchmark::Counter(static_cast<double>(decoded), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CursorPositions)->Arg(0)->Arg(100);

}  // namespace
}  // namespace fathom::bench
