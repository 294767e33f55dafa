// fathom::Index (include/fathom/index.hpp) on the searcher: the same
// Searcher, display (paging, folding, "did you mean"), snippets and explain
// that fathom-search uses, so that the library answers exactly as the
// program does.
#include "fathom/index.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include "common/contract.hpp"

#include "common/analysis/analyzer.hpp"
#include "common/read/index_snapshot.hpp"
#include "fathom/errors.hpp"
#include "searcher/present/explain.hpp"
#include "searcher/present/near_duplicates.hpp"
#include "searcher/present/output.hpp"
#include "searcher/query/natural_query.hpp"
#include "searcher/searcher.hpp"
#include "searcher/searcher_pool.hpp"

namespace fathom {

struct Index::State {
  explicit State(const std::filesystem::path& path) : pool(path) {}
  SearcherPool pool;
  auto Borrow() { return pool.Borrow(); }
};

namespace {

SearchOptions ToSearchOptions(const QueryOptions& options) {
  SearchOptions search;
  search.k = options.k;
  search.bm25 = {options.k1, options.b};
  search.count_exactly_up_to = options.count_up_to;
  return search;
}

// The hits of one page as the public API shows them.
Results ToResults(Searcher& searcher, const DisplayResult& display, const QueryOptions& options) {
  Results results;
  const SearchResult& result = display.result;
  results.matches = result.total_matches;
  results.matches_exact = result.total_exact;
  results.did_you_mean = display.corrected_query;
  results.warnings = result.query.warnings;
  results.milliseconds = result.milliseconds;
  // Snippets need the query's terms and an analyzer (a stemmer to make):
  // only when asked for, since a batch of runs never shows them.
  std::optional<SnippetQuery> snippet_query;
  std::optional<Analyzer> analyzer;
  if (options.snippets) {
    snippet_query.emplace(MakeSnippetQuery(result.query));
    analyzer.emplace(searcher.snapshot().analysis());
  }
  const HighlightStyle highlight{options.highlight_open, options.highlight_close};
  for (const ResultGroup& group : display.groups) {
    SearchHit hit;
    hit.id = searcher.snapshot().external_id(group.hit.doc);
    hit.score = group.hit.score;
    if (options.snippets) {
      const StoredDocument document = searcher.Document(group.hit.doc);
      hit.title = document.title;
      hit.snippet = SnippetOf(document, *snippet_query, *analyzer, highlight);
    }
    for (const Hit& duplicate : group.near_duplicates) {
      hit.near_duplicates.emplace_back(searcher.snapshot().external_id(duplicate.doc));
    }
    if (const SourceFile* file = searcher.snapshot().source_of(group.hit.doc)) {
      hit.file_path = file->path;
      hit.file_size = file->size;
      hit.file_modified = FormatModified(file->modified_ns);
    }
    results.hits.push_back(std::move(hit));
  }
  return results;
}

void RequireValid(const QueryOptions& options) {
  if (options.k == 0) throw InputError("k must be at least 1");
  if (!(options.k1 >= 0) || !(options.b >= 0 && options.b <= 1)) {
    throw InputError("BM25 parameters: k1 must be >= 0 and b within [0, 1]");
  }
}

// One query, as fathom-search runs it: the query language or a topic (plain
// text), the page at options.offset, near duplicates folded or not.
// topics: for plain-text queries, made once per thread by batches (it holds
// the stop list and the analyzer); made here when null.
Results Answer(Searcher& searcher, std::string_view query, const QueryOptions& options,
               TopicSearcher* topics = nullptr) {
  RequireValid(options);
  SearchOptions search = ToSearchOptions(options);
  const std::size_t wanted = options.offset + options.k;
  search.k = wanted;
  DisplayResult display;
  if (options.syntax && options.fold_duplicates) {
    display = SearchForDisplay(searcher, query, search, true, 0, options.suggest);
  } else {
    search.k = HitsToFetch(wanted, options.fold_duplicates);
    if (options.syntax) {
      display.result = searcher.Search(query, search);
    } else {
      std::optional<TopicSearcher> own;
      if (topics == nullptr) topics = &own.emplace(searcher, NaturalQueryOptions{}, false);
      display.result = topics->Search(query, search);
    }
    display.groups = options.fold_duplicates
                         ? FoldNearDuplicates(searcher.snapshot(), display.result.hits, wanted)
                         : Unfolded(display.result.hits);
    if (options.suggest && options.syntax) SuggestCorrectedQuery(searcher, query, display);
  }
  const std::size_t first = std::min(display.groups.size(), options.offset);
  display.groups.erase(display.groups.begin(), display.groups.begin() + first);
  return ToResults(searcher, display, options);
}

DocId RequireDocument(const IndexSnapshot& snapshot, std::string_view id) {
  const std::optional<DocId> doc = snapshot.FindExternalId(id);
  if (!doc) throw InputError("no document with id '" + std::string(id) + "'");
  return *doc;
}

}  // namespace

Index::Index(const std::filesystem::path& path) : state_(std::make_shared<State>(path)) {}

Index::~Index() = default;
Index::Index(Index&&) noexcept = default;
Index& Index::operator=(Index&&) noexcept = default;

Results Index::Search(std::string_view query, const QueryOptions& options) const {
  FATHOM_REQUIRE(state_, "Index used after a move");
  auto searcher = state_->Borrow();
  return Answer(*searcher, query, options);
}

std::uint64_t Index::Count(std::string_view query, bool syntax) const {
  FATHOM_REQUIRE(state_, "Index used after a move");
  auto searcher = state_->Borrow();
  SearchOptions count;
  count.count_only = true;
  if (!syntax) {
    TopicSearcher topics(*searcher, NaturalQueryOptions{}, false);
    count.count_exactly_up_to = kCountAll;
    count.k = 0;
    return topics.Search(query, count).total_matches;
  }
  return searcher->Search(query, count).total_matches;
}

std::string Index::Explain(std::string_view query, std::string_view id,
                           const QueryOptions& options) const {
  FATHOM_REQUIRE(state_, "Index used after a move");
  RequireValid(options);
  auto searcher = state_->Borrow();
  const DocId doc = RequireDocument(searcher->snapshot(), id);
  SearchOptions search = ToSearchOptions(options);
  search.k = 1;
  const SearchResult result = searcher->Search(query, search);
  std::ostringstream text;
  PrintExplanation(text, fathom::Explain(searcher->snapshot(), result.tree, doc, search.bm25));
  return text.str();
}

std::optional<Document> Index::GetDocument(std::string_view id) const {
  FATHOM_REQUIRE(state_, "Index used after a move");
  auto searcher = state_->Borrow();
  const std::optional<DocId> doc = searcher->snapshot().FindExternalId(id);
  if (!doc) return std::nullopt;
  StoredDocument stored = searcher->Document(*doc);
  Document document{std::string(id), std::move(stored.title), std::move(stored.body)};
  for (FieldValue& value : searcher->snapshot().StoredFieldsOf(*doc)) {
    DocumentField field{std::move(value.name), {}};
    switch (value.type) {
      case FieldType::kKeyword:
        field.value = std::move(value.keyword);
        break;
      case FieldType::kInteger:
        field.value = value.key;
        break;
      case FieldType::kFloat:
        field.value = FloatOfKey(value.key);
        break;
      case FieldType::kDate:
        field.value = FormatKey(FieldType::kDate, value.key);
        break;
      case FieldType::kBoolean:
        field.value = value.key != 0;
        break;
    }
    document.fields.push_back(std::move(field));
  }
  return document;
}

std::string Index::Suggest(std::string_view query) const {
  FATHOM_REQUIRE(state_, "Index used after a move");
  auto searcher = state_->Borrow();
  return SuggestOnly(*searcher, query).corrected_query;
}

std::vector<std::vector<std::string>> Index::NearDuplicates() const {
  FATHOM_REQUIRE(state_, "Index used after a move");
  auto searcher = state_->Borrow();
  std::vector<std::vector<std::string>> groups;
  for (const auto& group : FindNearDuplicateGroups(searcher->snapshot())) {
    std::vector<std::string> ids;
    for (const DocId doc : group) ids.emplace_back(searcher->snapshot().external_id(doc));
    std::sort(ids.begin(), ids.end());
    groups.push_back(std::move(ids));
  }
  return groups;
}

IndexStats Index::Stats() const {
  FATHOM_REQUIRE(state_, "Index used after a move");
  auto searcher = state_->Borrow();
  const IndexSnapshot& snapshot = searcher->snapshot();
  IndexStats stats;
  stats.documents = snapshot.live_count();
  stats.deleted = snapshot.manifest().document_count() - snapshot.live_count();
  stats.segments = snapshot.segments().size();
  stats.generation = snapshot.manifest().generation;
  stats.language = snapshot.analysis().language;
  return stats;
}

std::vector<QueryAnswer> Index::SearchBatch(const std::vector<QueryLine>& queries,
                                            const QueryOptions& options,
                                            std::size_t threads) const {
  FATHOM_REQUIRE(state_, "Index used after a move");
  RequireValid(options);
  std::vector<QueryAnswer> answers(queries.size());
  // Every thread answers from the same snapshot, even if Refresh runs.
  const std::shared_ptr<const IndexSnapshot> snapshot = state_->pool.snapshot();
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    Searcher searcher(snapshot);
    TopicSearcher topics(searcher, NaturalQueryOptions{}, false);
    for (std::size_t i = next++; i < queries.size(); i = next++) {
      answers[i].qid = queries[i].qid;
      try {
        answers[i].results = Answer(searcher, queries[i].text, options, &topics);
      } catch (const QuerySyntaxError& e) {
        answers[i].error = e.what();
      }
    }
  };
  const std::size_t count =
      std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(1, queries.size()));
  std::vector<std::thread> pool;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (std::size_t t = 1; t < count; ++t) {
    pool.emplace_back([&] {
      try {
        work();
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    });
  }
  try {
    work();
  } catch (...) {
    std::lock_guard lock(failure_mutex);
    if (!failure) failure = std::current_exception();
  }
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  return answers;
}

bool Index::Refresh() {
  FATHOM_REQUIRE(state_, "Index used after a move");
  return state_->pool.Refresh();
}

void WriteTrecRun(std::ostream& out, const std::vector<QueryAnswer>& answers,
                  std::string_view tag) {
  for (const QueryAnswer& answer : answers) {
    std::size_t rank = 0;
    for (const SearchHit& hit : answer.results.hits) {
      WriteTrecLine(out, answer.qid, hit.id, ++rank, static_cast<Score>(hit.score), tag);
    }
  }
}

}  // namespace fathom
