#include "searcher/present/near_duplicates.hpp"

#include <algorithm>
#include <numeric>

#include "common/analysis/minhash.hpp"

namespace fathom {
namespace {

constexpr std::size_t kBandWidth = 2;
// A bucket this large holds documents agreeing on a band by sharing very
// common shingles; comparing all its pairs would be quadratic for nothing.
constexpr std::size_t kMaxBucket = 4096;

}  // namespace

std::vector<ResultGroup> FoldNearDuplicates(const IndexSnapshot& snapshot,
                                            const std::vector<Hit>& hits, std::size_t limit) {
  std::vector<ResultGroup> groups;
  std::vector<MinHashSketch> leaders;
  for (const Hit& hit : hits) {
    const MinHashSketch sketch = snapshot.sketch(hit.doc);
    bool folded = false;
    for (std::size_t g = 0; g < groups.size() && !folded; ++g) {
      if (AreNearDuplicates(sketch, leaders[g])) {
        groups[g].near_duplicates.push_back(hit);
        folded = true;
      }
    }
    if (folded) continue;
    if (groups.size() == limit) break;
    groups.push_back({hit, {}});
    leaders.push_back(sketch);
  }
  return groups;
}

std::vector<std::vector<DocId>> FindNearDuplicateGroups(const IndexSnapshot& snapshot) {
  const auto n = static_cast<DocId>(snapshot.document_count());
  // A deleted document keeps an empty sketch (no shingles): never a copy.
  std::vector<MinHashSketch> sketches(n);
  for (const SnapshotSegment& segment : snapshot.segments()) {
    const IndexReader& reader = *segment.reader;
    for (DocId d = 0; d < reader.document_count(); ++d) {
      if (!segment.deleted.contains(d)) sketches[segment.base + d] = reader.sketch(d);
    }
  }
  std::vector<DocId> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  const auto find = [&](DocId d) {
    while (parent[d] != d) d = parent[d] = parent[parent[d]];
    return d;
  };
  std::vector<std::pair<std::uint32_t, DocId>> by_band;
  by_band.reserve(n);
  for (std::size_t band = 0; band < kMinHashes / kBandWidth; ++band) {
    by_band.clear();
    for (DocId d = 0; d < n; ++d) {
      if (sketches[d].shingles == 0) continue;
      const auto& v = sketches[d].values;
      by_band.emplace_back((std::uint32_t{v[2 * band]} << 16) | v[2 * band + 1], d);
    }
    std::sort(by_band.begin(), by_band.end());
    for (std::size_t i = 0; i < by_band.size();) {
      std::size_t end = i;
      while (end < by_band.size() && by_band[end].first == by_band[i].first) ++end;
      if (end - i <= kMaxBucket) {
        for (std::size_t a = i; a < end; ++a) {
          for (std::size_t b = a + 1; b < end; ++b) {
            const DocId x = by_band[a].second;
            const DocId y = by_band[b].second;
            if (find(x) != find(y) && AreNearDuplicates(sketches[x], sketches[y])) {
              parent[find(x)] = find(y);
            }
          }
        }
      }
      i = end;
    }
  }
  std::vector<std::pair<DocId, DocId>> by_root;  // (root, member)
  for (DocId d = 0; d < n; ++d) {
    if (sketches[d].shingles != 0) by_root.emplace_back(find(d), d);
  }
  std::sort(by_root.begin(), by_root.end());
  std::vector<std::vector<DocId>> groups;
  for (std::size_t i = 0; i < by_root.size();) {
    std::size_t end = i;
    while (end < by_root.size() && by_root[end].first == by_root[i].first) ++end;
    if (end - i >= 2) {
      groups.emplace_back();
      for (std::size_t j = i; j < end; ++j) groups.back().push_back(by_root[j].second);
    }
    i = end;
  }
  return groups;
}

}  // namespace fathom
