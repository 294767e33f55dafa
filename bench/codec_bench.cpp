// What's measured: the posting-list integer codecs of common/format/codec.hpp.
//   BM_PackBlock/W, BM_UnpackBlock/W: one 128-value block at bit width W
//   (1..32); BM_MaxBitWidth: the width scan the writer does per block;
//   BM_GetVarint*/B: decoding a stream of varints that are B bytes long
//   (0 = a realistic mix of position gaps, mostly 1 byte).
// Data: uniformly random values below 2^W (the top bit set at least once, so
//   the block really needs W bits), from a fixed seed.
// Notes: counters "ints/s" (values per second) and "bits/int" (the storage
//   cost: PackedBytes(W) * 8 / 128, i.e. W). Unpacking is the searcher's hot
//   loop; packing only runs at index time. 4096 varints per iteration keep
//   the loop in L1 while amortizing the timing overhead.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/random.hpp"
#include "common/format/codec.hpp"

namespace fathom::bench {
namespace {

std::vector<std::uint32_t> BlockOfWidth(std::uint32_t width, std::uint64_t seed) {
  Random random(seed);
  std::vector<std::uint32_t> values(codec::kBlockSize);
  const std::uint64_t limit = width == 32 ? (1ULL << 32) : (1ULL << width);
  for (auto& value : values) value = static_cast<std::uint32_t>(random.Next() % limit);
  values[7] = static_cast<std::uint32_t>(limit - 1);
  return values;
}

void SetCodecCounters(benchmark::State& state, std::uint32_t width) {
  const auto values = static_cast<double>(state.iterations() * codec::kBlockSize);
  state.counters["ints/s"] = benchmark::Counter(values, benchmark::Counter::kIsRate);
  state.counters["bits/int"] =
      static_cast<double>(codec::PackedBytes(width) * 8) / static_cast<double>(codec::kBlockSize);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(codec::PackedBytes(width)));
}

void BM_PackBlock(benchmark::State& state) {
  const auto width = static_cast<std::uint32_t>(state.range(0));
  const std::vector<std::uint32_t> values = BlockOfWidth(width, width);
  std::string out;
  out.reserve(codec::PackedBytes(32));
  for (auto _ : state) {
    out.clear();
    codec::PackBlock(values.data(), width, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  SetCodecCounters(state, width);
}
BENCHMARK(BM_PackBlock)->DenseRange(1, 32);

void BM_UnpackBlock(benchmark::State& state) {
  const auto width = static_cast<std::uint32_t>(state.range(0));
  const std::vector<std::uint32_t> values = BlockOfWidth(width, width);
  std::string packed;
  codec::PackBlock(values.data(), width, packed);
  alignas(64) std::uint32_t decoded[codec::kBlockSize];
  const auto* in = reinterpret_cast<const std::uint8_t*>(packed.data());
  for (auto _ : state) {
    codec::UnpackBlock(in, width, decoded);
    benchmark::DoNotOptimize(decoded);
    benchmark::ClobberMemory();
  }
  if (!std::equal(values.begin(), values.end(), decoded)) state.SkipWithError("round trip failed");
  SetCodecCounters(state, width);
}
BENCHMARK(BM_UnpackBlock)->DenseRange(1, 32);

void BM_MaxBitWidth(benchmark::State& state) {
  const std::vector<std::uint32_t> values = BlockOfWidth(12, 12);
  for (auto _ : state) {
    benchmark::DoNotOptimize(codec::MaxBitWidth(values.data(), values.size()));
  }
  state.counters["ints/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * codec::kBlockSize), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MaxBitWidth);

constexpr std::size_t kVarints = 4096;

// Varints of `bytes` bytes each; 0 means position gaps as in real text:
// mostly under 128 (one byte), some under 2^14, a few larger.
std::string VarintStream(int bytes) {
  Random random(100 + static_cast<std::uint64_t>(bytes));
  std::string out;
  for (std::size_t i = 0; i < kVarints; ++i) {
    std::uint32_t value;
    if (bytes == 0) {
      const double u = random.UniformDouble();
      value = u < 0.85 ? random.Uniform(128)
                       : (u < 0.98 ? random.Uniform(1 << 14) : random.Uniform(1 << 20));
    } else {
      const std::uint32_t low = bytes == 1 ? 0 : 1U << (7 * (bytes - 1));
      const std::uint64_t high = bytes == 5 ? (1ULL << 32) : (1ULL << (7 * bytes));
      value = low + static_cast<std::uint32_t>(random.Next() % (high - low));
    }
    codec::PutVarint(value, out);
  }
  return out;
}

void SetVarintCounters(benchmark::State& state, const std::string& stream) {
  state.counters["ints/s"] = benchmark::Counter(static_cast<double>(state.iterations() * kVarints),
                                                benchmark::Counter::kIsRate);
  state.counters["bits/int"] =
      static_cast<double>(stream.size() * 8) / static_cast<double>(kVarints);
}

void BM_GetVarint(benchmark::State& state) {
  const std::string stream = VarintStream(static_cast<int>(state.range(0)));
  const auto* begin = reinterpret_cast<const std::uint8_t*>(stream.data());
  const auto* end = begin + stream.size();
  for (auto _ : state) {
    std::uint32_t sum = 0, value = 0;
    for (const std::uint8_t* in = begin; in != nullptr && in < end;) {
      in = codec::GetVarint(in, end, &value);
      sum += value;
    }
    benchmark::DoNotOptimize(sum);
  }
  SetVarintCounters(state, stream);
}
BENCHMARK(BM_GetVarint)->Arg(0)->DenseRange(1, 5);

void BM_GetVarintUnchecked(benchmark::State& state) {
  const std::string stream = VarintStream(static_cast<int>(state.range(0)));
  const auto* begin = reinterpret_cast<const std::uint8_t*>(stream.data());
  const auto* end = begin + stream.size();
  for (auto _ : state) {
    std::uint32_t sum = 0, value = 0;
    for (const std::uint8_t* in = begin; in < end;) {
      in = codec::GetVarintUnchecked(in, &value);
      sum += value;
    }
    benchmark::DoNotOptimize(sum);
  }
  SetVarintCounters(state, stream);
}
BENCHMARK(BM_GetVarintUnchecked)->Arg(0)->DenseRange(1, 5);

}  // namespace
}  // namespace fathom::bench
