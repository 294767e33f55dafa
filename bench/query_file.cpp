#include "bench/query_file.hpp"

#include <algorithm>
#include <fstream>

#include "common/error.hpp"

namespace fathom::bench {

std::string KindOf(const std::string& qid) {
  const auto dash = qid.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == qid.size()) return qid;
  const bool numbered = std::all_of(qid.begin() + static_cast<std::ptrdiff_t>(dash) + 1, qid.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
  return numbered ? qid.substr(0, dash) : qid;
}

std::vector<QueryLine> ReadQueryFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError(path + ": cannot open query file");
  std::vector<QueryLine> queries;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) {
      throw InputError(path + ":" + std::to_string(number) + ": expected 'qid<TAB>query'");
    }
    QueryLine query{line.substr(0, tab), "", line.substr(tab + 1)};
    query.kind = KindOf(query.qid);
    queries.push_back(std::move(query));
  }
  if (queries.empty()) throw InputError(path + ": no queries");
  return queries;
}

}  // namespace fathom::bench
