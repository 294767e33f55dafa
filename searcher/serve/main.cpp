// fathom-serve: the index over HTTP, a JSON API and a search page
// (searcher/serve/service.hpp lists the endpoints).
#include <fstream>
#include <iostream>

#include "common/command_line.hpp"
#include "common/error.hpp"
#include "searcher/serve/http_server.hpp"
#include "searcher/serve/service.hpp"

namespace po = boost::program_options;
using namespace fathom;

namespace {

// The write token: the file's first line. A token on the command line
// would be visible to every user in the process list.
std::string ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError(path + ": cannot read the token file");
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.size() < 16) {
    throw InputError(path + ": the token must be at least 16 characters (its first line)");
  }
  return token;
}

int Run(int argc, char** argv) {
  po::options_description options("Options");
  serve::HttpOptions http;
  serve::ServiceOptions service;
  // clang-format off
  options.add_options()
    ("help,h", "show this help")
    ("host", po::value<std::string>()->default_value(http.host),
     "address to listen on (loopback by default: give 0.0.0.0 to listen on every interface)")
    ("port", po::value<unsigned short>()->default_value(http.port), "port; 0: any free port")
    ("threads", po::value<std::size_t>()->default_value(0), "threads answering requests; 0: one per core")
    ("allow-writes", po::bool_switch(),
     "accept POST /documents, DELETE /documents/ID and POST /merge (needs --token-file)")
    ("token-file", po::value<std::string>(), "file whose first line is the bearer token writes need")
    ("max-k", po::value<std::size_t>()->default_value(service.limits.max_k), "most hits a request may ask for")
    ("max-body", po::value<std::size_t>()->default_value(http.max_body_bytes), "largest request body, in bytes")
    ("time-budget-ms", po::value<std::size_t>()->default_value(
        static_cast<std::size_t>(service.limits.time_budget.count())),
     "a batch request stops answering after this long (the queries left get an error)")
    ("idle-timeout-ms", po::value<std::size_t>()->default_value(
        static_cast<std::size_t>(http.idle_timeout.count())),
     "close a connection that sends no complete request for this long (idle or slow clients)");
  // clang-format on
  const CommandLine command_line = ParseCommandLine(argc, argv, options);
  const po::variables_map& vm = command_line.options;
  if (vm.count("help")) {
    std::cout << "Usage: fathom-serve INDEX [--host 127.0.0.1] [--port 8080] [--threads N]\n\n"
                 "Serves the index: a search page at / and a JSON API (GET /search?q=...,\n"
                 "POST /search/batch, GET /documents/ID, /suggest?q=, /stats, /health).\n\n"
              << options;
    return 0;
  }
  if (command_line.arguments.size() != 1) {
    std::cerr << "fathom-serve: expected one INDEX folder (see fathom-serve --help)\n";
    return 2;
  }
  const std::string index = command_line.arguments[0];
  http.host = vm["host"].as<std::string>();
  http.port = vm["port"].as<unsigned short>();
  http.threads = vm["threads"].as<std::size_t>();
  http.max_body_bytes = vm["max-body"].as<std::size_t>();
  http.idle_timeout = std::chrono::milliseconds(vm["idle-timeout-ms"].as<std::size_t>());
  service.limits.max_k = vm["max-k"].as<std::size_t>();
  if (service.limits.max_k == 0 || service.limits.max_k > service.limits.max_window) {
    throw InputError("--max-k must be from 1 to " + std::to_string(service.limits.max_window));
  }
  service.limits.time_budget = std::chrono::milliseconds(vm["time-budget-ms"].as<std::size_t>());
  service.allow_writes = vm["allow-writes"].as<bool>();
  if (service.allow_writes) {
    if (!vm.count("token-file")) throw InputError("--allow-writes needs --token-file FILE");
    service.token = ReadToken(vm["token-file"].as<std::string>());
  } else if (vm.count("token-file")) {
    throw InputError("--token-file is used only with --allow-writes");
  }

  serve::SearchService search_service(index, service);
  serve::HttpServer server(search_service, http);
  std::cout << "fathom-serve: serving " << index << " (generation " << search_service.generation()
            << ") at http://" << http.host << ":" << server.port() << "/"
            << (service.allow_writes ? " with writes" : "") << std::endl;
  server.Run();
  std::cout << "fathom-serve: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return RunCommandLine("fathom-serve", [&] { return Run(argc, argv); });
}
