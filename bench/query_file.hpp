// Query files as generate-queries writes them, read as fathom-search reads
// them (ReadBatchQueries: "qid<TAB>query" lines, blank lines and '#'
// comments skipped). A query's kind is its qid before the last
// '-' when digits follow ("and-5" -> "and").
#pragma once

#include <string>
#include <vector>

namespace fathom::bench {

struct QueryLine {
  std::string qid;
  std::string kind;
  std::string text;
};

std::string KindOf(const std::string& qid);
// Throws fathom::IoError / InputError naming the file and line.
std::vector<QueryLine> ReadQueryFile(const std::string& path);

}  // namespace fathom::bench
