// fathom-bench generate-queries: draws a query set from an existing index.
//
// Every query word is a word of a stored document, checked to analyze (on
// its own, as the query parser will see it) to exactly the term the indexer
// made of it. Generated words are made up, so only this round trip tells
// which surface forms survive stemming; drawing from the index itself also
// makes the queries work on any corpus, synthetic or not.
#include <algorithm>
#include <array>
#include <iostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/args.hpp"
#include "bench/commands.hpp"
#include "bench/output_file.hpp"
#include "bench/random.hpp"
#include "common/analysis/analyzer.hpp"
#include "common/error.hpp"
#include "searcher/searcher.hpp"

namespace fathom::bench {
namespace {

enum class Kind { kTerm, kUnion, kAnd, kPhrase, kMixed };
constexpr std::size_t kKindCount = 5;
constexpr const char* kKindNames[kKindCount] = {"term", "union", "and", "phrase", "mixed"};
// Share of each kind in the query set (sums to 1).
constexpr double kKindShares[kKindCount] = {0.25, 0.20, 0.20, 0.20, 0.15};

// Document-frequency buckets, as a fraction of the collection: a term of
// bucket b has df / N below kBucketLimits[b]. Real query logs are mostly
// mid-frequency words with some very common and some very rare ones; the
// weights give that shape whatever the collection size.
constexpr std::size_t kBucketCount = 5;
constexpr double kBucketLimits[kBucketCount] = {0.0001, 0.001, 0.01, 0.1, 2.0};
constexpr double kBucketWeights[kBucketCount] = {0.10, 0.20, 0.30, 0.25, 0.15};

constexpr std::int32_t kUnusable = -1;

struct Candidate {
  std::string surface;  // lowercase word as written in a document
  std::uint64_t document_frequency;
};

// One sampled document's words in order, each a candidate index or kUnusable.
struct SampledDocument {
  std::vector<std::int32_t> words;
  std::vector<std::uint32_t> positions;
};

class QueryDrawer {
 public:
  QueryDrawer(Searcher& searcher, std::uint64_t seed)
      : searcher_(searcher),
        random_(seed),
        document_analyzer_(searcher.snapshot().analysis()),
        word_analyzer_(searcher.snapshot().analysis()) {}

  void SampleDocuments(std::uint32_t count) {
    const auto documents = static_cast<std::uint32_t>(searcher_.snapshot().document_count());
    std::vector<DocId> ids;
    if (count >= documents) {
      for (DocId doc = 0; doc < documents; ++doc) ids.push_back(doc);
    } else {
      for (std::uint32_t i = 0; i < count; ++i) ids.push_back(random_.Uniform(documents));
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    }
    for (const DocId doc : ids) AddDocument(searcher_.Document(doc).body);
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
      const double share =
          static_cast<double>(candidates_[i].document_frequency) / static_cast<double>(documents);
      std::size_t bucket = 0;
      while (bucket + 1 < kBucketCount && share >= kBucketLimits[bucket]) ++bucket;
      buckets_[bucket].push_back(static_cast<std::uint32_t>(i));
    }
    if (candidates_.empty()) {
      throw InputError("no usable query words in " + std::to_string(ids.size()) +
                       " sampled documents");
    }
  }

  const std::array<std::vector<std::uint32_t>, kBucketCount>& buckets() const { return buckets_; }
  std::size_t candidate_count() const { return candidates_.size(); }

  std::string Draw(Kind kind) {
    switch (kind) {
      case Kind::kTerm:
        return candidates_[DrawByBucket()].surface;
      case Kind::kUnion:
        return Join(DrawTerms(random_.Bernoulli(0.75) ? 2 : 3, /*cooccurring=*/false), "", "");
      case Kind::kAnd:
        return Join(DrawTerms(random_.Bernoulli(0.8) ? 2 : 3, random_.Bernoulli(0.5)), "+", "+");
      case Kind::kMixed:
        return Join(DrawTerms(random_.Bernoulli(0.75) ? 2 : 3, random_.Bernoulli(0.5)), "+", "");
      case Kind::kPhrase:
        return DrawPhrase(random_.Bernoulli(0.65) ? 2 : 3);
    }
    return {};
  }

 private:
  void AddDocument(const std::string& body) {
    SampledDocument sampled;
    document_analyzer_.Reset(body);
    Token token;
    while (document_analyzer_.Next(token)) {
      std::string surface = body.substr(token.begin, token.end - token.begin);
      sampled.words.push_back(Classify(surface, token.term));
      sampled.positions.push_back(token.position);
    }
    documents_.push_back(std::move(sampled));
  }

  // The candidate for a word, or kUnusable when the word is not plain
  // lowercase-able ASCII or does not analyze back to its indexed term alone.
  std::int32_t Classify(std::string& surface, const std::string& term) {
    for (char& c : surface) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
      if (!plain) return kUnusable;
    }
    if (const auto it = by_surface_.find(surface); it != by_surface_.end()) return it->second;
    std::int32_t result = kUnusable;
    const std::vector<Token> alone = word_analyzer_.AnalyzeAll(surface);
    if (alone.size() == 1 && alone[0].term == term) {
      if (const auto known = by_term_.find(term); known != by_term_.end()) {
        result = known->second;  // another spelling of a term already drawn
      } else if (const std::uint64_t df = searcher_.snapshot().DocumentFrequency(term); df > 0) {
        result = static_cast<std::int32_t>(candidates_.size());
        candidates_.push_back({surface, df});
        by_term_.emplace(term, result);
      }
    }
    by_surface_.emplace(std::move(surface), result);
    return result;
  }

  std::uint32_t DrawByBucket() {
    double total = 0;
    for (std::size_t b = 0; b < kBucketCount; ++b) {
      if (!buckets_[b].empty()) total += kBucketWeights[b];
    }
    double u = random_.UniformDouble() * total;
    for (std::size_t b = 0; b < kBucketCount; ++b) {
      if (buckets_[b].empty()) continue;
      if (u < kBucketWeights[b] || b + 1 == kBucketCount) {
        return buckets_[b][random_.Uniform(static_cast<std::uint32_t>(buckets_[b].size()))];
      }
      u -= kBucketWeights[b];
    }
    // Rounding left u past the last non-empty bucket.
    for (std::size_t b = kBucketCount; b-- > 0;) {
      if (!buckets_[b].empty()) return buckets_[b].back();
    }
    return 0;
  }

  // n distinct terms. Co-occurring terms come from one sampled document, as
  // real multi-word queries tend to be about one thing; otherwise each term
  // is drawn by document-frequency bucket on its own.
  std::vector<std::uint32_t> DrawTerms(std::size_t n, bool cooccurring) {
    std::vector<std::uint32_t> terms;
    if (cooccurring) {
      const SampledDocument& document = RandomDocument();
      std::vector<std::uint32_t> distinct;
      for (const std::int32_t word : document.words) {
        if (word != kUnusable) distinct.push_back(static_cast<std::uint32_t>(word));
      }
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      if (distinct.size() >= n) {
        for (std::size_t i = 0; i < n; ++i) {
          // Partial Fisher-Yates: the first n entries become a random pick.
          const auto j = i + random_.Uniform(static_cast<std::uint32_t>(distinct.size() - i));
          std::swap(distinct[i], distinct[j]);
          terms.push_back(distinct[i]);
        }
        return terms;
      }
    }
    const std::size_t wanted = std::min(n, candidates_.size());
    for (std::size_t attempt = 0; terms.size() < wanted && attempt < 1000; ++attempt) {
      const std::uint32_t term = DrawByBucket();
      if (std::find(terms.begin(), terms.end(), term) == terms.end()) terms.push_back(term);
    }
    return terms;
  }

  std::string Join(const std::vector<std::uint32_t>& terms, const char* first_prefix,
                   const char* rest_prefix) const {
    std::string query;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      if (i > 0) query += ' ';
      query += i == 0 ? first_prefix : rest_prefix;
      query += candidates_[terms[i]].surface;
    }
    return query;
  }

  // Adjacent words of a stored document, so every phrase matches at least
  // that document (and, for the corpus's recurring phrases, many more).
  std::string DrawPhrase(std::size_t length) {
    for (std::size_t attempt = 0; attempt < 10000; ++attempt) {
      const SampledDocument& document = RandomDocument();
      if (document.words.size() < length) continue;
      const std::size_t start =
          random_.Uniform(static_cast<std::uint32_t>(document.words.size() - length + 1));
      bool usable = true;
      for (std::size_t i = 0; i < length && usable; ++i) {
        usable = document.words[start + i] != kUnusable &&
                 document.positions[start + i] == document.positions[start] + i;
      }
      if (!usable) continue;
      std::string phrase = "\"";
      for (std::size_t i = 0; i < length; ++i) {
        if (i > 0) phrase += ' ';
        phrase += candidates_[static_cast<std::uint32_t>(document.words[start + i])].surface;
      }
      return phrase + "\"";
    }
    throw InputError("found no run of " + std::to_string(length) +
                     " usable adjacent words for a phrase query");
  }

  const SampledDocument& RandomDocument() {
    return documents_[random_.Uniform(static_cast<std::uint32_t>(documents_.size()))];
  }

  Searcher& searcher_;
  Random random_;
  // Two analyzers: checking a word alone must not reset the one that is
  // walking the document.
  Analyzer document_analyzer_;
  Analyzer word_analyzer_;
  std::vector<Candidate> candidates_;
  std::unordered_map<std::string, std::int32_t> by_surface_;
  std::unordered_map<std::string, std::int32_t> by_term_;
  std::vector<SampledDocument> documents_;
  std::array<std::vector<std::uint32_t>, kBucketCount> buckets_;
};

}  // namespace

int RunGenerateQueries(const std::vector<std::string>& arg_list) {
  const Args args(arg_list, {"count", "seed", "output"});
  if (args.help()) {
    std::cout << "Usage: fathom-bench generate-queries INDEX --count N --seed S [--output FILE]\n\n"
                 "Draws N queries from the stored documents of INDEX and writes them as\n"
                 "'qid<TAB>query' lines. Kinds (the qid prefix): term, union (a b),\n"
                 "and (+a +b), phrase (\"a b\"), mixed (+a b).\n";
    return 0;
  }
  args.ExpectPositional(1, "INDEX");
  const std::uint64_t count = args.RequireUint("count");
  if (count == 0 || count > 10'000'000) throw UsageError("--count must be 1 to 10000000");
  const std::uint64_t seed = args.RequireUint("seed");

  Searcher searcher(args.positional()[0]);
  if (searcher.snapshot().live_count() == 0) throw InputError("the index has no documents");
  QueryDrawer drawer(searcher, DeriveSeed(seed, 0));
  drawer.SampleDocuments(static_cast<std::uint32_t>(std::max<std::uint64_t>(2000, 4 * count)));

  // Exact shares of each kind, in a random order, so that a prefix of the
  // file is a fair sample too.
  std::vector<Kind> kinds;
  for (std::size_t k = 0; k < kKindCount; ++k) {
    const auto n = static_cast<std::size_t>(kKindShares[k] * static_cast<double>(count) + 0.5);
    kinds.insert(kinds.end(), n, static_cast<Kind>(k));
  }
  kinds.resize(count, Kind::kTerm);
  Random order(DeriveSeed(seed, 1));
  for (std::size_t i = kinds.size(); i > 1; --i) {
    std::swap(kinds[i - 1], kinds[order.Uniform(static_cast<std::uint32_t>(i))]);
  }

  OutputFile output(args.GetString("output", ""));
  std::string text;
  std::array<std::size_t, kKindCount> numbers{};
  for (const Kind kind : kinds) {
    const auto k = static_cast<std::size_t>(kind);
    text += kKindNames[k];
    text += '-';
    text += std::to_string(++numbers[k]);
    text += '\t';
    text += drawer.Draw(kind);
    text += '\n';
  }
  output.Write(text);
  output.Close();
  std::cerr << "generated " << count << " queries from " << drawer.candidate_count()
            << " candidate words; words per df bucket (<0.01%, <0.1%, <1%, <10%, rest):";
  for (const auto& bucket : drawer.buckets()) std::cerr << ' ' << bucket.size();
  std::cerr << "\n";
  return 0;
}

}  // namespace fathom::bench
