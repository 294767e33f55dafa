#include "searcher/serve/http_server.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <list>
#include <mutex>
#include <thread>

#include "fathom/errors.hpp"

namespace fathom::serve {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

}  // namespace

class Session;

struct HttpServer::State {
  State(SearchService& service_in, HttpOptions options_in)
      : service(service_in),
        options(std::move(options_in)),
        workers(options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency())
                                     : options.threads),
        acceptor(io),
        signals(io, SIGTERM, SIGINT),
        reload_timer(io) {}

  void Accept();
  void ScheduleReload();
  void BeginStop();

  SearchService& service;
  const HttpOptions options;
  net::io_context io{1};
  net::thread_pool workers;
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer reload_timer;
  std::atomic<bool> stopping{false};
  std::atomic<bool> reloading{false};
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<Session>> sessions;  // guarded by sessions_mutex
};

// One connection: read a request, have a worker answer it, write the
// answer, and again while the client keeps the connection alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::State& server)
      : stream_(std::move(socket)), server_(server) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // On shutdown: a connection waiting for its next request is closed; one
  // with a request in flight is closed once it is answered.
  void CloseIfIdle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->waiting_) self->stream_.socket().close();
    });
  }

 private:
  void Read() {
    if (server_.stopping) return Close();
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    // One deadline for the whole request, header and body: an idle or a
    // slow client is disconnected when it passes.
    stream_.expires_after(server_.options.idle_timeout);
    waiting_ = buffer_.size() == 0;
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    waiting_ = false;
    if (ec) return OnReadError(ec);
    auto& header = parser_->get();
    if (header[http::field::expect] == "100-continue") {
      // The body is wanted (or refused below with 413 before it is sent).
      const auto length = parser_->content_length();
      if (length && *length > server_.options.max_body_bytes) {
        return Fail(413, "the request body is larger than " +
                             std::to_string(server_.options.max_body_bytes) + " bytes");
      }
      // Written like every other reply, without blocking the I/O thread on
      // a client that does not read (the request's deadline still runs).
      go_on_.emplace(http::status::continue_, header.version());
      http::async_write(stream_, *go_on_,
                        [self = shared_from_this()](beast::error_code write_error, std::size_t) {
                          if (write_error) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code read_error, std::size_t) {
                       self->OnRequest(read_error);
                     });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::bad_descriptor || ec == net::error::eof) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return Fail(413, "the request body is larger than " +
                           std::to_string(server_.options.max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return Fail(431, "the request line and headers are longer than " +
                           std::to_string(server_.options.max_header_bytes) + " bytes");
    }
    Fail(400, "malformed HTTP request: " + ec.message());
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    stream_.expires_never();
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.authorization = std::string(message[http::field::authorization]);
    request.body = std::move(message.body());
    // The I/O thread's run must not end while a worker answers (on
    // shutdown, nothing else may be left for it to do).
    auto busy = net::make_work_guard(server_.io);
    net::post(server_.workers, [self = shared_from_this(), request = std::move(request),
                                busy = std::move(busy)] {
      Response response = self->server_.service.Handle(request);
      if (response.status >= 500) {
        std::cerr << "fathom-serve: " << request.method << " " << request.target << ": "
                  << response.status << " " << response.body;
      }
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable { self->Write(response); });
    });
  }

  // Answers a request that could not be read, and closes the connection:
  // what follows in the stream cannot be trusted to start a request.
  void Fail(int status, const std::string& message) {
    keep_alive_ = false;
    if (parser_ && parser_->is_header_done()) version_ = parser_->get().version();
    Write(ErrorResponse(status, message));
  }

  void Write(const Response& response) {
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_);
    message->set(http::field::server, "fathom-serve");
    message->set(http::field::content_type, response.content_type);
    message->set(http::field::cache_control, "no-store");
    message->set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : response.headers) message->set(name, value);
    message->body() = response.body;
    message->keep_alive(keep_alive_ && !server_.stopping);
    message->prepare_payload();
    stream_.expires_after(server_.options.idle_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
                        if (ec || !message->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  HttpServer::State& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> go_on_;  // "100 Continue", while it is written
  bool keep_alive_ = false;
  unsigned version_ = 11;
  bool waiting_ = false;  // for the first byte of the next request
};

void HttpServer::State::Accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (!ec) {
      auto session = std::make_shared<Session>(std::move(socket), *this);
      {
        std::lock_guard lock(sessions_mutex);
        sessions.remove_if([](const std::weak_ptr<Session>& s) { return s.expired(); });
        sessions.push_back(session);
      }
      session->Start();
    }
    Accept();
  });
}

void HttpServer::State::ScheduleReload() {
  reload_timer.expires_after(options.reload_interval);
  reload_timer.async_wait([this](beast::error_code ec) {
    if (ec || stopping) return;
    // Opening a changed index maps its segments: a worker's job, never the
    // I/O thread's. One reload at a time.
    if (!reloading.exchange(true)) {
      net::post(workers, [this] {
        try {
          if (service.Reload()) {
            std::cerr << "fathom-serve: now serving generation " << service.generation() << "\n";
          }
        } catch (const std::exception& e) {
          service.NoteReloadError(e.what());
          std::cerr << "fathom-serve: error: the changed index did not open, still serving "
                       "generation "
                    << service.generation() << ": " << e.what() << "\n";
        }
        reloading = false;
      });
    }
    ScheduleReload();
  });
}

void HttpServer::State::BeginStop() {
  if (stopping.exchange(true)) return;
  beast::error_code ignored;
  acceptor.close(ignored);
  signals.cancel(ignored);
  reload_timer.cancel();
  std::lock_guard lock(sessions_mutex);
  for (const auto& weak : sessions) {
    if (auto session = weak.lock()) session->CloseIfIdle();
  }
}

HttpServer::HttpServer(SearchService& service, HttpOptions options)
    : state_(std::make_unique<State>(service, std::move(options))) {
  State& s = *state_;
  const std::string where = s.options.host + ":" + std::to_string(s.options.port);
  beast::error_code ec;
  const auto address = net::ip::make_address(s.options.host, ec);
  if (ec) throw InputError("--host: '" + s.options.host + "' is not an IP address");
  const tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw IoError("cannot listen on " + where + ": " + ec.message());
}

HttpServer::~HttpServer() { state_->workers.join(); }

unsigned short HttpServer::port() const { return state_->acceptor.local_endpoint().port(); }

void HttpServer::Run() {
  State& s = *state_;
  s.signals.async_wait([&s](beast::error_code ec, int) {
    if (!ec) s.BeginStop();
  });
  s.Accept();
  s.ScheduleReload();
  // Returns when nothing is left to do: after BeginStop, once every
  // connection has been answered and closed.
  s.io.run();
  s.workers.join();
}

void HttpServer::Stop() {
  net::post(state_->io, [s = state_.get()] { s->BeginStop(); });
}

}  // namespace fathom::serve
