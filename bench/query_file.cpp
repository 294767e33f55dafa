#include "bench/query_file.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "searcher/present/batch.hpp"

namespace fathom::bench {

std::string KindOf(const std::string& qid) {
  const auto dash = qid.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == qid.size()) return qid;
  const bool numbered = std::all_of(qid.begin() + static_cast<std::ptrdiff_t>(dash) + 1, qid.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
  return numbered ? qid.substr(0, dash) : qid;
}

std::vector<QueryLine> ReadQueryFile(const std::string& path) {
  std::vector<QueryLine> queries;
  for (BatchQuery& query : ReadBatchQueries(path)) {
    std::string kind = KindOf(query.qid);
    queries.push_back({std::move(query.qid), std::move(kind), std::move(query.text)});
  }
  if (queries.empty()) throw InputError(path + ": no queries");
  return queries;
}

}  // namespace fathom::bench
