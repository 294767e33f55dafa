#include "searcher/serve/service.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>

#include "common/json_text.hpp"
#include "fathom/errors.hpp"
#include "fathom/index_writer.hpp"
#include "indexer/corpus/corpus_reader.hpp"
#include "indexer/corpus/json_line.hpp"
#include "searcher/present/batch.hpp"
#include "searcher/present/output.hpp"
#include "searcher/serve/page.hpp"

namespace fathom::serve {
namespace {

// A request the client got wrong: answered with its status and message.
class RequestError : public std::runtime_error {
 public:
  RequestError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

void Require(bool ok, const std::string& message) {
  if (!ok) throw RequestError(400, message);
}

std::string Quoted(std::string_view text) { return "\"" + JsonEscape(text) + "\""; }

Response Json(std::string body, int status = 200) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  if (response.body.empty() || response.body.back() != '\n') response.body += '\n';
  return response;
}

// A request's parameters: from the query string, or from a POSTed JSON
// object's members (numbers and booleans as their literal text).
using Parameters = std::vector<std::pair<std::string, std::string>>;

Parameters ParametersOfQueryString(std::string_view query_string) {
  auto parsed = ParseQueryString(query_string);
  Require(parsed.has_value(), "malformed query string (a bad %-escape)");
  return std::move(*parsed);
}

Parameters ParametersOfJson(std::string_view body) {
  std::vector<JsonMember> members;
  const JsonParseResult parsed = ParseJsonLine(body, members);
  Require(parsed.ok, "request body: column " + std::to_string(parsed.column) + ": " + parsed.error +
                         " (expected one JSON object)");
  Parameters parameters;
  for (auto& member : members) {
    Require(member.is_text, "request body: '" + member.name +
                                "' must be a string, number or "
                                "boolean");
    parameters.emplace_back(std::move(member.name), std::move(member.value));
  }
  return parameters;
}

const std::string* Find(const Parameters& parameters, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [key, value] : parameters) {
    if (key == name) {
      Require(found == nullptr, "parameter '" + std::string(name) + "' given twice");
      found = &value;
    }
  }
  return found;
}

std::size_t NumberParameter(const Parameters& parameters, std::string_view name,
                            std::size_t fallback, std::size_t low, std::size_t high) {
  const std::string* text = Find(parameters, name);
  if (text == nullptr) return fallback;
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  Require(error == std::errc() && end == text->data() + text->size() && !text->empty() &&
              value >= low && value <= high,
          "parameter '" + std::string(name) + "': expected a whole number from " +
              std::to_string(low) + " to " + std::to_string(high) + ", not '" + *text + "'");
  return value;
}

bool BoolParameter(const Parameters& parameters, std::string_view name, bool fallback) {
  const std::string* text = Find(parameters, name);
  if (text == nullptr) return fallback;
  if (*text == "true" || *text == "1" || text->empty()) return true;
  if (*text == "false" || *text == "0") return false;
  throw RequestError(
      400, "parameter '" + std::string(name) + "': expected true or false, not '" + *text + "'");
}

void RequireKnown(const Parameters& parameters, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : parameters) {
    if (name == "sort" || name == "facet") {
      // Never ignored silently: results in another order than asked for
      // would look right and be wrong.
      throw RequestError(400, "parameter '" + name +
                                  "' is not supported yet: this index has no typed fields to " +
                                  name + " on");
    }
    bool ok = false;
    for (const std::string_view name_known : known) ok = ok || name == name_known;
    Require(ok, "unknown parameter '" + name + "'");
  }
}

std::string QueryParameter(const Parameters& parameters, const ServiceLimits& limits) {
  const std::string* query = Find(parameters, "q");
  Require(query != nullptr && !query->empty(), "parameter 'q' (the query) is missing");
  if (query->size() > limits.max_query_bytes) {
    throw RequestError(400, "the query is " + std::to_string(query->size()) + " bytes; at most " +
                                std::to_string(limits.max_query_bytes));
  }
  return *query;
}

// Calls take(line number, line) for each line of a JSON Lines body that is
// not blank (numbers count every line, 1-based; a trailing '\r' dropped).
template <typename Take>
void ForEachJsonLine(std::string_view body, Take take) {
  std::size_t line_number = 0;
  while (!body.empty()) {
    const std::size_t newline = body.find('\n');
    std::string_view line = body.substr(0, newline);
    body = newline == std::string_view::npos ? std::string_view() : body.substr(newline + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    take(line_number, line);
  }
}

// The bearer token of an Authorization header, or nullopt.
std::optional<std::string_view> BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return std::nullopt;
    }
  }
  return header.substr(kScheme.size());
}

// Compares in time independent of where the first difference is, so that
// response times do not reveal the token a byte at a time.
bool SameSecret(std::string_view a, std::string_view b) {
  unsigned difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i % b.size()]);
  }
  return difference == 0 && !b.empty();
}

// A commit refused because of the index's state (another writer holds its
// lock, too many documents) is a conflict, not a malformed request.
// Whether the member is the id, title or a body of the document rather than
// a field.
bool IsDocumentMember(std::string_view name, const CorpusOptions& options) {
  return name == options.id_field ||
         std::find(options.title_fields.begin(), options.title_fields.end(), name) !=
             options.title_fields.end() ||
         std::find(options.body_fields.begin(), options.body_fields.end(), name) !=
             options.body_fields.end();
}

// A JSON member as a document field: strings, whole numbers, other numbers,
// booleans; nullopt for arrays and objects.
std::optional<DocumentField> FieldOfMember(const JsonMember& member) {
  switch (member.kind) {
    case JsonKind::kString:
      return DocumentField{member.name, member.value};
    case JsonKind::kBoolean:
      return DocumentField{member.name, member.value == "true"};
    case JsonKind::kNumber: {
      const char* begin = member.value.data();
      const char* end = begin + member.value.size();
      std::int64_t whole = 0;
      if (const auto [at, error] = std::from_chars(begin, end, whole);
          error == std::errc() && at == end) {
        return DocumentField{member.name, whole};
      }
      double number = 0;
      if (const auto [at, error] = std::from_chars(begin, end, number);
          error != std::errc() || at != end || !std::isfinite(number)) {
        throw RequestError(400, "member '" + member.name + "': " + member.value +
                                    " is out of range for a number (nothing was added)");
      }
      return DocumentField{member.name, number};
    }
    default:
      return std::nullopt;
  }
}

CommitSummary CommitOrConflict(IndexWriter& writer) {
  try {
    return writer.Commit();
  } catch (const InputError& e) {
    throw RequestError(409, e.what());
  }
}

}  // namespace

Response ErrorResponse(int status, std::string_view message) {
  return Json("{\"error\":" + Quoted(message) + ",\"status\":" + std::to_string(status) + "}",
              status);
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex(text[i + 1]), low = hex(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (text[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseQueryString(
    std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    auto name = PercentDecode(pair.substr(0, equals), true);
    auto value = PercentDecode(
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
    if (!name || !value) return std::nullopt;
    pairs.emplace_back(std::move(*name), std::move(*value));
  }
  return pairs;
}

SearchService::SearchService(std::filesystem::path index, ServiceOptions options)
    : index_(std::move(index)), options_(std::move(options)), pool_(index_) {}

Response SearchService::Handle(const Request& request) {
  try {
    return Route(request);
  } catch (const RequestError& e) {
    return ErrorResponse(e.status(), e.what());
  } catch (const QuerySyntaxError& e) {
    return ErrorResponse(400, "query: column " + std::to_string(e.column()) + ": " + e.problem());
  } catch (const InputError& e) {
    return ErrorResponse(400, e.what());
  } catch (const std::exception& e) {
    return ErrorResponse(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return ErrorResponse(500, "internal error");
  }
}

Response SearchService::Route(const Request& request) {
  const std::size_t question = request.target.find('?');
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, question);
  const std::string_view query_string =
      question == std::string::npos ? std::string_view() : target.substr(question + 1);
  const auto only = [&](std::initializer_list<std::string_view> methods) {
    for (const std::string_view method : methods) {
      if (request.method == method) return;
    }
    std::string allowed;
    for (const std::string_view method : methods) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(method);
    }
    throw RequestError(405, request.method + " " + std::string(path) + ": allowed: " + allowed);
  };
  constexpr std::string_view kDocuments = "/documents/";
  if (path == "/") {
    only({"GET"});
    Response page;
    page.content_type = "text/html; charset=utf-8";
    page.body = std::string(SearchPage());
    // The page is self-contained: nothing may be loaded from elsewhere.
    page.headers.emplace_back("Content-Security-Policy",
                              "default-src 'self'; style-src 'unsafe-inline'; "
                              "script-src 'unsafe-inline'; img-src 'self' data:");
    return page;
  }
  if (path == "/search") {
    only({"GET", "POST"});
    return Search(request, query_string, request.method == "POST");
  }
  if (path == "/search/batch") {
    only({"POST"});
    return SearchBatch(request);
  }
  if (path.starts_with(kDocuments) && path.size() > kDocuments.size()) {
    only({"GET", "DELETE"});
    const auto id = PercentDecode(path.substr(kDocuments.size()), false);
    Require(id.has_value(), "malformed document id (a bad %-escape)");
    if (request.method == "DELETE") {
      if (auto refused = RefuseWrite(request)) return *refused;
      return DeleteDocument(*id);
    }
    return GetDocument(*id);
  }
  if (path == "/documents") {
    only({"POST"});
    if (auto refused = RefuseWrite(request)) return *refused;
    return AddDocuments(request);
  }
  if (path == "/merge") {
    only({"POST"});
    if (auto refused = RefuseWrite(request)) return *refused;
    return Merge();
  }
  if (path == "/suggest") {
    only({"GET"});
    return Suggest(query_string);
  }
  if (path == "/stats") {
    only({"GET"});
    return Stats();
  }
  if (path == "/health") {
    only({"GET"});
    return Health();
  }
  throw RequestError(404, "no such endpoint: " + std::string(path));
}

Response SearchService::Search(const Request& request, std::string_view query_string, bool post) {
  Require(!post || query_string.empty(), "POST /search takes its parameters in the JSON body");
  const Parameters parameters =
      post ? ParametersOfJson(request.body) : ParametersOfQueryString(query_string);
  RequireKnown(parameters,
               {"q", "k", "offset", "explain", "snippets", "snippet_format", "fold", "suggest"});
  const ServiceLimits& limits = options_.limits;
  const std::string query = QueryParameter(parameters, limits);
  const std::size_t k = NumberParameter(parameters, "k", 10, 1, limits.max_k);
  const std::size_t offset = NumberParameter(parameters, "offset", 0, 0, limits.max_window - k);
  const bool explain = BoolParameter(parameters, "explain", false);
  const bool snippets = BoolParameter(parameters, "snippets", true);
  const bool fold = BoolParameter(parameters, "fold", true);
  const bool suggest = BoolParameter(parameters, "suggest", true);
  // html: the snippet's text HTML-escaped, so that <b> and </b> are the only
  // markup (the search page's); text (fathom-search's): as the document has it.
  const std::string* format = Find(parameters, "snippet_format");
  Require(format == nullptr || *format == "text" || *format == "html",
          "parameter 'snippet_format': expected text or html");
  const bool html = format != nullptr && *format == "html";

  auto searcher = pool_.Borrow();
  SearchOptions search;
  search.k = offset + k;
  DisplayResult display = SearchForDisplay(*searcher, query, search, fold, 0, suggest);
  const std::size_t skipped = std::min(offset, display.groups.size());
  display.groups.erase(display.groups.begin(), display.groups.begin() + skipped);
  std::ostringstream out;
  JsonResultStyle json;
  json.snippets = snippets;
  json.html_snippets = html;
  json.did_you_mean = display.corrected_query;
  json.explain_with = explain ? &display.bm25 : nullptr;
  json.first_rank = offset + 1;
  WriteJsonResult(out, *searcher, "", query, display.result, display.groups, json);
  return Json(std::move(out).str());
}

Response SearchService::SearchBatch(const Request& request) {
  const ServiceLimits& limits = options_.limits;
  const auto start = std::chrono::steady_clock::now();
  // Every query of the batch sees the same snapshot.
  auto searcher = pool_.Borrow();
  BatchOptions batch;
  batch.search.k = 10;
  batch.format = BatchFormat::kJson;
  batch.topics = false;
  batch.source = "request";
  std::string out;
  std::vector<JsonMember> members;
  std::size_t queries = 0;
  BatchAnswerer answerer(*searcher, batch);
  ForEachJsonLine(request.body, [&](std::size_t line_number, std::string_view line) {
    const auto error_line = [&](std::string_view qid, const std::string& error) {
      out += "{";
      if (!qid.empty()) out += "\"qid\":" + Quoted(qid) + ",";
      out += "\"line\":" + std::to_string(line_number) + ",\"error\":" + Quoted(error) + "}\n";
    };
    if (++queries > limits.max_batch_queries) {
      throw RequestError(
          413, "a batch holds at most " + std::to_string(limits.max_batch_queries) + " queries");
    }
    // One bad line never ends a batch: it gets its error, the others their
    // answers, in order.
    const JsonParseResult parsed = ParseJsonLine(line, members);
    if (!parsed.ok) {
      error_line({}, "column " + std::to_string(parsed.column) + ": " + parsed.error);
      return;
    }
    std::string qid, text;
    std::size_t k = 10;
    std::string problem;
    for (const JsonMember& member : members) {
      if (member.name == "qid") {
        qid = member.value;
      } else if (member.name == "q") {
        text = member.value;
      } else if (member.name == "k") {
        const auto [end, error] =
            std::from_chars(member.value.data(), member.value.data() + member.value.size(), k);
        if (error != std::errc() || end != member.value.data() + member.value.size() || k == 0 ||
            k > limits.max_k) {
          problem = "'k': expected a whole number from 1 to " + std::to_string(limits.max_k);
        }
      } else {
        problem = "unknown member '" + member.name + "'";
      }
    }
    if (qid.empty()) problem = "'qid' is missing";
    if (text.empty()) problem = "'q' (the query) is missing";
    if (text.size() > limits.max_query_bytes) {
      problem = "the query is longer than " + std::to_string(limits.max_query_bytes) + " bytes";
    }
    if (std::chrono::steady_clock::now() - start > limits.time_budget) {
      problem = "not answered: the request ran past its time budget of " +
                std::to_string(limits.time_budget.count()) + " ms";
    }
    if (!problem.empty()) {
      error_line(qid, problem);
      return;
    }
    BatchAnswer answer = answerer.Answer(BatchQuery{qid, text}, k);
    if (answer.failed()) {
      error_line(qid, "query: " + answer.error);
    } else {
      out += answer.results;
    }
  });
  Require(queries > 0, "no queries in the body (JSON Lines: one {\"qid\", \"q\"} per line)");
  Response response;
  response.content_type = "application/x-ndjson";
  response.body = std::move(out);
  return response;
}

Response SearchService::GetDocument(std::string_view id) {
  auto searcher = pool_.Borrow();
  const std::optional<DocId> doc = searcher->snapshot().FindExternalId(id);
  if (!doc) throw RequestError(404, "no document with id '" + std::string(id) + "'");
  const StoredDocument stored = searcher->Document(*doc);
  return Json("{\"id\":" + Quoted(id) + ",\"title\":" + Quoted(stored.title) + ",\"body\":" +
              Quoted(stored.body) + ",\"fields\":" + FieldsJson(searcher->snapshot(), *doc) + "}");
}

Response SearchService::Suggest(std::string_view query_string) {
  const Parameters parameters = ParametersOfQueryString(query_string);
  RequireKnown(parameters, {"q"});
  const std::string query = QueryParameter(parameters, options_.limits);
  auto searcher = pool_.Borrow();
  const DisplayResult display = SuggestOnly(*searcher, query);
  std::string corrections;
  for (const auto& [typed, suggested] : display.corrections) {
    corrections += (corrections.empty() ? "" : ",") + std::string("{\"typed\":") + Quoted(typed) +
                   ",\"suggested\":" + Quoted(suggested) + "}";
  }
  return Json("{\"query\":" + Quoted(query) + ",\"did_you_mean\":" +
              Quoted(display.corrected_query) + ",\"corrections\":[" + corrections + "]}");
}

Response SearchService::Stats() {
  const std::shared_ptr<const IndexSnapshot> snapshot = pool_.snapshot();
  const std::uint64_t all = snapshot->manifest().document_count();
  return Json("{\"documents\":" + std::to_string(snapshot->live_count()) +
              ",\"deleted\":" + std::to_string(all - snapshot->live_count()) +
              ",\"segments\":" + std::to_string(snapshot->segments().size()) +
              ",\"generation\":" + std::to_string(snapshot->manifest().generation) +
              ",\"language\":" + Quoted(snapshot->analysis().language) +
              ",\"writes\":" + (options_.allow_writes ? "true" : "false") + "}");
}

Response SearchService::Health() {
  std::string error;
  {
    std::lock_guard lock(health_mutex_);
    error = reload_error_;
  }
  std::string body = "{\"status\":\"ok\",\"generation\":" + std::to_string(generation());
  // Still answering, from the last index that opened: say why it is not
  // the newest.
  if (!error.empty()) body += ",\"reload_error\":" + Quoted(error);
  return Json(body + "}");
}

std::optional<Response> SearchService::RefuseWrite(const Request& request) const {
  if (!options_.allow_writes) {
    return ErrorResponse(403,
                         "writes are disabled: start fathom-serve with --allow-writes "
                         "--token-file FILE");
  }
  const std::optional<std::string_view> token = BearerToken(request.authorization);
  if (!token) {
    Response response = ErrorResponse(401, "writes need an 'Authorization: Bearer TOKEN' header");
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  if (!SameSecret(*token, options_.token)) return ErrorResponse(403, "wrong token");
  return std::nullopt;
}

Response SearchService::AddDocuments(const Request& request) {
  // Every line is checked before anything is written: one commit, all the
  // documents or none.
  std::vector<Document> documents;
  std::vector<JsonMember> members;
  const CorpusOptions fields;
  // Typed here so that a line whose values clash with each other is refused
  // with its line number; the commit types them again with the index's own
  // types (a clash with those is a 409).
  FieldTyper typer;
  ForEachJsonLine(request.body, [&](std::size_t line_number, std::string_view line) {
    const std::string where = "line " + std::to_string(line_number) + ": ";
    const JsonParseResult parsed = ParseJsonLine(line, members);
    Require(parsed.ok, where + "column " + std::to_string(parsed.column) + ": " + parsed.error +
                           " (nothing was added)");
    SourceDocument document;
    const std::string problem = DocumentFromJson(members, fields, typer, document);
    Require(problem.empty(), where + problem + " (nothing was added)");
    Document added{std::move(document.id), std::move(document.title), std::move(document.body)};
    for (const JsonMember& member : members) {
      if (member.kind == JsonKind::kNull || IsDocumentMember(member.name, fields)) continue;
      std::optional<DocumentField> field = FieldOfMember(member);
      // A file's arrays and objects are left out with a warning; a request
      // has no warnings to give, so it is refused instead of losing them.
      Require(field.has_value(), where + "member '" + member.name +
                                     "': arrays and objects are not typed field values "
                                     "(nothing was added)");
      added.fields.push_back(std::move(*field));
    }
    documents.push_back(std::move(added));
  });
  Require(!documents.empty(), "no documents in the body (JSON Lines: one object per line)");
  CommitSummary summary;
  {
    std::lock_guard lock(write_mutex_);
    IndexWriter writer(index_);
    for (Document& document : documents) writer.Add(std::move(document));
    summary = CommitOrConflict(writer);
    pool_.Refresh();
  }
  return Json("{\"added\":" + std::to_string(summary.added) +
              ",\"replaced\":" + std::to_string(summary.replaced) +
              ",\"documents\":" + std::to_string(summary.documents) +
              ",\"generation\":" + std::to_string(generation()) + "}");
}

Response SearchService::DeleteDocument(std::string_view id) {
  CommitSummary summary;
  {
    std::lock_guard lock(write_mutex_);
    IndexWriter writer(index_);
    writer.Delete(std::string(id));
    summary = CommitOrConflict(writer);
    pool_.Refresh();
  }
  if (summary.deleted == 0)
    throw RequestError(404, "no document with id '" + std::string(id) + "'");
  return Json("{\"deleted\":" + std::to_string(summary.deleted) +
              ",\"documents\":" + std::to_string(summary.documents) +
              ",\"generation\":" + std::to_string(generation()) + "}");
}

Response SearchService::Merge() {
  {
    std::lock_guard lock(write_mutex_);
    IndexWriter writer(index_);
    writer.Merge();
    pool_.Refresh();
  }
  return Stats();
}

bool SearchService::Reload() {
  const bool changed = pool_.Refresh();
  NoteReloadError({});
  return changed;
}

std::uint64_t SearchService::generation() const { return pool_.snapshot()->manifest().generation; }

void SearchService::NoteReloadError(std::string error) {
  std::lock_guard lock(health_mutex_);
  reload_error_ = std::move(error);
}

}  // namespace fathom::serve
