// Typed errors (public API: <fathom/errors.hpp>). They are thrown only while opening and validating
// files and during command-line I/O; once an index is validated, cursors and decoders are noexcept
// and unchecked on the hot path.
#pragma once

#include <stdexcept>
#include <string>

namespace fathom {

// Base of every error Fathom reports to a user: what() is one line that names
// the file (where there is one) and what is wrong.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The operating system refused an operation (open, read, write, rename...).
class IoError : public Error {
 public:
  using Error::Error;
};

// An index file exists but its bytes are not what Fathom wrote: bad magic,
// checksum mismatch, truncation, an offset out of bounds.
class CorruptIndexError : public Error {
 public:
  using Error::Error;
};

// An index written by another (older or newer) on-disk format version.
class FormatVersionError : public Error {
 public:
  using Error::Error;
};

// The user's input (corpus, query, option) is unusable.
class InputError : public Error {
 public:
  using Error::Error;
};

// A query that does not follow the query language; column() is the 1-based
// byte column of the offending character, and what() says so.
class QuerySyntaxError : public InputError {
 public:
  QuerySyntaxError(std::size_t column, const std::string& problem)
      : InputError("query, column " + std::to_string(column) + ": " + problem),
        column_(column),
        problem_(problem) {}
  std::size_t column() const { return column_; }
  // What is wrong, without the column: "missing ')' to close a '('".
  const std::string& problem() const { return problem_; }

 private:
  std::size_t column_;
  std::string problem_;
};

}  // namespace fathom
