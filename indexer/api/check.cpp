// fathom::Check (include/fathom/index.hpp): fathom-index check's verdict.
#include "fathom/index.hpp"
#include "indexer/check/index_checker.hpp"

namespace fathom {

CheckResult Check(const std::filesystem::path& path) {
  const CheckReport report = CheckIndex(path);
  CheckResult result;
  result.sound = report.sound;
  if (!report.sound) result.problems.push_back(report.problem);
  return result;
}

}  // namespace fathom
