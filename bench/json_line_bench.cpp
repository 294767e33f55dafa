// What's measured: ParseJsonLine (indexer/corpus/json_line.hpp) throughput,
//   one JSON Lines record to its members, as JsonLinesReader calls it: one
//   members vector reused across lines.
// Data: BM_JsonLineGenerated: 20,000 records of the synthetic corpus model
//   (bench/corpus_model.hpp, seed 42; {"id","title","body"}, ASCII, few
//   escapes). BM_JsonLineWiki: the first 64 MiB of lines of
//   ../shared/corpora/wiki/corpus.jsonl.zst (real text: Unicode, escapes),
//   skipped with an error when that file is absent.
// Notes: bytes_per_second counts the line bytes (newlines excluded); counter
//   "lines/s". A line the parser rejects stops the benchmark with an error.
#include <benchmark/benchmark.h>
#include <zstd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/corpus_model.hpp"
#include "indexer/corpus/json_line.hpp"

#ifndef FATHOM_SHARED_DIR
#define FATHOM_SHARED_DIR "../shared"
#endif

namespace fathom::bench {
namespace {

constexpr std::size_t kWikiBytes = std::size_t{64} << 20;

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    if (newline == std::string_view::npos) break;  // a cut last line is left out
    if (newline > 0) lines.emplace_back(text.substr(0, newline));
    text.remove_prefix(newline + 1);
  }
  return lines;
}

const std::vector<std::string>& GeneratedLines() {
  static const std::vector<std::string> lines = [] {
    CorpusModel model;
    model.seed = 42;
    CorpusGenerator generator(model);
    GeneratedDocument document;
    std::string text;
    for (int i = 0; i < 20000; ++i) {
      generator.Next(document);
      AppendJsonLine(document, text);
    }
    return SplitLines(text);
  }();
  return lines;
}

// The first kWikiBytes of the decompressed file, or nothing when it is absent.
const std::vector<std::string>& WikiLines() {
  static const std::vector<std::string> lines = [] {
    const std::filesystem::path path =
        std::filesystem::path(FATHOM_SHARED_DIR) / "corpora" / "wiki" / "corpus.jsonl.zst";
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                         &std::fclose);
    if (!file) return std::vector<std::string>{};
    std::unique_ptr<ZSTD_DStream, std::size_t (*)(ZSTD_DStream*)> stream(ZSTD_createDStream(),
                                                                         &ZSTD_freeDStream);
    std::vector<char> in_buffer(ZSTD_DStreamInSize());
    std::string text;
    std::string out_buffer(ZSTD_DStreamOutSize(), '\0');
    while (text.size() < kWikiBytes) {
      const std::size_t read = std::fread(in_buffer.data(), 1, in_buffer.size(), file.get());
      if (read == 0) break;
      ZSTD_inBuffer in{in_buffer.data(), read, 0};
      while (in.pos < in.size) {
        ZSTD_outBuffer out{out_buffer.data(), out_buffer.size(), 0};
        if (ZSTD_isError(ZSTD_decompressStream(stream.get(), &out, &in))) {
          return std::vector<std::string>{};
        }
        text.append(out_buffer.data(), out.pos);
      }
    }
    if (text.size() > kWikiBytes) text.resize(kWikiBytes);
    return SplitLines(text);
  }();
  return lines;
}

void Parse(benchmark::State& state, const std::vector<std::string>& lines) {
  std::int64_t bytes = 0;
  for (const auto& line : lines) bytes += static_cast<std::int64_t>(line.size());
  std::vector<JsonMember> members;
  for (auto _ : state) {
    for (const auto& line : lines) {
      const JsonParseResult result = ParseJsonLine(line, members);
      if (!result.ok) {
        state.SkipWithError(
            ("column " + std::to_string(result.column) + ": " + result.error).c_str());
        return;
      }
      benchmark::DoNotOptimize(members.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["lines/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(lines.size()),
      benchmark::Counter::kIsRate);
}

void BM_JsonLineGenerated(benchmark::State& state) { Parse(state, GeneratedLines()); }
BENCHMARK(BM_JsonLineGenerated)->Unit(benchmark::kMillisecond);

void BM_JsonLineWiki(benchmark::State& state) {
  const auto& lines = WikiLines();
  if (lines.empty()) {
    state.SkipWithError("no " FATHOM_SHARED_DIR "/corpora/wiki/corpus.jsonl.zst");
    return;
  }
  Parse(state, lines);
}
BENCHMARK(BM_JsonLineWiki)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fathom::bench
