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

#include <sys/resource.h>

#include <iomanip>

#include "common/analysis/fields.hpp"
#include "common/command_line.hpp"
#include "common/error.hpp"
#include "common/format/format.hpp"
#include "indexer/check/index_checker.hpp"
#include "indexer/write/index_builder.hpp"
#include "indexer/write/index_editor.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace fathom;

namespace {

std::atomic<bool> g_cancel{false};

std::uint64_t PeakResidentBytes() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux: kilobytes
}

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

// "1G", "512M", "64K", "1000": a size in bytes, K/M/G powers of 1024, at
// most `limit`.
std::uint64_t ParseSize(const std::string& option, const std::string& text, std::uint64_t limit) {
  const auto bad = [&] {
    return InputError("--" + option + ": '" + text + "' is not a size from 1 byte to " +
                      std::to_string(limit) + " bytes (e.g. 1G, 500M, 64K)");
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
  if (text[0] == '-' || value == 0 || value > (limit >> shift)) throw bad();
  return std::min(value << shift, limit);
}

// One terminal line: phase, documents, bytes read, rate, memory, runs, and
// the time left when it can be estimated (the corpus size is known while
// inverting; the number of postings while merging).
std::string FormatProgress(const BuildProgress& p) {
  std::ostringstream line;
  if (p.phase == BuildPhase::kReordering) {
    line << PhaseName(p.phase) << ": " << FormatCount(p.documents)
         << " docs by graph bisection, then rewriting them in the new order";
    return line.str();
  }
  line << PhaseName(p.phase) << ": " << FormatCount(p.documents) << " docs, "
       << FormatBytes(static_cast<double>(p.bytes_read));
  double fraction = 0;
  if (p.phase == BuildPhase::kInverting && p.total_bytes > 0) {
    fraction = static_cast<double>(p.bytes_read) / static_cast<double>(p.total_bytes);
    line << " of " << FormatBytes(static_cast<double>(p.total_bytes)) << " ("
         << static_cast<int>(100 * fraction) << "%)";
  }
  const double seconds = std::max(p.seconds, 1e-3);
  line << ", " << FormatBytes(static_cast<double>(p.bytes_read) / seconds) << "/s, memory "
       << FormatBytes(static_cast<double>(p.memory_bytes)) << ", " << p.runs << " runs";
  if (p.phase == BuildPhase::kMerging && p.postings_total > 0) {
    line << ", merged " << static_cast<int>(100.0 * p.postings_merged / p.postings_total) << "% of "
         << FormatCount(p.postings_total) << " postings";
  }
  if (fraction > 0.01) {
    line << ", ~" << static_cast<int>(seconds * (1 - fraction) / fraction) << " s left";
  }
  line << ", " << static_cast<int>(p.seconds) << " s";
  return line.str();
}

void PrintUsage(const po::options_description& options) {
  std::cout << "Usage: fathom-index [build] CORPUS INDEX [options]\n"
               "       fathom-index add INDEX CORPUS [options]\n"
               "       fathom-index delete INDEX [ID...] [--ids FILE]\n"
               "       fathom-index merge INDEX [--reorder on]\n"
               "       fathom-index sync FOLDER INDEX [options]\n"
               "       fathom-index check INDEX\n\n"
               "Builds a search index at INDEX (a folder) from CORPUS: a folder of text files\n"
               "(walked recursively), a text file, or a JSON Lines file (.jsonl, .ndjson, .json;\n"
               "any of them may be .zst-compressed). An existing index at INDEX is replaced\n"
               "only when the new one is complete.\n\n"
               "add indexes more documents into a new segment of INDEX (with INDEX's analysis\n"
               "settings); a document whose id is already in INDEX replaces the old one.\n"
               "delete marks documents deleted by id; merge rewrites all segments as one and\n"
               "drops deleted documents. Each change is atomic: a searcher sees the index as\n"
               "it was before or after it, and a crash leaves one or the other.\n\n"
               "sync makes INDEX follow FOLDER: new files are added, changed ones (size or\n"
               "time differ, then confirmed by a content hash) read again, removed ones\n"
               "deleted; unchanged files are not read. The result is the index a fresh build\n"
               "of FOLDER gives. Pass the options the index was built with.\n\n"
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

// What sync did, in one line, then the files it added, read again and
// removed (the first few of each).
void PrintSync(const std::string& folder, const std::string& index, const SyncSummary& synced) {
  if (synced.built) {
    std::cout << index << ": no index yet; built one from " << folder << "\n";
    return;
  }
  std::cout << "Synced " << index << " with " << folder << " in " << std::fixed
            << std::setprecision(2) << synced.seconds << " s: ";
  if (!synced.wrote) {
    std::cout << "up to date (" << FormatCount(synced.unchanged) << " files unchanged, "
              << FormatCount(synced.live_documents) << " documents)\n";
    return;
  }
  std::cout << FormatCount(synced.added.size()) << " added, " << FormatCount(synced.changed.size())
            << " changed, " << FormatCount(synced.removed.size()) << " removed, "
            << FormatCount(synced.unchanged + synced.touched) << " unchanged ("
            << FormatCount(synced.touched) << " with a new time only); "
            << FormatCount(synced.documents_added) << " documents added, "
            << FormatCount(synced.documents_removed) << " removed; "
            << FormatCount(synced.live_documents) << " documents\n";
  const auto list = [](const std::vector<std::string>& paths, const char* mark) {
    for (std::size_t i = 0; i < paths.size() && i < kMaxWarningsShown; ++i) {
      std::cout << "  " << mark << " " << paths[i] << "\n";
    }
    if (paths.size() > kMaxWarningsShown) {
      std::cout << "  " << mark << " ... and " << paths.size() - kMaxWarningsShown << " more\n";
    }
  };
  list(synced.added, "+");
  list(synced.changed, "~");
  list(synced.removed, "-");
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
    ("schema", po::value<std::string>(),
     "JSON file declaring fields: {\"year\": \"integer\", \"abstract\": \"text\",\n"
     "\"sku\": {\"type\": \"keyword\", \"stored\": false}} (text, keyword, integer,\n"
     "float, date, boolean; stored, searchable, sortable: true unless set false);\n"
     "undeclared fields are inferred")
    ("include-hidden", po::bool_switch(), "folders: also index files and folders named .*")
    ("max-document-size", po::value<std::string>()->default_value("1G"),
     "skip text files larger than this (JSON Lines: lines longer are bad lines); "
     "bytes, or with K, M, G (powers of 1024); at most 3.7G")
    ("memory,m", po::value<std::string>(),
     "bound on the indexer's memory (e.g. 1G, 512M); postings are flushed to disk as sorted "
     "runs and merged when it is reached (default: a quarter of the machine's memory)")
    ("threads,t", po::value<unsigned>()->default_value(0),
     "analysis threads (default 0: one per core)")
    ("segments", po::value<unsigned>()->default_value(1),
     "segments a fresh build leaves (documents split evenly; 1 searches fastest)")
    ("reorder", po::value<std::string>()->default_value(kReorderByDefault ? "on" : "off"),
     "on: number documents so that similar ones sit together (recursive graph bisection): "
     "smaller postings, faster queries, a longer build; build, merge and sync take it")
    ("reorder-min-df", po::value<std::uint32_t>()->default_value(ReorderOptions{}.min_doc_frequency),
     "reordering uses the terms in at least this many documents")
    ("ids", po::value<std::string>(), "delete: read the ids to delete from this file, one a line")
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
  std::string command = "build";
  for (const char* name : {"build", "check", "add", "delete", "merge", "sync"}) {
    if (!args.empty() && args[0] == name) {
      command = name;
      args.erase(args.begin());
    }
  }
  const std::string reorder_setting = vm["reorder"].as<std::string>();
  if (reorder_setting != "on" && reorder_setting != "off") {
    throw InputError("--reorder: 'on' or 'off', not '" + reorder_setting + "'");
  }
  const bool reorder = reorder_setting == "on";
  if (reorder && command != "build" && command != "merge" && command != "sync") {
    throw InputError("--reorder on: only a build, merge or sync reorders documents; " + command +
                     " keeps their order (merge --reorder on afterwards reorders the whole index)");
  }
  if (command == "check") {
    if (args.size() != 1) {
      std::cerr << "fathom-index: check expects one INDEX folder (see fathom-index --help)\n";
      return 2;
    }
    return Check(args[0]);
  }
  if (command == "delete") {
    if (args.empty() || (args.size() == 1 && !vm.count("ids"))) {
      std::cerr << "fathom-index: delete expects INDEX and document ids, or --ids FILE (see "
                   "fathom-index --help)\n";
      return 2;
    }
    std::vector<std::string> ids(args.begin() + 1, args.end());
    if (vm.count("ids")) {
      const std::string path = vm["ids"].as<std::string>();
      std::ifstream in(path);
      if (!in) throw InputError(path + ": cannot open the id list");
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) ids.push_back(line);
      }
    }
    const DeleteSummary summary = DeleteDocuments(args[0], ids);
    std::cout << "Deleted " << FormatCount(summary.deleted) << " documents from " << args[0] << "; "
              << FormatCount(summary.live_documents) << " remain\n";
    for (std::size_t i = 0; i < summary.not_found.size() && i < kMaxWarningsShown; ++i) {
      std::cerr << "warning: no document has the id '" << summary.not_found[i] << "'\n";
    }
    if (summary.not_found.size() > kMaxWarningsShown) {
      std::cerr << "warning: ... and " << summary.not_found.size() - kMaxWarningsShown
                << " more ids not found\n";
    }
    return 0;
  }
  if (command == "merge") {
    if (args.size() != 1) {
      std::cerr << "fathom-index: merge expects one INDEX folder (see fathom-index --help)\n";
      return 2;
    }
    ReorderOptions reorder_options;
    reorder_options.min_doc_frequency = vm["reorder-min-df"].as<std::uint32_t>();
    const MergeSummary summary =
        MergeSegments(args[0], nullptr, reorder ? &reorder_options : nullptr);
    if (summary.segments_before <= 1 && summary.dropped == 0) {
      std::cout << args[0] << ": already one segment with nothing deleted; nothing to do\n";
    } else {
      std::cout << "Merged " << summary.segments_before << " segments of " << args[0]
                << " into one (" << FormatCount(summary.documents) << " documents, "
                << FormatCount(summary.dropped) << " deleted documents dropped) in " << std::fixed
                << std::setprecision(2) << summary.seconds << " s\n";
    }
    return 0;
  }
  if (args.size() != 2) {
    std::cerr << (command == "add"    ? "fathom-index: add expects INDEX and CORPUS"
                  : command == "sync" ? "fathom-index: sync expects FOLDER and INDEX"
                                      : "fathom-index: expected CORPUS and INDEX")
              << " (see fathom-index --help)\n";
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
  if (vm.count("schema")) {
    build.corpus.schema = ReadSchemaFile(vm["schema"].as<std::string>());
    // Text fields join the body, as --body-field names them.
    for (const std::string& field : build.corpus.schema.text_fields) {
      if (std::find(build.corpus.body_fields.begin(), build.corpus.body_fields.end(), field) ==
          build.corpus.body_fields.end()) {
        build.corpus.body_fields.push_back(field);
      }
    }
  }
  build.corpus.include_hidden = vm["include-hidden"].as<bool>();
  build.corpus.max_document_bytes = ParseSize(
      "max-document-size", vm["max-document-size"].as<std::string>(), kMaxDocumentBytesLimit);
  if (vm.count("memory")) {
    build.memory_bytes = ParseSize("memory", vm["memory"].as<std::string>(), 1ull << 50);
    if (build.memory_bytes < kMinMemoryBudget) {
      throw InputError("--memory: at least " + std::to_string(kMinMemoryBudget >> 20) +
                       "M is needed");
    }
  }
  build.threads = vm["threads"].as<unsigned>();
  build.segments = vm["segments"].as<unsigned>();
  build.reorder = reorder;
  build.reorder_options.min_doc_frequency = vm["reorder-min-df"].as<std::uint32_t>();
  if (build.segments == 0 || build.segments > 1000) {
    throw InputError("--segments: from 1 to 1000");
  }
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
  const auto progress = [&](const BuildProgress& p) {
    std::cerr << "\r" << FormatProgress(p) << "\033[K" << std::flush;
    progress_shown = true;
  };

  std::signal(SIGINT, [](int) { g_cancel = true; });
  std::signal(SIGTERM, [](int) { g_cancel = true; });
  BuildSummary summary;
  std::string added_note;
  try {
    const ProgressSink sink = show_progress ? ProgressSink(progress) : ProgressSink();
    if (command == "sync") {
      const SyncSummary synced = SyncFolder(args[0], args[1], build, warn, sink);
      clear_progress();
      PrintSync(args[0], args[1], synced);
      if (!synced.built) return 0;
      summary = synced.build;
    } else if (command == "add") {
      const AddSummary added = AddDocuments(args[1], args[0], build, warn, sink);
      summary = added.build;
      added_note = "  index now       " + std::to_string(added.segments) + " segments, " +
                   FormatCount(added.live_documents) + " documents (" +
                   FormatCount(added.replaced) + " replaced by re-added ids)\n";
      std::swap(args[0], args[1]);  // the summary names CORPUS then INDEX
    } else {
      summary = BuildIndex(args[0], args[1], build, warn, sink);
    }
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
  const double seconds = std::max(summary.seconds, 1e-3);
  std::cout << summary.seconds << " s\n"
            << "  throughput      "
            << FormatCount(static_cast<std::uint64_t>(meta.document_count / seconds)) << " docs/s, "
            << FormatBytes(static_cast<double>(corpus.bytes_read) / seconds) << "/s, "
            << summary.threads << " threads\n"
            << "  memory          peak " << FormatBytes(static_cast<double>(PeakResidentBytes()))
            << " resident, budget " << FormatBytes(static_cast<double>(summary.memory_budget))
            << "; " << summary.runs << " sorted runs ("
            << FormatBytes(static_cast<double>(summary.run_bytes)) << ") merged in "
            << summary.merge_seconds << " s\n"
            << added_note;
  if (summary.reordered) {
    const ReorderSummary& r = summary.reorder;
    std::cout << "  reordered       by graph bisection: " << FormatCount(r.units)
              << " units (a file's documents move as one), " << FormatCount(r.terms)
              << " terms in at least " << FormatCount(r.min_doc_frequency) << " documents ("
              << FormatCount(r.edges) << " pairs), " << r.seconds << " s; rewritten in "
              << summary.reorder_rewrite_seconds << " s\n";
  }
  std::cout << "  distinct terms  " << FormatCount(meta.term_count) << "\n"
            << "  postings        " << FormatCount(meta.posting_count) << "\n"
            << "  tokens          " << FormatCount(meta.total_length) << "\n"
            << "  analysis        language " << meta.analysis.language << ", stop words "
            << (meta.analysis.stop_words.empty() ? std::string("off")
                                                 : FormatCount(meta.analysis.stop_words.size()))
            << "\n";
  if (corpus.html.documents + corpus.pdf.documents + corpus.trec_files + corpus.warc_files +
          corpus.archives >
      0) {
    // Documents and bytes per format, for folders of more than plain text.
    const auto tally = [](const FormatTally& counted, const char* name) {
      return FormatCount(counted.documents) + " " + name + " (" +
             FormatBytes(static_cast<double>(counted.bytes)) + ")";
    };
    std::cout << "  formats         " << tally(corpus.text, "text") << ", "
              << tally(corpus.html, "HTML") << ", " << tally(corpus.pdf, "PDF") << ", "
              << tally(corpus.trec, "TREC SGML") << " from " << FormatCount(corpus.trec_files)
              << " files, " << tally(corpus.warc, "WARC") << " from "
              << FormatCount(corpus.warc_files) << " files\n";
    if (corpus.archives > 0) {
      std::cout << "  archives        " << FormatCount(corpus.archive_members) << " documents from "
                << FormatCount(corpus.archives) << " archives\n";
    }
  }
  if (corpus.skipped_binary + corpus.skipped_unreadable + corpus.skipped_members +
          corpus.skipped_pdf + corpus.skipped_lines + corpus.skipped_too_large +
          corpus.skipped_links + corpus.repaired_documents + summary.truncated_words >
      0) {
    std::cout << "  skipped         " << corpus.skipped_binary << " binary, "
              << corpus.skipped_unreadable << " unreadable, " << corpus.skipped_too_large
              << " too large, " << corpus.skipped_pdf << " PDFs (encrypted or damaged), "
              << corpus.skipped_members << " archive members or WARC records, "
              << corpus.skipped_links << " broken links, " << corpus.skipped_lines << " bad lines\n"
              << "  repaired        " << corpus.repaired_documents
              << " documents with invalid UTF-8; " << summary.truncated_words << " words cut to "
              << kMaxTermBytes << " bytes\n";
  }
  std::uint64_t posting_bytes = 0;
  for (const auto& file : meta.files) {
    if (file.name == format::kPostingsFile.file_name) posting_bytes = file.size;
  }
  std::cout << "  index size      " << FormatBytes(static_cast<double>(index_bytes)) << "; "
            << std::setprecision(2)
            << (meta.posting_count == 0 ? 0.0 : 8.0 * posting_bytes / meta.posting_count)
            << " bits per posting (doc ids and frequencies, " << format::kPostingsFile.file_name
            << ")\n";
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
