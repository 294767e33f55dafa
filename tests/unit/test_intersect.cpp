// IntersectBlocks (searcher/eval/intersect.hpp): the ids two decoded blocks
// share, four against four, against std::set_intersection.
#include "searcher/eval/intersect.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <set>
#include <vector>

namespace fathom::eval {
namespace {

using Ids = std::vector<std::uint32_t>;

// A strictly increasing run of `size` ids from [0, range).
Ids IncreasingRun(std::mt19937_64& rng, std::size_t size, std::uint32_t range) {
  std::set<std::uint32_t> ids;
  while (ids.size() < size) ids.insert(static_cast<std::uint32_t>(rng() % range));
  return Ids(ids.begin(), ids.end());
}

// Checks both variants on a[i0..) and b[j0..): the common ids, counted and
// written in order, one run used up, and nothing of it left uncounted in
// what remains of the other.
void ExpectIntersection(const Ids& a, std::size_t i0, const Ids& b, std::size_t j0) {
  Ids expected;
  std::set_intersection(a.begin() + static_cast<std::ptrdiff_t>(i0), a.end(),
                        b.begin() + static_cast<std::ptrdiff_t>(j0), b.end(),
                        std::back_inserter(expected));
  Ids out(a.size() - i0 + 1, 0xFFFFFFFFu);
  std::size_t i = i0, j = j0;
  const std::size_t found =
      IntersectBlocks<true>(a.data(), i, a.size(), b.data(), j, b.size(), out.data());
  ASSERT_EQ(found, expected.size())
      << "a " << a.size() << " from " << i0 << ", b " << b.size() << " from " << j0;
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out.begin()));
  EXPECT_TRUE(i == a.size() || j == b.size());
  // What is left of the other run holds no id of the used-up run's part
  // that was not counted: the caller may seek it past the used-up block.
  const auto left_is_settled = [&](const Ids& used, std::size_t used_from, const Ids& other,
                                   std::size_t from) {
    for (std::size_t k = from; k < other.size(); ++k) {
      const bool in_used = std::binary_search(used.begin() + static_cast<std::ptrdiff_t>(used_from),
                                              used.end(), other[k]);
      const bool counted = std::binary_search(expected.begin(), expected.end(), other[k]);
      EXPECT_TRUE(!in_used || counted) << other[k];
    }
  };
  if (i == a.size()) left_is_settled(a, i0, b, j);
  if (j == b.size()) left_is_settled(b, j0, a, i);

  std::size_t i_count = i0, j_count = j0;
  EXPECT_EQ(
      IntersectBlocks<false>(a.data(), i_count, a.size(), b.data(), j_count, b.size(), nullptr),
      expected.size());
  EXPECT_EQ(i_count, i);
  EXPECT_EQ(j_count, j);
}

TEST(IntersectBlocks, MatchesSetIntersectionAtEveryDensityAndStart) {
  std::mt19937_64 rng(42);
  // Ranges from twice a block (dense, many shared ids) to far sparser.
  for (const std::uint32_t range : {130u, 256u, 1000u, 100000u}) {
    for (int round = 0; round < 300; ++round) {
      const std::size_t a_size = rng() % 129, b_size = rng() % 129;
      const Ids a = IncreasingRun(rng, std::min<std::size_t>(a_size, range), range);
      const Ids b = IncreasingRun(rng, std::min<std::size_t>(b_size, range), range);
      const std::size_t i0 = a.empty() ? 0 : rng() % (a.size() + 1);
      const std::size_t j0 = b.empty() ? 0 : rng() % (b.size() + 1);
      ExpectIntersection(a, i0, b, j0);
      ExpectIntersection(b, j0, a, i0);
    }
  }
}

TEST(IntersectBlocks, IdenticalInterleavedAndDisjointRuns) {
  Ids all(128), evens, odds;
  for (std::uint32_t k = 0; k < 128; ++k) {
    all[k] = 1000 + k;
    (k % 2 == 0 ? evens : odds).push_back(1000 + k);
  }
  ExpectIntersection(all, 0, all, 0);     // every id shared, every quad equal
  ExpectIntersection(all, 3, all, 70);    // starts that are not quad-aligned
  ExpectIntersection(evens, 0, odds, 0);  // interleaved, nothing shared
  ExpectIntersection(all, 0, evens, 0);
  ExpectIntersection(Ids{1, 2, 3, 4}, 0, Ids{5, 6, 7, 8}, 0);  // disjoint ranges
  ExpectIntersection(Ids{5, 6, 7, 8}, 0, Ids{1, 2, 3, 4}, 0);
  ExpectIntersection(Ids{4, 8, 12, 16, 20}, 0, Ids{16, 17, 18, 19, 20}, 0);  // shared lasts
  ExpectIntersection(Ids{0, 0xFFFFFFFEu, 0xFFFFFFFFu}, 0, Ids{0, 0xFFFFFFFFu}, 0);
}

}  // namespace
}  // namespace fathom::eval
