// Deterministic random numbers for the generators and benchmarks.
//
// std::mt19937_64's output sequence is fixed by the C++ standard, but the
// std:: distributions are not: libstdc++ and libc++ turn the same engine
// output into different numbers. Everything here maps engine output to
// values with our own arithmetic, so a seed names the same corpus and the
// same queries everywhere. (The log-normal and Zipf code call std::log,
// std::exp and std::pow, which are not required to round correctly; a libm
// other than glibc could in rare cases move a value across a rounding edge.)
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace fathom::bench {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t Next() { return engine_(); }

  // Uniform in [0, n), n < 2^32. Multiply-shift instead of modulo: one
  // multiplication, and a bias below n / 2^32 that no benchmark can notice.
  std::uint32_t Uniform(std::uint32_t n) {
    return static_cast<std::uint32_t>(((engine_() >> 32) * n) >> 32);
  }

  // Uniform in [low, high].
  std::uint32_t Between(std::uint32_t low, std::uint32_t high) {
    return low + Uniform(high - low + 1);
  }

  // Uniform in [0, 1) with 53 random bits.
  double UniformDouble() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  bool Bernoulli(double p) { return UniformDouble() < p; }

  // Standard normal, Marsaglia's polar method (no trigonometry, whose
  // rounding varies more between libms than log and sqrt do).
  double Normal();

  // exp(N(mu, sigma^2)): median exp(mu), long right tail.
  double LogNormal(double mu, double sigma);

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// Derives independent seeds from one user seed (SplitMix64 finalizer), so the
// vocabulary does not shift when the document count changes.
std::uint64_t DeriveSeed(std::uint64_t seed, std::uint64_t stream);

// Samples 0..n-1 in proportion to fixed weights in O(1) per draw (Vose's
// alias method): one engine call and one table entry per sample, which is
// what makes a 100M-word corpus take seconds rather than minutes.
class AliasSampler {
 public:
  explicit AliasSampler(const std::vector<double>& weights);

  std::uint32_t Sample(Random& random) const {
    const std::uint64_t bits = random.Next();
    const auto column = static_cast<std::uint32_t>(((bits >> 32) * size_) >> 32);
    const Entry& entry = entries_[column];
    return static_cast<std::uint32_t>(bits) < entry.threshold ? column : entry.alias;
  }

  std::uint32_t size() const { return size_; }

 private:
  // Threshold and alias side by side: a draw touches one cache line.
  struct Entry {
    std::uint32_t threshold;  // keep the column when the low 32 bits are below
    std::uint32_t alias;
  };
  std::vector<Entry> entries_;
  std::uint32_t size_;
};

// Weights 1 / (rank + 1)^exponent for ranks 0..n-1: Zipf's law.
std::vector<double> ZipfWeights(std::uint32_t n, double exponent);

}  // namespace fathom::bench
