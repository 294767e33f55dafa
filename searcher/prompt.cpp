#include "searcher/prompt.hpp"

#include <editline/readline.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "common/command_line.hpp"
#include "common/error.hpp"
#include "searcher/present/explain.hpp"

namespace fathom {
namespace {

constexpr const char* kHelp =
    "Type a query and press Enter. Query syntax:\n"
    "  words            ranked by BM25 (any word may match)\n"
    "  \"a phrase\"       the words in this order, next to each other\n"
    "  +word +\"phrase\"  required        -word -\"phrase\"  excluded\n"
    "  field:value      a typed field: year:2001, date:[2025-02-01 TO 2025-02-28],\n"
    "                   size:>1000, folder:docs/* (never changes a score)\n"
    "Commands:\n"
    "  :help            this text\n"
    "  :k N             show N results per page (now %K%)\n"
    "  :next, :prev     the next or previous page of results (:n, :p)\n"
    "  :doc N           show result N in full (or :doc ID)\n"
    "  :explain N       why result N scores what it does, clause by clause\n"
    "  :count [QUERY]   the exact number of documents QUERY (or the last query)\n"
    "                   matches; results count exactly only up to %UPTO% (then: %UPTO%+)\n"
    "  :duplicates on|off  fold near-duplicate documents under the first (now %DUP%)\n"
    "  :sort [FIELD[:asc|desc],...]  order results by fields (no argument: by score)\n"
    "  :facet [FIELD[:BUCKETS][:N] ...]  count the matches' values (no argument: none)\n"
    "  :fields          the index's typed fields\n"
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

void PrintStats(const IndexSnapshot& snapshot) {
  std::uint64_t bytes = 0, terms = 0, postings = 0;
  for (const SnapshotSegment& segment : snapshot.segments()) {
    const IndexMeta& meta = segment.reader->meta();
    for (const auto& file : meta.files) bytes += file.size;
    terms += meta.term_count;
    postings += meta.posting_count;
  }
  const std::uint64_t deleted = snapshot.document_count() - snapshot.live_count();
  const bool several = snapshot.segments().size() > 1;
  const AnalysisSettings& analysis = snapshot.analysis();
  std::cout << "index        " << snapshot.dir().string() << "\n"
            << "segments     " << snapshot.segments().size() << "\n"
            << "documents    " << FormatCount(snapshot.live_count());
  if (deleted > 0) {
    std::cout << " (" << FormatCount(deleted)
              << " deleted ones still counted in the statistics until a merge)";
  }
  std::cout << "\n"
            << "terms        " << FormatCount(terms) << (several ? " (summed over segments)" : "")
            << "\n"
            << "postings     " << FormatCount(postings) << "\n"
            << "avg length   " << snapshot.average_length() << " terms\n"
            << "size         " << FormatBytes(static_cast<double>(bytes)) << "\n"
            << "language     " << analysis.language << "\n"
            << "stop words   "
            << (analysis.stop_words.empty() ? std::string("off")
                                            : std::to_string(analysis.stop_words.size()))
            << "\n";
}

// The document shown as result number `rank` (as typed) on the current
// page, if there is one.
std::optional<DocId> ShownResult(const DisplayResult& shown, const std::string& rank) {
  char* end = nullptr;
  const long number = std::strtol(rank.c_str(), &end, 10);
  if (rank.empty() || *end != '\0' || number < 1) return std::nullopt;
  const auto at = static_cast<std::size_t>(number);
  if (at < shown.first_rank || at - shown.first_rank >= shown.groups.size()) return std::nullopt;
  return shown.groups[at - shown.first_rank].hit.doc;
}

}  // namespace

int RunPrompt(Searcher& searcher, PromptSettings settings) {
  const std::string history = HistoryPath();
  using_history();
  if (!history.empty()) read_history(history.c_str());
  std::cout << "Fathom: " << searcher.snapshot().live_count() << " documents in "
            << searcher.snapshot().dir().string() << ". Type a query, :help, or :quit.\n";
  std::string last_query;
  std::size_t page = 0;
  DisplayResult shown;
  const auto show = [&] {
    shown = SearchForDisplay(searcher, last_query, settings.search, settings.fold_duplicates, page);
    PrintResults(std::cout, searcher, shown, settings.style);
    if (shown.groups.empty() && page > 0) std::cout << "(no more results)\n";
    std::cout << std::endl;
  };
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
          help.replace(help.find("%DUP%"), 5, settings.fold_duplicates ? "on" : "off");
          const std::string up_to = FormatCount(settings.search.count_exactly_up_to);
          for (std::size_t at; (at = help.find("%UPTO%")) != std::string::npos;) {
            help.replace(at, 6, up_to);
          }
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
        } else if (name == "n" || name == "next" || name == "p" || name == "prev") {
          const bool forward = name == "n" || name == "next";
          if (last_query.empty()) {
            std::cout << "no query yet\n";
          } else if (!forward && page == 0) {
            std::cout << "already on the first page\n";
          } else {
            page = forward ? page + 1 : page - 1;
            show();
          }
        } else if (name == "duplicates") {
          if (argument != "on" && argument != "off") {
            std::cout << ":duplicates takes on or off\n";
          } else {
            settings.fold_duplicates = argument == "on";
            std::cout << "near-duplicate folding " << argument << "\n";
          }
        } else if (name == "doc") {
          if (const auto doc = ShownResult(shown, argument)) {
            PrintDocument(std::cout, searcher, *doc, settings.style);
          } else if (const auto by_id = searcher.snapshot().FindExternalId(argument)) {
            PrintDocument(std::cout, searcher, *by_id, settings.style);
          } else {
            std::cout << ":doc takes the number of a result shown, or a document id\n";
          }
        } else if (name == "explain") {
          if (const auto doc = ShownResult(shown, argument)) {
            std::cout << argument << ". " << searcher.snapshot().external_id(*doc) << "\n";
            PrintExplanation(std::cout,
                             Explain(searcher.snapshot(), shown.result.tree, *doc, shown.bm25));
          } else {
            std::cout << ":explain takes the number of a result shown\n";
          }
        } else if (name == "count") {
          const std::string& text = argument.empty() ? last_query : argument;
          if (text.empty()) {
            std::cout << ":count takes a query (or counts the last one)\n";
          } else {
            SearchOptions count = settings.search;
            count.count_only = true;
            const SearchResult result = searcher.Search(text, count);
            for (const auto& warning : result.query.warnings) {
              std::cout << "warning: " << warning << "\n";
            }
            PrintMatchCount(std::cout, result, settings.style);
          }
        } else if (name == "sort") {
          settings.search.sort.clear();
          if (!argument.empty()) {
            settings.search.sort = ParseSortKeys(argument, searcher.snapshot().field_types(),
                                                 searcher.snapshot().field_uses());
          }
          std::cout << "sorting by " << (argument.empty() ? "score" : argument) << "\n";
          if (!last_query.empty()) {
            page = 0;
            show();
          }
        } else if (name == "facet" || name == "facets") {
          std::vector<FacetRequest> facets;
          std::istringstream requests(argument);
          for (std::string request; requests >> request;) {
            facets.push_back(ParseFacet(request, searcher.snapshot().field_types(),
                                        searcher.snapshot().field_uses()));
          }
          settings.search.facets = std::move(facets);
          std::cout << (argument.empty() ? "no facets" : "counting " + argument) << "\n";
          if (!last_query.empty()) {
            page = 0;
            show();
          }
        } else if (name == "fields") {
          const FieldTypes& fields = searcher.snapshot().field_types();
          if (fields.empty()) std::cout << "no typed fields\n";
          for (const auto& [field, type] : fields) {
            std::cout << "  " << field << "  " << FieldTypeName(type);
            const FieldUses uses = UsesOf(searcher.snapshot().field_uses(), field);
            for (const FieldUses use : kEachUse) {
              if ((uses & use) == 0) std::cout << "  not " << FieldUseName(use);
            }
            std::cout << "\n";
          }
        } else if (name == "stats") {
          PrintStats(searcher.snapshot());
        } else {
          std::cout << "unknown command ':" << name
                    << "' (known: :help, :k N, :next, :prev, :doc N, :explain N, :count [QUERY], "
                       ":duplicates on|off, :sort, :facet, :fields, :stats, :quit)\n";
        }
        continue;
      }
      last_query = line;
      page = 0;
      show();
    } catch (const Error& e) {
      std::cout << "error: " << e.what() << "\n";
    }
  }
  return 0;
}

}  // namespace fathom
