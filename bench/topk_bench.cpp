// What's measured: TopK::Push (searcher/eval/topk.hpp), the per-match cost of
//   keeping the k best hits, for k = 10, 100, 1000.
// Data: 65536 precomputed scores per iteration, either random (the common
//   case: once the heap is full most candidates lose to the threshold after
//   one comparison) or increasing (the worst case: every candidate enters
//   and costs a pop and a push).
// Notes: counter "pushes/s". Scores are generated before timing, so the
//   figure is the heap alone; TakeSorted is excluded.
#include <benchmark/benchmark.h>

#include <vector>

#include "bench/random.hpp"
#include "searcher/eval/topk.hpp"

namespace fathom::bench {
namespace {

constexpr std::size_t kCandidates = 65536;

std::vector<Score> Scores(bool increasing) {
  Random random(7);
  std::vector<Score> scores(kCandidates);
  for (std::size_t i = 0; i < kCandidates; ++i) {
    scores[i] = increasing ? static_cast<Score>(i) * 0.001f
                           : static_cast<Score>(random.UniformDouble() * 20.0);
  }
  return scores;
}

void RunPushes(benchmark::State& state, bool increasing) {
  const auto k = static_cast<std::size_t>(state.range(0));
  const std::vector<Score> scores = Scores(increasing);
  for (auto _ : state) {
    TopK top(k);
    for (std::size_t i = 0; i < scores.size(); ++i) top.Push(static_cast<DocId>(i), scores[i]);
    benchmark::DoNotOptimize(top.threshold());
  }
  state.counters["pushes/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kCandidates), benchmark::Counter::kIsRate);
}

void BM_TopKPushRandom(benchmark::State& state) { RunPushes(state, false); }
BENCHMARK(BM_TopKPushRandom)->Arg(10)->Arg(100)->Arg(1000);

void BM_TopKPushIncreasing(benchmark::State& state) { RunPushes(state, true); }
BENCHMARK(BM_TopKPushIncreasing)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace fathom::bench
