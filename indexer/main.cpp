// fathom-index: builds a search index from a folder of text files or a JSON
// Lines file.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/command_line.hpp"
#include "common/error.hpp"
#include "indexer/index_builder.hpp"
#include "indexer/index_checker.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace fathom;

namespace {

std::atomic<bool> g_cancel{false};

constexpr std::size_t kMaxWarningsShown = 20;

std::vector<std::string> ReadStopWordsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open stop word file");
  std::vector<std::string> words;
  std::string line;
  Analyzer folding(AnalysisSettings{"none", {}});
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    // Stop words are matched after case folding: fold the list the same way.
    for (const auto& token : folding.AnalyzeAll(line)) words.push_back(token.term);
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

// "1G", "512M", "64K", "1000": a size in bytes, K/M/G powers of 1024.
std::uint64_t ParseSize(const std::string& text) {
  const auto bad = [&] {
    return InputError("--max-document-size: '" + text + "' is not a size from 1 byte to " +
                      std::to_string(kMaxDocumentBytesLimit) + " bytes (e.g. 1G, 500M, 64K)");
  };
  std::size_t used = 0;
  std::uint64_t value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    throw bad();
  }
  const std::string unit = text.substr(used);
  int shift = 0;
  if (unit == "K" || unit == "k") {
    shift = 10;
  } else if (unit == "M" || unit == "m") {
    shift = 20;
  } else if (unit == "G" || unit == "g") {
    shift = 30;
  } else if (!unit.empty()) {
    throw bad();
  }
  if (text[0] == '-' || value == 0 || value > (kMaxDocumentBytesLimit >> shift)) throw bad();
  return std::min(value << shift, kMaxDocumentBytesLimit);
}

void PrintUsage(const po::options_description& options) {
  std::cout << "Usage: fathom-index [build] CORPUS INDEX [options]\n"
               "       fathom-index check INDEX\n\n"
               "Builds a search index at INDEX (a folder) from CORPUS: a folder of text files\n"
               "(walked recursively), a text file, or a JSON Lines file (.jsonl, .ndjson, .json;\n"
               "any of them may be .zst-compressed). An existing index at INDEX is replaced\n"
               "only when the new one is complete.\n\n"
               "check reads every byte of an index: checksums and every structural invariant.\n"
               "It prints the first problem (file and offset) and exits 1, or exits 0 when the\n"
               "index is sound.\n\n"
            << options
            << "\nExamples:\n"
               "  fathom-index ~/notes ~/notes.idx\n"
               "  fathom-index corpus.jsonl.zst idx --body-field abstract,text\n";
}

int Check(const std::string& index) {
  const auto start = std::chrono::steady_clock::now();
  const CheckReport report = CheckIndex(index);
  if (!report.sound) {
    std::cerr << "fathom-index: check: " << report.problem << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << index << ": sound (" << report.segments
            << (report.segments == 1 ? " segment, " : " segments, ") << report.files << " files, "
            << FormatBytes(static_cast<double>(report.bytes)) << " checksummed; "
            << FormatCount(report.terms) << " terms, " << FormatCount(report.postings)
            << " postings, " << FormatCount(report.documents) << " documents ("
            << FormatCount(report.deleted) << " deleted) verified in ";
  std::cout.precision(2);
  std::cout << std::fixed << seconds << " s)\n";
  return 0;
}

int Run(int argc, char** argv) {
  po::options_description options("Options");
  // clang-format off
  options.add_options()
    ("help,h", "show this help")
    ("format", po::value<std::string>()->default_value("auto"),
     "corpus format: auto, text (folder or file of text), jsonl")
    ("language", po::value<std::string>()->default_value("english"),
     "Snowball stemming language, or 'none' (see --list-languages)")
    ("stop-words", po::bool_switch(), "drop the language's built-in stop words")
    ("stop-words-file", po::value<std::string>(), "drop the words listed in this file (one a line)")
    ("id-field", po::value<std::string>()->default_value("id"), "JSON Lines: field holding the id")
    ("title-field", po::value<std::string>()->default_value("title"),
     "JSON Lines: title field(s), comma-separated; the first present is used")
    ("body-field", po::value<std::string>()->default_value("body,contents,text"),
     "JSON Lines: body field(s), comma-separated; all present are indexed")
    ("skip-bad-lines", po::bool_switch(), "JSON Lines: skip unparsable lines instead of failing")
    ("include-hidden", po::bool_switch(), "folders: also index files and folders named .*")
    ("max-document-size", po::value<std::string>()->default_value("1G"),
     "skip text files larger than this (JSON Lines: lines longer are bad lines); "
     "bytes, or with K, M, G (powers of 1024); at most 3.7G")
    ("quiet,q", po::bool_switch(), "no progress line and no warnings")
    ("list-languages", po::bool_switch(), "list the stemming languages and exit");
  // clang-format on
  const CommandLine command_line = ParseCommandLine(argc, argv, options);
  const po::variables_map& vm = command_line.options;
  if (vm.count("help")) {
    PrintUsage(options);
    return 0;
  }
  if (vm["list-languages"].as<bool>()) {
    for (const auto& language : StemmerLanguages()) std::cout << language << "\n";
    return 0;
  }
  std::vector<std::string> args = command_line.arguments;
  if (!args.empty() && args[0] == "check") {
    if (args.size() != 2) {
      std::cerr << "fathom-index: check expects one INDEX folder (see fathom-index --help)\n";
      return 2;
    }
    return Check(args[1]);
  }
  if (!args.empty() && args[0] == "build") args.erase(args.begin());
  if (args.size() != 2) {
    std::cerr << "fathom-index: expected CORPUS and INDEX (see fathom-index --help)\n";
    return 2;
  }

  BuildOptions build;
  const std::string format = vm["format"].as<std::string>();
  if (format == "auto") {
    build.corpus.format = CorpusFormat::kAuto;
  } else if (format == "text") {
    build.corpus.format = CorpusFormat::kTextFiles;
  } else if (format == "jsonl") {
    build.corpus.format = CorpusFormat::kJsonLines;
  } else {
    throw InputError("--format: unknown format '" + format + "' (auto, text, jsonl)");
  }
  build.corpus.id_field = vm["id-field"].as<std::string>();
  build.corpus.title_fields = SplitList(vm["title-field"].as<std::string>());
  build.corpus.body_fields = SplitList(vm["body-field"].as<std::string>());
  build.corpus.skip_bad_lines = vm["skip-bad-lines"].as<bool>();
  build.corpus.include_hidden = vm["include-hidden"].as<bool>();
  build.corpus.max_document_bytes = ParseSize(vm["max-document-size"].as<std::string>());
  build.analysis.language = vm["language"].as<std::string>();
  if (vm.count("stop-words-file")) {
    build.analysis.stop_words = ReadStopWordsFile(vm["stop-words-file"].as<std::string>());
  } else if (vm["stop-words"].as<bool>()) {
    build.analysis.stop_words = DefaultStopWords(build.analysis.language);
  }
  build.cancel = &g_cancel;

  const bool quiet = vm["quiet"].as<bool>();
  const bool show_progress = !quiet && ::isatty(STDERR_FILENO);
  std::size_t warnings = 0;
  bool progress_shown = false;
  const auto clear_progress = [&] {
    if (progress_shown) std::cerr << "\r\033[K";
    progress_shown = false;
  };
  const WarningSink warn = [&](const std::string& message) {
    if (quiet) return;
    if (++warnings <= kMaxWarningsShown) {
      clear_progress();
      std::cerr << "warning: " << message << "\n";
    }
  };
  auto last_shown = std::chrono::steady_clock::now();
  const auto progress = [&](const BuildProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_shown < std::chrono::milliseconds(250)) return;
    last_shown = now;
    std::ostringstream line;
    line << "\rindexing: " << FormatCount(p.documents) << " docs, " << FormatBytes(p.bytes_read);
    if (p.total_bytes > 0) {
      line << " of " << FormatBytes(p.total_bytes) << " ("
           << static_cast<int>(100.0 * p.bytes_read / p.total_bytes) << "%)";
    }
    line << ", " << FormatCount(static_cast<std::uint64_t>(p.documents / std::max(p.seconds, 1e-3)))
         << " docs/s, " << static_cast<int>(p.seconds) << " s\033[K";
    std::cerr << line.str() << std::flush;
    progress_shown = true;
  };

  std::signal(SIGINT, [](int) { g_cancel = true; });
  std::signal(SIGTERM, [](int) { g_cancel = true; });
  BuildSummary summary;
  try {
    summary = BuildIndex(args[0], args[1], build, warn,
                         show_progress ? std::function<void(const BuildProgress&)>(progress)
                                       : std::function<void(const BuildProgress&)>());
  } catch (...) {
    clear_progress();
    throw;
  }
  clear_progress();
  if (warnings > kMaxWarningsShown) {
    std::cerr << "warning: ... and " << warnings - kMaxWarningsShown << " more warning(s)\n";
  }

  const IndexMeta& meta = summary.meta;
  const CorpusStats& corpus = summary.corpus;
  std::uint64_t index_bytes = 0;
  for (const auto& file : meta.files) index_bytes += file.size;
  std::cout << "Indexed " << FormatCount(meta.document_count) << " documents ("
            << FormatBytes(static_cast<double>(corpus.bytes_read)) << " read) into " << args[1]
            << " in " << std::fixed;
  std::cout.precision(2);
  std::cout << summary.seconds << " s\n"
            << "  distinct terms  " << FormatCount(meta.term_count) << "\n"
            << "  postings        " << FormatCount(meta.posting_count) << "\n"
            << "  tokens          " << FormatCount(meta.total_length) << "\n"
            << "  analysis        language " << meta.analysis.language << ", stop words "
            << (meta.analysis.stop_words.empty() ? std::string("off")
                                                 : FormatCount(meta.analysis.stop_words.size()))
            << "\n";
  if (corpus.skipped_binary + corpus.skipped_unreadable + corpus.skipped_compressed +
          corpus.skipped_lines + corpus.skipped_too_large + corpus.skipped_links +
          corpus.repaired_documents + summary.truncated_words >
      0) {
    std::cout << "  skipped         " << corpus.skipped_binary << " binary, "
              << corpus.skipped_unreadable << " unreadable, " << corpus.skipped_compressed
              << " compressed (.gz...), " << corpus.skipped_too_large << " too large files, "
              << corpus.skipped_links << " broken links, " << corpus.skipped_lines << " bad lines\n"
              << "  repaired        " << corpus.repaired_documents
              << " documents with invalid UTF-8; " << summary.truncated_words
              << " words cut to 255 bytes\n";
  }
  std::cout << "  index size      " << FormatBytes(static_cast<double>(index_bytes)) << "\n";
  for (const auto& file : meta.files) {
    std::cout << "    " << file.name
              << std::string(14 - std::min<std::size_t>(13, file.name.size()), ' ')
              << FormatBytes(static_cast<double>(file.size)) << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return RunCommandLine("fathom-index", [&] { return Run(argc, argv); });
}
