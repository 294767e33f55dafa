// A small command-line parser for the subcommands: positional arguments
// plus "--name value" / "--name=value" options, every option taking a value.
// Unknown options are errors, so a typo never silently runs a default.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::bench {

// A command-line mistake: main() prints it with the usage hint, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  // Parses args (the words after the subcommand). known_options are option
  // names without the leading "--".
  Args(const std::vector<std::string>& args, std::initializer_list<std::string_view> known_options);

  bool help() const { return help_; }
  const std::vector<std::string>& positional() const { return positional_; }
  // Throws UsageError unless exactly n positional arguments were given.
  void ExpectPositional(std::size_t n, std::string_view names) const;

  bool Has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  std::string GetString(std::string_view name, std::string_view fallback) const;
  // Throws UsageError when the value is not an unsigned integer.
  std::uint64_t GetUint(std::string_view name, std::uint64_t fallback) const;
  std::uint64_t RequireUint(std::string_view name) const;
  // --threads as a list ("1,2", "all" = every core), each 1 to 256.
  std::vector<std::size_t> ThreadCounts() const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string, std::less<>> values_;
  bool help_ = false;
};

}  // namespace fathom::bench
