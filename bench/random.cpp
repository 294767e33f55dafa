#include "bench/random.hpp"

#include <cmath>
#include <stdexcept>

namespace fathom::bench {

double Random::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * UniformDouble() - 1.0;
    v = 2.0 * UniformDouble() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * factor;
  has_spare_ = true;
  return u * factor;
}

double Random::LogNormal(double mu, double sigma) { return std::exp(mu + sigma * Normal()); }

std::uint64_t DeriveSeed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

AliasSampler::AliasSampler(const std::vector<double>& weights)
    : entries_(weights.size()), size_(static_cast<std::uint32_t>(weights.size())) {
  if (weights.empty() || weights.size() > UINT32_MAX) {
    throw std::invalid_argument("AliasSampler: need 1 to 2^32-1 weights");
  }
  double total = 0;
  for (const double w : weights) total += w;
  // Scaled so the average column holds exactly 1.
  std::vector<double> scaled(weights.size());
  std::vector<std::uint32_t> small, large;
  for (std::uint32_t i = 0; i < size_; ++i) {
    scaled[i] = weights[i] * size_ / total;
    (scaled[i] < 1.0 ? small : large).push_back(i);
  }
  const auto set = [&](std::uint32_t column, double probability, std::uint32_t alias) {
    const double threshold = probability * 4294967296.0;
    entries_[column].threshold =
        threshold >= 4294967295.0 ? UINT32_MAX : static_cast<std::uint32_t>(threshold);
    entries_[column].alias = alias;
  };
  while (!small.empty() && !large.empty()) {
    const std::uint32_t low = small.back();
    small.pop_back();
    const std::uint32_t high = large.back();
    set(low, scaled[low], high);
    scaled[high] -= 1.0 - scaled[low];
    if (scaled[high] < 1.0) {
      large.pop_back();
      small.push_back(high);
    }
  }
  // Leftovers are 1 up to rounding: they always keep their own column, which
  // an alias to themselves guarantees even when the threshold test fails.
  for (const std::uint32_t i : large) set(i, 1.0, i);
  for (const std::uint32_t i : small) set(i, 1.0, i);
}

std::vector<double> ZipfWeights(std::uint32_t n, double exponent) {
  std::vector<double> weights(n);
  for (std::uint32_t rank = 0; rank < n; ++rank) {
    weights[rank] = std::pow(static_cast<double>(rank) + 1.0, -exponent);
  }
  return weights;
}

}  // namespace fathom::bench
