// What's measured: block codecs for doc-id gaps and frequencies on real
//   posting lists, decode speed and size. BM_RealLists/<codec>/<data>:
//   codec 0 = Fathom's 4-lane bit-packing (one width per 128 values, the
//   on-disk format), 1 = libstreamvbyte (Lemire's Stream VByte: 2-bit length
//   keys + 1-4 data bytes, SIMD shuffles), 2 = LEB128 varint (the baseline);
//   data 0 = doc gaps decoded to doc ids (unpack + prefix sum, as the cursor
//   does; streamvbyte's delta decoder fuses both), 1 = frequencies - 1.
// Data: every full 128-posting block of every list with at least 128
//   postings of a real index: $FATHOM_BENCH_INDEX when set (e.g. the
//   1M-document benchmark index), otherwise the 30,000-document index of
//   cursor_bench.cpp. Capped at 8M postings (the most frequent terms first,
//   then down the dictionary) to stay in memory.
// Notes: counters "ints/s" (postings decoded per second) and "bits/int"
//   (encoded size, including each block's width byte or keys). All data is
//   encoded once; the loop decodes every block into one 128-value buffer,
//   as the cursor does. Streamvbyte is only built when libstreamvbyte-dev
//   is installed (FATHOM_HAVE_STREAMVBYTE); the engine does not link it.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/fixtures.hpp"
#include "common/format/codec.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/posting_cursor.hpp"

#ifdef FATHOM_HAVE_STREAMVBYTE
#include <streamvbyte.h>
#include <streamvbytedelta.h>
#endif

namespace fathom::bench {
namespace {

constexpr std::size_t kMaxPostings = 8'000'000;
constexpr std::size_t kBlock = codec::kBlockSize;

// Real blocks: gaps (first of each block relative to the previous block's
// last doc) and frequencies - 1, 128 per block.
struct RealBlocks {
  std::vector<std::uint32_t> gaps;
  std::vector<std::uint32_t> frequencies;
  std::vector<std::uint32_t> bases;  // doc id before each block
  std::size_t blocks() const { return bases.size(); }
};

RealBlocks LoadBlocks() {
  const char* path = std::getenv("FATHOM_BENCH_INDEX");
  std::unique_ptr<IndexReader> own;
  const IndexReader* reader;
  if (path != nullptr && *path != '\0') {
    own = std::make_unique<IndexReader>(path);
    reader = own.get();
  } else {
    reader = &SmallIndex();
  }
  // Longest lists first: they dominate query time.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> terms;
  for (std::uint64_t t = 0; t < reader->term_count(); ++t) {
    const TermInfo info = reader->TermInfoAt(t);
    if (info.entry.document_frequency >= kBlock)
      terms.emplace_back(info.entry.document_frequency, t);
  }
  std::sort(terms.rbegin(), terms.rend());
  RealBlocks data;
  for (const auto& [df, t] : terms) {
    if (data.gaps.size() >= kMaxPostings) break;
    PostingCursor cursor(*reader, reader->TermInfoAt(t));
    DocId previous = 0;
    std::size_t in_block = 0;
    for (; cursor.doc() != kEndDoc && data.gaps.size() < kMaxPostings; cursor.Next()) {
      if (in_block == 0) data.bases.push_back(previous);
      data.gaps.push_back(cursor.doc() - previous);
      data.frequencies.push_back(cursor.frequency() - 1);
      previous = cursor.doc();
      if (++in_block == kBlock) in_block = 0;
    }
    if (in_block != 0) {  // keep full blocks only
      data.gaps.resize(data.gaps.size() - in_block);
      data.frequencies.resize(data.frequencies.size() - in_block);
      data.bases.pop_back();
    }
  }
  return data;
}

const RealBlocks& Blocks() {
  static const RealBlocks blocks = LoadBlocks();
  return blocks;
}

struct Encoded {
  std::vector<std::uint8_t> bytes;
  std::vector<std::size_t> offsets;  // of each block
};

Encoded Encode(int codec_id, const std::vector<std::uint32_t>& values) {
  Encoded encoded;
  std::string out;
  for (std::size_t b = 0; b * kBlock < values.size(); ++b) {
    const std::uint32_t* block = values.data() + b * kBlock;
    encoded.offsets.push_back(out.size());
    if (codec_id == 0) {
      const std::uint32_t width = codec::MaxBitWidth(block, kBlock);
      out.push_back(static_cast<char>(width));
      codec::PackBlock(block, width, out);
    } else if (codec_id == 1) {
#ifdef FATHOM_HAVE_STREAMVBYTE
      std::vector<std::uint8_t> buffer(streamvbyte_max_compressedbytes(kBlock));
      const std::size_t size = streamvbyte_encode(block, kBlock, buffer.data());
      out.append(reinterpret_cast<const char*>(buffer.data()), size);
#endif
    } else {
      for (std::size_t i = 0; i < kBlock; ++i) codec::PutVarint(block[i], out);
    }
  }
  out.append(16, '\0');  // the padding a SIMD decoder may over-read
  encoded.bytes.assign(out.begin(), out.end());
  return encoded;
}

void BM_RealLists(benchmark::State& state) {
  const int codec_id = static_cast<int>(state.range(0));
  const bool doc_ids = state.range(1) == 0;
#ifndef FATHOM_HAVE_STREAMVBYTE
  if (codec_id == 1) {
    state.SkipWithError("libstreamvbyte-dev not installed");
    return;
  }
#endif
  const RealBlocks& data = Blocks();
  if (data.blocks() == 0) {
    state.SkipWithError("no list of 128 postings or more");
    return;
  }
  const std::vector<std::uint32_t>& values = doc_ids ? data.gaps : data.frequencies;
  const Encoded encoded = Encode(codec_id, values);
  alignas(64) std::uint32_t out[kBlock];
  std::uint64_t checksum = 0;
  for (auto _ : state) {
    for (std::size_t b = 0; b < data.blocks(); ++b) {
      const std::uint8_t* in = encoded.bytes.data() + encoded.offsets[b];
      const std::uint32_t base = data.bases[b];
      if (codec_id == 0) {
        codec::UnpackBlock(in + 1, in[0], out);
        if (doc_ids) {
          std::uint32_t doc = base;
          for (std::size_t i = 0; i < kBlock; ++i) out[i] = doc += out[i];
        }
      } else if (codec_id == 1) {
#ifdef FATHOM_HAVE_STREAMVBYTE
        if (doc_ids) {
          streamvbyte_delta_decode(in, out, kBlock, base);
        } else {
          streamvbyte_decode(in, out, kBlock);
        }
#endif
      } else {
        const std::uint8_t* p = in;
        for (std::size_t i = 0; i < kBlock; ++i) p = codec::GetVarintUnchecked(p, &out[i]);
        if (doc_ids) {
          std::uint32_t doc = base;
          for (std::size_t i = 0; i < kBlock; ++i) out[i] = doc += out[i];
        }
      }
      checksum += out[kBlock - 1];
      benchmark::DoNotOptimize(out);
    }
  }
  benchmark::DoNotOptimize(checksum);
  const double ints = static_cast<double>(values.size());
  state.counters["ints/s"] = benchmark::Counter(ints * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
  state.counters["bits/int"] = static_cast<double>(encoded.bytes.size() - 16) * 8.0 / ints;
  state.counters["postings"] = ints;
}
BENCHMARK(BM_RealLists)
    ->ArgNames({"codec", "data"})
    ->ArgsProduct({{0, 1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fathom::bench
