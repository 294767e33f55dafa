#include "bench/args.hpp"

#include <algorithm>
#include <thread>

#include "common/command_line.hpp"

#include <algorithm>
#include <charconv>

namespace fathom::bench {

Args::Args(const std::vector<std::string>& args,
           std::initializer_list<std::string_view> known_options) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.size() < 3 || !arg.starts_with("--")) {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    if (const auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw UsageError("--" + name + " needs a value");
    }
    if (std::find(known_options.begin(), known_options.end(), name) == known_options.end()) {
      throw UsageError("unknown option --" + name);
    }
    values_[name] = value;
  }
}

void Args::ExpectPositional(std::size_t n, std::string_view names) const {
  if (positional_.size() != n) {
    throw UsageError("expected " + std::string(names) + ", got " +
                     std::to_string(positional_.size()) + " argument(s)");
  }
}

std::string Args::GetString(std::string_view name, std::string_view fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::string(fallback) : it->second;
}

std::uint64_t Args::GetUint(std::string_view name, std::uint64_t fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  const std::string& text = it->second;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw UsageError("--" + std::string(name) + ": expected an unsigned integer, got '" + text +
                     "'");
  }
  return value;
}

std::uint64_t Args::RequireUint(std::string_view name) const {
  if (!Has(name)) throw UsageError("--" + std::string(name) + " is required");
  return GetUint(name, 0);
}

std::vector<std::size_t> Args::ThreadCounts() const {
  std::vector<std::size_t> counts;
  for (const std::string& item : SplitList(GetString("threads", "1"))) {
    const std::size_t n =
        item == "all" ? std::max(1u, std::thread::hardware_concurrency()) : std::stoul(item);
    if (n == 0 || n > 256) throw UsageError("--threads: expected 1 to 256");
    counts.push_back(n);
  }
  return counts;
}

}  // namespace fathom::bench
