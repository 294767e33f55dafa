#include "searcher/prompt.hpp"

#include <editline/readline.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common/command_line.hpp"
#include "common/error.hpp"

namespace fathom {
namespace {

constexpr const char* kHelp =
    "Type a query and press Enter. Query syntax:\n"
    "  words            ranked by BM25 (any word may match)\n"
    "  \"a phrase\"       the words in this order, next to each other\n"
    "  +word +\"phrase\"  required        -word -\"phrase\"  excluded\n"
    "Commands:\n"
    "  :help            this text\n"
    "  :k N             show N results per query (now %K%)\n"
    "  :doc N           show result N of the last query in full (or :doc ID)\n"
    "  :stats           index statistics\n"
    "  :quit            leave (or Ctrl-D)\n";

std::string HistoryPath() {
  const char* home = std::getenv("HOME");
  return home == nullptr ? std::string() : std::string(home) + "/.fathom_history";
}

std::string Trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

void PrintStats(const IndexReader& reader) {
  const IndexMeta& meta = reader.meta();
  std::uint64_t bytes = 0;
  for (const auto& file : meta.files) bytes += file.size;
  std::cout << "index        " << reader.dir().string() << "\n"
            << "documents    " << FormatCount(meta.document_count) << "\n"
            << "terms        " << FormatCount(meta.term_count) << "\n"
            << "postings     " << FormatCount(meta.posting_count) << "\n"
            << "avg length   " << meta.average_length() << " terms\n"
            << "size         " << FormatBytes(static_cast<double>(bytes)) << "\n"
            << "language     " << meta.analysis.language << "\n"
            << "stop words   "
            << (meta.analysis.stop_words.empty() ? std::string("off")
                                                 : std::to_string(meta.analysis.stop_words.size()))
            << "\n";
}

}  // namespace

int RunPrompt(Searcher& searcher, PromptSettings settings) {
  const std::string history = HistoryPath();
  using_history();
  if (!history.empty()) read_history(history.c_str());
  std::cout << "Fathom: " << searcher.reader().document_count() << " documents in "
            << searcher.reader().dir().string() << ". Type a query, :help, or :quit.\n";
  SearchResult last;
  bool have_last = false;
  while (true) {
    char* raw = readline("fathom> ");
    if (raw == nullptr) {
      std::cout << "\n";
      break;
    }
    const std::string line = Trim(raw);
    std::free(raw);
    if (line.empty()) continue;
    add_history(line.c_str());
    if (!history.empty()) write_history(history.c_str());
    try {
      if (line[0] == ':') {
        std::istringstream command(line.substr(1));
        std::string name, argument;
        command >> name;
        std::getline(command, argument);
        argument = Trim(argument);
        if (name == "q" || name == "quit" || name == "exit") break;
        if (name == "h" || name == "help") {
          std::string help = kHelp;
          help.replace(help.find("%K%"), 3, std::to_string(settings.search.k));
          std::cout << help;
        } else if (name == "k") {
          char* end = nullptr;
          const long k = std::strtol(argument.c_str(), &end, 10);
          if (argument.empty() || *end != '\0' || k < 1 || k > 100000) {
            std::cout << ":k takes a number from 1 to 100000\n";
          } else {
            settings.search.k = static_cast<std::size_t>(k);
            std::cout << "showing " << k << " results per query\n";
          }
        } else if (name == "doc") {
          char* end = nullptr;
          const long rank = std::strtol(argument.c_str(), &end, 10);
          if (!argument.empty() && *end == '\0' && have_last && rank >= 1 &&
              static_cast<std::size_t>(rank) <= last.hits.size()) {
            PrintDocument(std::cout, searcher, last.hits[rank - 1].doc, settings.style);
          } else if (const auto doc = searcher.reader().FindExternalId(argument)) {
            PrintDocument(std::cout, searcher, *doc, settings.style);
          } else {
            std::cout << ":doc takes a result number of the last query or a document id\n";
          }
        } else if (name == "stats") {
          PrintStats(searcher.reader());
        } else {
          std::cout << "unknown command ':" << name
                    << "' (known: :help, :k N, :doc N, :stats, :quit)\n";
        }
        continue;
      }
      last = searcher.Search(line, settings.search);
      have_last = true;
      PrintResults(std::cout, searcher, last, settings.style);
      std::cout << std::endl;
    } catch (const Error& e) {
      std::cout << "error: " << e.what() << "\n";
    }
  }
  return 0;
}

}  // namespace fathom
