// fathom-serve's HTTP transport, on Boost.Beast: requests are read and
// answered asynchronously on one I/O thread, and SearchService::Handle runs
// on a pool of worker threads, so that an idle, slow or slowly-read client
// costs no worker and a slow query holds only its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "searcher/serve/service.hpp"

namespace fathom::serve {

struct HttpOptions {
  std::string host = "127.0.0.1";            // loopback unless told otherwise
  unsigned short port = 8080;                // 0: any free port (see HttpServer::port)
  std::size_t threads = 0;                   // workers answering requests; 0: one per core
  std::size_t max_body_bytes = 16u << 20;    // larger: 413
  std::size_t max_header_bytes = 16u << 10;  // request line and headers; larger: 431
  // A connection is closed when no complete request arrives for this long
  // (an idle keep-alive connection, or a client sending too slowly).
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  // How often the index's manifest is looked at for changes by writers.
  std::chrono::milliseconds reload_interval{250};
};

class HttpServer {
 public:
  // Binds the address. Throws IoError naming it when that fails.
  HttpServer(SearchService& service, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port bound (the one chosen when HttpOptions::port was 0).
  unsigned short port() const;
  // Serves until Stop(), SIGTERM or SIGINT: then stops accepting, closes
  // idle connections, answers the requests in flight, and returns.
  void Run();
  // Thread-safe; Run returns once the requests in flight are answered.
  void Stop();

  struct State;  // the implementation's (http_server.cpp)

 private:
  std::unique_ptr<State> state_;
};

}  // namespace fathom::serve
