// What fathom-serve answers, apart from the network: a request (method,
// target, bearer token, body) in, a response (status, type, body) out. The
// HTTP transport (http_server.hpp) only carries these, so the endpoints,
// their limits and their errors are tested without sockets, and the JSON of
// a search is fathom-search --format json's, written by the same function.
//
//   GET  /                       the search page (page.hpp)
//   GET  /search?q=&k=&offset=&explain=&snippets=&snippet_format=&fold=&suggest=
//   POST /search                 the same parameters as a JSON object
//   POST /search/batch           JSON Lines of {"qid": ..., "q": ...}
//   GET  /documents/{id}         a stored document
//   GET  /suggest?q=             "did you mean"
//   GET  /stats, GET /health
//   POST /documents              JSON Lines of documents   (writes: --allow-writes
//   DELETE /documents/{id}                                   and the bearer token)
//   POST /merge
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "searcher/searcher_pool.hpp"

namespace fathom::serve {

struct ServiceLimits {
  std::size_t max_k = 1000;            // hits per request
  std::size_t max_window = 10000;      // offset + k (Elasticsearch's max_result_window)
  std::size_t max_query_bytes = 4096;  // one query's text
  std::size_t max_batch_queries = 10000;
  // A batch stops answering once it has run this long: the queries left get
  // an error each. A single query is not interrupted.
  std::chrono::milliseconds time_budget{10000};
};

struct ServiceOptions {
  ServiceLimits limits;
  bool allow_writes = false;
  std::string token;  // required of writes when allow_writes (not empty then)
};

struct Request {
  std::string method;         // "GET", "POST", "DELETE", ...
  std::string target;         // path and query string, percent-encoded
  std::string authorization;  // the Authorization header, or empty
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

// A JSON error response: {"error": message, "status": status}.
Response ErrorResponse(int status, std::string_view message);

class SearchService {
 public:
  // Opens the index (throws as IndexSnapshot).
  SearchService(std::filesystem::path index, ServiceOptions options);

  // Thread-safe. Never throws: a bad request is a 4xx, anything else a 500,
  // each with a JSON error.
  Response Handle(const Request& request);

  // Moves to the index as it is now if a writer changed it; true if it did.
  // Queries running meanwhile finish on the snapshot they started with.
  // Throws as IndexSnapshot (a damaged new index: the old one keeps serving).
  bool Reload();
  // The generation of the snapshot being served.
  std::uint64_t generation() const;
  // The last Reload failure ("" when the last one succeeded), for /health.
  void NoteReloadError(std::string error);

 private:
  Response Route(const Request& request);
  Response Search(const Request& request, std::string_view query_string, bool post);
  Response SearchBatch(const Request& request);
  Response GetDocument(std::string_view id);
  Response Suggest(std::string_view query_string);
  Response Stats();
  Response Health();
  Response AddDocuments(const Request& request);
  Response DeleteDocument(std::string_view id);
  Response Merge();
  // nullopt when the request may write; otherwise the 401/403 to answer.
  std::optional<Response> RefuseWrite(const Request& request) const;

  const std::filesystem::path index_;
  const ServiceOptions options_;
  SearcherPool pool_;
  std::mutex write_mutex_;  // one write at a time: commits take the index's lock anyway
  mutable std::mutex health_mutex_;
  std::string reload_error_;  // guarded by health_mutex_
};

// Percent-decoding ('+' as space in query strings): nullopt for a bad
// escape. And a query string's name=value pairs, decoded, in order.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQueryString(
    std::string_view query);

}  // namespace fathom::serve
