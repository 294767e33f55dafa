// What fathom-index and fathom-search share on the command line: option
// parsing with free positional arguments, one error-reporting policy, and
// number formatting for people.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fathom {

struct CommandLine {
  boost::program_options::variables_map options;
  std::vector<std::string> arguments;  // the positional ones, in order
};

// Parses the named options; every other word is a positional argument.
// Throws boost::program_options::error on a bad option.
CommandLine ParseCommandLine(int argc, char** argv,
                             const boost::program_options::options_description& options);

// Runs the program's body and turns what it throws into the exit status and
// one line on stderr: "PROGRAM: message". Usage errors exit 2, others 1.
int RunCommandLine(const char* program, const std::function<int()>& body);

// The non-empty items of a comma-separated option value ("body,text").
std::vector<std::string> SplitList(const std::string& text);

// "12.3 MB", "512 B" (decimal units).
std::string FormatBytes(double bytes);
// "1,234,567"
std::string FormatCount(std::uint64_t n);

}  // namespace fathom
