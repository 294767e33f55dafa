// Indexes users already have: every frozen index in tests/data (one per
// format version, made by tests/data/make_frozen_index.sh and never
// regenerated) either opens and answers exactly as recorded when it was
// made, or is refused with an error naming its version and this build's,
// as tantivy's compatibility tests do. There must be one of the current
// version, so a format change cannot land without freezing its index.
#include <gtest/gtest.h>

#include <regex>

#include "common/format/format.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kTestData = FATHOM_TEST_DATA_DIR;

std::vector<std::pair<std::uint32_t, fs::path>> FrozenIndexes() {
  std::vector<std::pair<std::uint32_t, fs::path>> found;
  const std::regex name("index-v([0-9]+)");
  for (const auto& entry : fs::directory_iterator(kTestData)) {
    std::smatch match;
    const std::string file = entry.path().filename().string();
    if (entry.is_directory() && std::regex_match(file, match, name)) {
      found.emplace_back(static_cast<std::uint32_t>(std::stoul(match[1])), entry.path());
    }
  }
  return found;
}

TEST(OldIndexes, TheCurrentVersionHasAFrozenIndex) {
  bool current = false;
  for (const auto& [version, path] : FrozenIndexes()) current |= version == format::kFormatVersion;
  EXPECT_TRUE(current) << "no " << (kTestData / "index-v").string() << format::kFormatVersion
                       << ": run tests/data/make_frozen_index.sh and commit what it makes";
}

TEST(OldIndexes, EachOpensAndAnswersAsRecordedOrIsRefusedNamingBothVersions) {
  const auto frozen = FrozenIndexes();
  ASSERT_FALSE(frozen.empty()) << "no frozen index in " << kTestData;
  for (const auto& [version, path] : frozen) {
    SCOPED_TRACE(path.string());
    TempDir dir;  // the source tree stays untouched, whatever a reader does
    const fs::path index = dir / "index";
    fs::copy(path, index, fs::copy_options::recursive);
    const fs::path run = dir / "run";
    const CommandResult search = RunCommand(kSearchBin + " " + Quote(index) + " --queries " +
                                            Quote(kTestData / "frozen_queries.tsv") +
                                            " --syntax -k 10 --tag frozen --output " + Quote(run));
    const CommandResult check = RunCommand(kIndexBin + " check " + Quote(index));
    if (version == format::kFormatVersion) {
      EXPECT_EQ(search.exit_code, 0) << search.err;
      EXPECT_EQ(ReadFile(run),
                ReadFile(kTestData / ("index-v" + std::to_string(version) + ".run")));
      EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
      continue;
    }
    for (const CommandResult* refused : {&search, &check}) {
      EXPECT_NE(refused->exit_code, 0);
      EXPECT_NE(refused->err.find("version " + std::to_string(version)), std::string::npos)
          << refused->err;
      EXPECT_NE(refused->err.find("version " + std::to_string(format::kFormatVersion)),
                std::string::npos)
          << refused->err;
    }
  }
}

}  // namespace
}  // namespace fathom::testing
