// fathom-bench generate-corpus: writes the synthetic corpus as JSON Lines.
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "bench/args.hpp"
#include "bench/commands.hpp"
#include "bench/corpus_model.hpp"
#include "bench/output_file.hpp"

namespace fathom::bench {

int RunGenerateCorpus(const std::vector<std::string>& arg_list) {
  const Args args(arg_list, {"docs", "seed", "vocabulary", "zipf", "output", "format"});
  if (args.help()) {
    std::cout << "Usage: fathom-bench generate-corpus --docs N --seed S [--vocabulary V] "
                 "[--zipf E] [--format jsonl|trec|warc] [--output FILE]\n\n"
                 "Writes N synthetic documents as JSON Lines ({\"id\",\"title\",\"body\"}), TREC\n"
                 "SGML (<DOC>s) or WARC (response records of HTML pages) to FILE or\n"
                 "stdout. The same seed always gives the same corpus; see\n"
                 "bench/README.md for the model. V distinct words (default 200000), word\n"
                 "frequencies Zipf-distributed with exponent E (default 1.0).\n";
    return 0;
  }
  args.ExpectPositional(0, "no positional arguments");
  CorpusModel model;
  const std::uint64_t docs = args.RequireUint("docs");
  model.seed = args.RequireUint("seed");
  const std::uint64_t vocabulary = args.GetUint("vocabulary", model.vocabulary);
  if (vocabulary < 100 || vocabulary > 50'000'000) {
    throw UsageError("--vocabulary must be between 100 and 50000000");
  }
  model.vocabulary = static_cast<std::uint32_t>(vocabulary);
  if (args.Has("zipf")) {
    const std::string text = args.GetString("zipf", "");
    char* end = nullptr;
    model.zipf_exponent = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(model.zipf_exponent > 0.0) ||
        model.zipf_exponent > 3.0) {
      throw UsageError("--zipf: expected an exponent in (0, 3], got '" + text + "'");
    }
  }

  const std::string format = args.GetString("format", "jsonl");
  if (format != "jsonl" && format != "trec" && format != "warc") {
    throw UsageError("--format: expected jsonl, trec or warc, not '" + format + "'");
  }
  const auto append = format == "trec"   ? &AppendTrecDoc
                      : format == "warc" ? &AppendWarcRecord
                                         : &AppendJsonLine;

  const auto start = std::chrono::steady_clock::now();
  CorpusGenerator generator(model);
  OutputFile output(args.GetString("output", ""));
  GeneratedDocument document;
  std::string buffer;
  constexpr std::size_t kFlushBytes = 1 << 20;
  buffer.reserve(kFlushBytes + (1 << 16));
  std::uint64_t bytes = 0;
  for (std::uint64_t i = 0; i < docs; ++i) {
    generator.Next(document);
    append(document, buffer);
    if (buffer.size() >= kFlushBytes) {
      output.Write(buffer);
      bytes += buffer.size();
      buffer.clear();
    }
  }
  output.Write(buffer);
  bytes += buffer.size();
  output.Close();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // On stderr, so that stdout stays pure corpus.
  std::cerr << "generated " << docs << " documents (" << bytes << " bytes) in " << seconds
            << " s\n";
  return 0;
}

}  // namespace fathom::bench
