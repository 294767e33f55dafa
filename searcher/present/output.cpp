#include "searcher/present/output.hpp"

#include <charconv>
#include <ctime>

#include <cstdio>
#include <optional>
#include <sstream>

#include "common/command_line.hpp"
#include "common/contract.hpp"
#include "common/json_text.hpp"
#include "common/read/posting_cursor.hpp"
#include "searcher/present/explain.hpp"
#include "searcher/present/spelling.hpp"

namespace fathom {
namespace {

constexpr const char* kBold = "\033[1m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kCyan = "\033[36m";
constexpr const char* kReset = "\033[0m";

}  // namespace

std::string FieldsJson(const IndexSnapshot& snapshot, DocId doc) {
  std::string json = "{";
  for (const FieldValue& value : snapshot.StoredFieldsOf(doc)) {
    json += (json.size() == 1 ? "\"" : ",\"") + JsonEscape(value.name) +
            "\":" + ValueAsJson(value.type, value.key, value.keyword);
  }
  return json + "}";
}

void AppendScore(std::string& out, Score score) {
  // to_chars rounds the exact binary value as printf does, and faster. The
  // widest float takes 45 characters this way ("-340282346638528859811704183484516925440.0000").
  char text[64];
  const auto [end, error] = std::to_chars(text, text + sizeof text, static_cast<double>(score),
                                          std::chars_format::fixed, 4);
  FATHOM_REQUIRE(error == std::errc(), "a float's fixed form fits 64 characters");
  out.append(text, static_cast<std::size_t>(end - text));
}

std::string FormatScore(Score score) {
  std::string text;
  AppendScore(text, score);
  return text;
}

std::string SnippetOf(const StoredDocument& document, const SnippetQuery& query, Analyzer& analyzer,
                      const HighlightStyle& style) {
  return MakeSnippet(document.body.empty() ? document.title : document.body, query, analyzer,
                     style);
}

TextStyle TerminalStyle() { return {true, {kBold, kReset}, true}; }
TextStyle PlainStyle() { return {false, {"**", "**"}, true}; }

DisplayResult SearchForDisplay(Searcher& searcher, std::string_view query_text,
                               SearchOptions options, bool fold, std::size_t page, bool suggest) {
  const std::size_t per_page = options.k;
  const std::size_t wanted = per_page * (page + 1);
  options.k = HitsToFetch(wanted, fold);
  DisplayResult display;
  display.bm25 = options.bm25;
  display.sort = options.sort;
  display.result = searcher.Search(query_text, options);
  std::vector<ResultGroup> groups =
      fold ? FoldNearDuplicates(searcher.snapshot(), display.result.hits, wanted)
           : Unfolded(display.result.hits);
  const std::size_t first = std::min(groups.size(), per_page * page);
  const std::size_t last = std::min(groups.size(), wanted);
  display.groups.assign(std::make_move_iterator(groups.begin() + first),
                        std::make_move_iterator(groups.begin() + last));
  display.first_rank = first + 1;
  if (suggest) SuggestCorrectedQuery(searcher, query_text, display);
  return display;
}

namespace {

// The first live document containing term, in global id order, if any.
std::optional<DocId> FirstDocumentWith(const IndexSnapshot& snapshot, std::string_view term) {
  for (const SnapshotSegment& segment : snapshot.segments()) {
    const auto info = segment.reader->FindTerm(term);
    if (!info) continue;
    for (PostingCursor cursor(*segment.reader, *info); cursor.doc() != kEndDoc; cursor.Next()) {
      if (!segment.deleted.contains(cursor.doc())) return segment.base + cursor.doc();
    }
  }
  return std::nullopt;
}

// How a term is written in the documents: the first word of the first
// document containing it that analyzes to it ("philosophi" -> "philosophy").
std::string SurfaceForm(Searcher& searcher, std::string_view term) {
  const std::optional<DocId> doc = FirstDocumentWith(searcher.snapshot(), term);
  if (!doc) return std::string(term);
  const StoredDocument document = searcher.Document(*doc);
  Analyzer analyzer(searcher.snapshot().analysis());
  for (const std::string* field : {&document.title, &document.body}) {
    analyzer.Reset(*field);
    Token token;
    while (analyzer.Next(token)) {
      if (token.term != term) continue;
      std::string word = field->substr(token.begin, token.end - token.begin);
      for (char& c : word) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      return word;
    }
  }
  return std::string(term);
}

}  // namespace

void SuggestCorrectedQuery(Searcher& searcher, std::string_view query_text,
                           DisplayResult& display) {
  std::string corrected(query_text);
  for (const QueryClause& clause : display.result.query.clauses) {
    if (clause.occur == Occur::kMustNot || clause.is_phrase()) continue;
    const auto candidates = SuggestCorrections(searcher.snapshot(), clause.terms[0], 1);
    if (candidates.empty()) continue;
    const std::size_t at = corrected.find(clause.source);
    if (at == std::string::npos) continue;
    const std::string replacement = SurfaceForm(searcher, candidates[0].term);
    corrected.replace(at, clause.source.size(), replacement);
    display.corrections.emplace_back(clause.source, replacement);
  }
  if (!display.corrections.empty()) display.corrected_query = std::move(corrected);
}

DisplayResult SuggestOnly(Searcher& searcher, std::string_view query_text) {
  DisplayResult display;
  display.result.query = searcher.Clauses(query_text);
  SuggestCorrectedQuery(searcher, query_text, display);
  return display;
}

std::vector<ResultGroup> Unfolded(const std::vector<Hit>& hits) {
  std::vector<ResultGroup> groups;
  groups.reserve(hits.size());
  for (const Hit& hit : hits) groups.push_back({hit, {}});
  return groups;
}

void PrintMatchCount(std::ostream& out, const SearchResult& result, const TextStyle& style) {
  const auto paint = [&](const char* code) { return style.color ? code : ""; };
  char millis[32];
  std::snprintf(millis, sizeof millis, "%.2f", result.milliseconds);
  const bool one = result.total_matches == 1 && result.total_exact;
  out << paint(kDim) << FormatCount(result.total_matches) << (result.total_exact ? "" : "+")
      << " matching document" << (one ? "" : "s") << " in " << millis << " ms" << paint(kReset)
      << "\n";
}

void PrintResults(std::ostream& out, Searcher& searcher, const DisplayResult& display,
                  const TextStyle& style) {
  const SearchResult& result = display.result;
  const auto paint = [&](const char* code) { return style.color ? code : ""; };
  for (const auto& warning : result.query.warnings) out << "warning: " << warning << "\n";
  PrintMatchCount(out, result, style);
  if (result.query.empty() && !HasFilter(result.tree)) {
    out << paint(kDim) << "(the query has no searchable words)" << paint(kReset) << "\n";
  }
  if (!display.corrected_query.empty()) {
    out << "Did you mean: " << style.highlight.begin << display.corrected_query
        << style.highlight.end << "?\n";
  }
  const SnippetQuery snippet_query = MakeSnippetQuery(result.query);
  Analyzer analyzer(searcher.snapshot().analysis());
  std::size_t rank = display.first_rank;
  for (const ResultGroup& group : display.groups) {
    const Hit& hit = group.hit;
    const StoredDocument document = searcher.Document(hit.doc);
    const std::string id = searcher.snapshot().external_id(hit.doc);
    out << "\n"
        << (rank < 10 ? " " : "") << rank << ". " << paint(kBold)
        << (document.title.empty() ? OneLine(id, 200) : OneLine(document.title, 200))
        << paint(kReset) << "  " << paint(kDim) << FormatScore(hit.score) << paint(kReset) << "\n";
    const SourceFile* file = searcher.snapshot().source_of(hit.doc);
    if (!document.title.empty() || file != nullptr) {
      out << "    " << paint(kCyan) << id << paint(kReset);
      if (file != nullptr) {
        // The file's path only where the id is not already the path (an
        // archive member, a TREC or WARC document).
        out << "  " << paint(kDim) << (file->path == id ? "" : "in " + file->path + ", ")
            << FormatBytes(static_cast<double>(file->size)) << ", modified "
            << FormatModified(file->modified_ns) << paint(kReset);
      }
      out << "\n";
    }
    if (!display.sort.empty()) {
      // The values the hits are ordered by, those stored.
      const std::vector<FieldValue> values = searcher.snapshot().StoredFieldsOf(hit.doc);
      out << "    " << paint(kDim);
      for (std::size_t k = 0; k < display.sort.size(); ++k) {
        const SortKey& key = display.sort[k];
        out << (k == 0 ? "" : ", ") << key.field << " ";
        if (key.is_score()) {
          out << FormatScore(hit.score);
          continue;
        }
        const auto value = std::find_if(values.begin(), values.end(),
                                        [&](const FieldValue& v) { return v.name == key.field; });
        const bool stored = (UsesOf(searcher.snapshot().field_uses(), key.field) & kStored) != 0;
        out << (value != values.end() ? DisplayValue(*value)
                : stored              ? std::string("(none)")
                                      : std::string("(not stored)"));
      }
      out << paint(kReset) << "\n";
    }
    if (style.snippets) {
      out << "    " << SnippetOf(document, snippet_query, analyzer, style.highlight) << "\n";
    }
    if (style.explain) {
      std::ostringstream explained;
      PrintExplanation(explained, Explain(searcher.snapshot(), result.tree, hit.doc, display.bm25));
      std::istringstream lines(explained.str());
      for (std::string line; std::getline(lines, line);) {
        out << "    " << paint(kDim) << line << paint(kReset) << "\n";
      }
    }
    if (!group.near_duplicates.empty()) {
      out << "    " << paint(kDim) << "+" << group.near_duplicates.size() << " near-duplicate"
          << (group.near_duplicates.size() == 1 ? "" : "s") << ":";
      for (const Hit& copy : group.near_duplicates) {
        out << " " << searcher.snapshot().external_id(copy.doc);
      }
      out << paint(kReset) << "\n";
    }
    ++rank;
  }
  PrintFacets(out, result, style);
}

std::string DisplayValue(const FieldValue& value) {
  return value.type == FieldType::kKeyword ? value.keyword : FormatKey(value.type, value.key);
}

void PrintFacets(std::ostream& out, const SearchResult& result, const TextStyle& style) {
  const auto paint = [&](const char* code) { return style.color ? code : ""; };
  for (const FacetResult& facet : result.facets) {
    out << "\n" << paint(kBold) << facet.field << paint(kReset) << "\n";
    std::size_t widest = 0;
    for (const FacetBucket& bucket : facet.buckets) widest = std::max(widest, bucket.label.size());
    for (const FacetBucket& bucket : facet.buckets) {
      out << "  " << bucket.label << std::string(widest - bucket.label.size() + 2, ' ')
          << FormatCount(bucket.count) << "\n";
    }
    if (facet.buckets.empty()) out << "  " << paint(kDim) << "(no values)" << paint(kReset) << "\n";
    if (facet.other > 0) {
      out << "  " << paint(kDim) << "other values: " << FormatCount(facet.other) << paint(kReset)
          << "\n";
    }
    if (facet.missing > 0) {
      out << "  " << paint(kDim) << "no value: " << FormatCount(facet.missing) << paint(kReset)
          << "\n";
    }
  }
}

void PrintDocument(std::ostream& out, Searcher& searcher, DocId doc, const TextStyle& style) {
  const auto paint = [&](const char* code) { return style.color ? code : ""; };
  const StoredDocument document = searcher.Document(doc);
  out << paint(kCyan) << searcher.snapshot().external_id(doc) << paint(kReset) << "\n";
  if (!document.title.empty()) out << paint(kBold) << document.title << paint(kReset) << "\n";
  out << "\n" << document.body;
  if (!document.body.empty() && document.body.back() != '\n') out << "\n";
}

std::string FormatModified(std::int64_t modified_ns) {
  const std::int64_t ns_per_second = 1'000'000'000;
  const auto seconds = static_cast<std::time_t>(
      modified_ns >= 0 ? modified_ns / ns_per_second
                       : -((-modified_ns + ns_per_second - 1) / ns_per_second));
  std::tm utc{};
  if (::gmtime_r(&seconds, &utc) == nullptr) return "?";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

void AppendTrecRun(std::string& out, const IndexSnapshot& snapshot, std::string_view qid,
                   const SearchResult& result, std::string_view tag) {
  std::size_t rank = 0;
  for (const Hit& hit : result.hits) {
    AppendTrecLine(out, qid, snapshot.external_id(hit.doc), ++rank, hit.score, tag);
  }
}

void AppendTrecLine(std::string& out, std::string_view qid, std::string_view docid,
                    std::size_t rank, Score score, std::string_view tag) {
  char number[24];
  char* number_end = std::to_chars(number, number + sizeof number, rank).ptr;
  out.append(qid).append(" Q0 ").append(docid).append(" ");
  out.append(number, static_cast<std::size_t>(number_end - number)).append(" ");
  AppendScore(out, score);
  out.append(" ").append(tag).append("\n");
}

void WriteTrecRun(std::ostream& out, const IndexSnapshot& snapshot, std::string_view qid,
                  const SearchResult& result, std::string_view tag) {
  std::string run;
  AppendTrecRun(run, snapshot, qid, result, tag);
  out << run;
}

void WriteTrecLine(std::ostream& out, std::string_view qid, std::string_view docid,
                   std::size_t rank, Score score, std::string_view tag) {
  std::string line;
  AppendTrecLine(line, qid, docid, rank, score, tag);
  out << line;
}

void WriteJsonResult(std::ostream& out, Searcher& searcher, std::string_view qid,
                     std::string_view query_text, const SearchResult& result,
                     const std::vector<ResultGroup>& groups, const JsonResultStyle& style) {
  const std::string_view did_you_mean = style.did_you_mean;
  const Bm25Params* explain_with = style.explain_with;
  const std::size_t first_rank = style.first_rank;
  const HighlightStyle highlight{"<b>", "</b>", style.html_snippets};
  const SnippetQuery snippet_query = MakeSnippetQuery(result.query);
  Analyzer analyzer(searcher.snapshot().analysis());
  out << "{\"qid\":\"" << JsonEscape(qid) << "\",\"query\":\"" << JsonEscape(query_text)
      << "\",\"matches\":" << result.total_matches
      << ",\"matches_exact\":" << (result.total_exact ? "true" : "false")
      << ",\"milliseconds\":" << result.milliseconds;
  if (!did_you_mean.empty()) out << ",\"did_you_mean\":\"" << JsonEscape(did_you_mean) << "\"";
  out << ",\"hits\":[";
  std::size_t rank = first_rank;
  for (const ResultGroup& group : groups) {
    const Hit& hit = group.hit;
    out << (rank == first_rank ? "" : ",");
    out << "{\"rank\":" << rank++ << ",\"id\":\""
        << JsonEscape(searcher.snapshot().external_id(hit.doc))
        << "\",\"score\":" << FormatScore(hit.score);
    if (const SourceFile* file = searcher.snapshot().source_of(hit.doc)) {
      out << ",\"file\":{\"path\":\"" << JsonEscape(file->path) << "\",\"size\":" << file->size
          << ",\"modified\":\"" << FormatModified(file->modified_ns) << "\"}";
    }
    if (style.snippets) {
      const StoredDocument document = searcher.Document(hit.doc);
      out << ",\"title\":\"" << JsonEscape(document.title) << "\",\"snippet\":\""
          << JsonEscape(SnippetOf(document, snippet_query, analyzer, highlight)) << "\"";
    }
    if (explain_with != nullptr) {
      const Explanation e = Explain(searcher.snapshot(), result.tree, hit.doc, *explain_with);
      out << ",\"explanation\":{\"score\":" << FormatScore(e.score) << ",\"length\":" << e.length
          << ",\"clauses\":[";
      for (std::size_t i = 0; i < e.clauses.size(); ++i) {
        const ClauseExplanation& part = e.clauses[i];
        const char* role = part.clause.occur == Occur::kMust      ? "required"
                           : part.clause.occur == Occur::kMustNot ? "excluded"
                                                                  : "optional";
        out << (i == 0 ? "" : ",") << "{\"clause\":\"" << JsonEscape(part.clause.source)
            << "\",\"occur\":\"" << role << "\",\"depth\":" << part.depth
            << ",\"group\":" << (part.is_group ? "true" : "false")
            << ",\"matched\":" << (part.matched ? "true" : "false")
            << ",\"counts\":" << (part.counts ? "true" : "false");
        if (!part.is_group) {
          out << ",\"frequency\":" << part.frequency << ",\"idf\":" << part.idf
              << ",\"length_norm\":" << part.length_norm;
          if (part.clause.title) {
            out << ",\"bm25f\":{\"title_weight\":" << part.clause.title->weight
                << ",\"title_b\":" << part.clause.title->b
                << ",\"title_frequency\":" << part.title_frequency
                << ",\"title_length\":" << part.title_length
                << ",\"title_norm\":" << part.title_norm << "}";
          }
        }
        out << ",\"contribution\":" << FormatScore(part.contribution) << "}";
      }
      out << "]}";
    }
    if (!searcher.snapshot().field_types().empty()) {
      out << ",\"fields\":" << FieldsJson(searcher.snapshot(), hit.doc);
    }
    if (!group.near_duplicates.empty()) {
      out << ",\"near_duplicates\":[";
      for (std::size_t i = 0; i < group.near_duplicates.size(); ++i) {
        out << (i == 0 ? "\"" : ",\"")
            << JsonEscape(searcher.snapshot().external_id(group.near_duplicates[i].doc)) << "\"";
      }
      out << "]";
    }
    out << "}";
  }
  out << "]";
  if (!result.facets.empty()) {
    out << ",\"facets\":{";
    for (std::size_t f = 0; f < result.facets.size(); ++f) {
      const FacetResult& facet = result.facets[f];
      out << (f == 0 ? "\"" : ",\"") << JsonEscape(facet.field) << "\":[";
      for (std::size_t b = 0; b < facet.buckets.size(); ++b) {
        out << (b == 0 ? "" : ",") << "{\"value\":" << facet.buckets[b].json
            << ",\"count\":" << facet.buckets[b].count << "}";
      }
      out << "]";
    }
    out << "},\"facets_other\":{";
    for (std::size_t f = 0; f < result.facets.size(); ++f) {
      out << (f == 0 ? "\"" : ",\"") << JsonEscape(result.facets[f].field)
          << "\":{\"other\":" << result.facets[f].other
          << ",\"missing\":" << result.facets[f].missing << "}";
    }
    out << "}";
  }
  out << "}\n";
}

}  // namespace fathom

namespace fathom {}  // namespace fathom
