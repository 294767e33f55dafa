// Fuzzes fathom-serve's requests: the input is a method line, a target line
// (path and query string) and a body, handled by SearchService over a small
// index with writes off. Every request gets an answer with a JSON body;
// nothing a client sends may be an internal error (500), a crash, a hang or
// a leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "searcher/serve/service.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fathom;
  static fuzz::FuzzIndex index;
  static serve::SearchService service(index.index(), {});
  std::string_view input(reinterpret_cast<const char*>(data), size);
  serve::Request request;
  const auto next_line = [&input] {
    const std::size_t newline = input.find('\n');
    const std::string_view line = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    return std::string(line);
  };
  request.method = next_line();
  request.target = "/" + next_line();
  request.body = std::string(input);
  const serve::Response response = service.Handle(request);
  if (response.status >= 500 || response.status < 200) std::abort();
  if (response.body.empty()) std::abort();
  return 0;
}
