#include "common/format/impacts.hpp"

#include <algorithm>
#include <array>

#include "common/format/codec.hpp"

namespace fathom {
namespace {

using format::Impact;

// The products below reach 96 bits (cross products) and 128 bits (merge
// costs); exact integers keep the writer and the checker in agreement on
// every machine, where floating point could round ties either way.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 Uint128;

// BM25 of (tf, len) is w * tf / (tf + k1 (1 - b) + k1 b len / avglen): the
// best pair maximizes it, i.e. minimizes A / tf + C * len / tf with
// A = k1 (1 - b) >= 0 and C = k1 b / avglen >= 0. In the plane of points
// (1 / tf, len / tf), a linear function with non-negative coefficients is
// minimized at a vertex of the lower-left convex hull, so those vertices
// are all the pairs a bound needs, for every k1 and b at once.
//
// Sign of the cross product (b - a) x (c - a) of the points of three pairs.
int Turn(const Impact& a, const Impact& b, const Impact& c) {
  const Int128 ta = a.frequency, tb = b.frequency, tc = c.frequency;
  const Int128 la = a.length, lb = b.length, lc = c.length;
  // ((1/tb - 1/ta) (lc/tc - la/ta) - (lb/tb - la/ta) (1/tc - 1/ta)) times
  // ta^2 tb tc, which is positive.
  const Int128 cross = (ta - tb) * (lc * ta - la * tc) - (lb * ta - la * tb) * (ta - tc);
  return cross > 0 ? 1 : (cross < 0 ? -1 : 0);
}

// Hull vertices of pairs given by decreasing frequency (increasing 1/tf),
// written back in place by increasing frequency; returns their number.
std::size_t LowerLeftHull(Impact* pairs, std::size_t n) {
  std::size_t m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    while (m >= 2 && Turn(pairs[m - 2], pairs[m - 1], pairs[i]) <= 0) --m;
    pairs[m++] = pairs[i];
  }
  // Past the lowest point (smallest len / tf) the lower hull rises: those
  // vertices minimize only functions with a negative coefficient.
  std::size_t lowest = 0;
  for (std::size_t i = 1; i < m; ++i) {
    if (std::uint64_t{pairs[i].length} * pairs[lowest].frequency <
        std::uint64_t{pairs[lowest].length} * pairs[i].frequency) {
      lowest = i;
    }
  }
  m = lowest + 1;
  std::reverse(pairs, pairs + m);
  return m;
}

}  // namespace

std::size_t CompetitiveImpacts(const std::uint32_t* frequencies, const std::uint32_t* lengths,
                               std::size_t n, Impact* out) {
  std::array<Impact, codec::kBlockSize> pairs;
  for (std::size_t i = 0; i < n; ++i) pairs[i] = {frequencies[i], lengths[i]};
  // The Pareto frontier first: a pair with a lower frequency and a greater
  // (or equal) length than another never scores more, for any k1 and b.
  std::sort(pairs.begin(), pairs.begin() + n, [](const Impact& a, const Impact& b) {
    return a.frequency > b.frequency || (a.frequency == b.frequency && a.length < b.length);
  });
  std::size_t m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (m == 0 || pairs[i].length < pairs[m - 1].length) pairs[m++] = pairs[i];
  }
  m = LowerLeftHull(pairs.data(), m);
  // Rarely more vertices than a record holds: merge the two neighbours whose
  // merged pair (the larger frequency, the smaller length) adds the least,
  // measured by the relative size of the corner it adds, (dt / t) (dl / l),
  // which is independent of k1 and b. The merged pair dominates both, so
  // the pairs still bound every posting.
  const auto corner = [&](std::size_t i) {  // as a fraction
    const Uint128 dt = pairs[i + 1].frequency - pairs[i].frequency;
    const Uint128 dl = pairs[i + 1].length - pairs[i].length;
    return std::pair<Uint128, Uint128>{dt * dl,
                                       Uint128{pairs[i + 1].frequency} * pairs[i + 1].length};
  };
  while (m > format::kMaxImpacts) {
    std::size_t best = 0;
    for (std::size_t i = 1; i + 1 < m; ++i) {
      const auto [numerator, denominator] = corner(i);
      const auto [best_numerator, best_denominator] = corner(best);
      // Each side is a product of four 32-bit factors: it fits.
      if (numerator * best_denominator < best_numerator * denominator) best = i;
    }
    pairs[best] = {pairs[best + 1].frequency, pairs[best].length};
    std::copy(pairs.begin() + best + 2, pairs.begin() + m, pairs.begin() + best + 1);
    --m;
    // The merged pair may hide neighbours: recompute the hull (it expects
    // decreasing frequencies).
    std::reverse(pairs.begin(), pairs.begin() + m);
    m = LowerLeftHull(pairs.data(), m);
  }
  std::copy(pairs.begin(), pairs.begin() + m, out);
  return m;
}

ImpactFrontier::ImpactFrontier(std::uint32_t max_frequency)
    : shortest_(std::size_t{max_frequency} + 1, UINT64_MAX) {}

void ImpactFrontier::Add(format::Impact pair) {
  if (pair.frequency < shortest_.size()) {
    std::uint64_t& shortest = shortest_[pair.frequency];
    shortest = std::min<std::uint64_t>(shortest, pair.length);
  } else {
    beyond_.push_back(pair);
  }
}

std::vector<format::Impact> ImpactFrontier::Take() {
  std::vector<format::Impact> frontier = std::move(beyond_);
  const bool ranked = frontier.empty();
  // From the most frequent down, a pair is kept when it is shorter than
  // every pair kept before it.
  std::uint64_t shorter_than = UINT64_MAX;
  for (std::size_t frequency = shortest_.size(); frequency-- > 0;) {
    if (shortest_[frequency] < shorter_than) {
      shorter_than = shortest_[frequency];
      frontier.push_back(
          {static_cast<std::uint32_t>(frequency), static_cast<std::uint32_t>(shorter_than)});
    }
  }
  if (ranked) return frontier;
  std::sort(frontier.begin(), frontier.end(), [](const format::Impact& x, const format::Impact& y) {
    return x.frequency != y.frequency ? x.frequency > y.frequency : x.length < y.length;
  });
  std::vector<format::Impact> kept;
  for (const format::Impact& pair : frontier) {
    if (kept.empty() || pair.length < kept.back().length) kept.push_back(pair);
  }
  return kept;
}

}  // namespace fathom
