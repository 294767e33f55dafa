// Every pruning evaluator against the exhaustive oracle (EvaluateExhaustive)
// on random corpora and random queries of every kind: single terms, unions,
// conjunctions, required + optional, phrases (alone and mixed in), excluded
// clauses, repeated words and words not in the index. Hits must be the same
// documents with the same scores, bit for bit (the pruned evaluators sum a
// document's clause scores in the oracle's order), and counting must equal
// the oracle's number of matches.
//
// Then the whole path a search takes, against brute force: query text of
// the full language, parsed by the production parser and flattened, on an
// index of several segments with deleted documents, through every flat
// evaluator forced in turn at small k, compared with the brute-force model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "common/analysis/analyzer.hpp"
#include "common/analysis/fields.hpp"
#include "common/format/codec.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/index_snapshot.hpp"
#include "searcher/eval/evaluator.hpp"
#include "searcher/query/query_tree.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

struct Corpus {
  std::size_t documents;
  std::size_t vocabulary;
  std::size_t max_words;
};

class DifferentialTest : public ::testing::TestWithParam<std::tuple<Corpus, std::uint64_t>> {
 protected:
  void SetUp() override {
    const auto& [corpus, seed] = GetParam();
    docs_ = RandomDocs(corpus.documents, corpus.vocabulary, seed, corpus.max_words);
    model_ = std::make_unique<ModelIndex>(docs_, AnalysisSettings{});
    const std::filesystem::path index = BuildFromDocs(dir_, docs_);
    reader_ = std::make_unique<IndexReader>(index);
    analyzer_ = std::make_unique<Analyzer>(reader_->meta().analysis);
    snapshot_ = std::make_unique<IndexSnapshot>(index);
    parser_ = std::make_unique<QueryTreeParser>(*analyzer_, *snapshot_);
    for (const auto& [term, postings] : model_->postings) vocabulary_.push_back(term);
    rng_.seed(seed * 101 + 7);
  }

  // A word, skewed towards frequent ones half of the time (so that lists
  // span many blocks and pruning has something to skip).
  std::string Word() {
    if (rng_() % 2 == 0) return "w" + std::to_string(rng_() % 8) + "x";
    return vocabulary_[rng_() % vocabulary_.size()];
  }

  // Adjacent words of a random document, so that the phrase occurs.
  std::string Phrase() {
    for (int attempt = 0; attempt < 100; ++attempt) {
      const auto& tokens = model_->tokens[rng_() % model_->tokens.size()];
      const std::size_t length = 2 + rng_() % 2;
      if (tokens.size() < length) continue;
      const std::size_t start = rng_() % (tokens.size() - length + 1);
      std::string text = "\"";
      for (std::size_t i = 0; i < length; ++i) text += (i ? " " : "") + tokens[start + i].term;
      return text + "\"";
    }
    return "\"w0x w1x\"";
  }

  std::string Item() { return rng_() % 5 == 0 ? Phrase() : Word(); }

  // A query of the given kind, as text.
  std::string RandomQuery(int kind) {
    std::string text;
    const auto add = [&](const std::string& prefix, const std::string& item) {
      text += (text.empty() ? "" : " ") + prefix + item;
    };
    switch (kind) {
      case 0:  // single term
        add("", Word());
        break;
      case 1:  // union
        for (std::size_t i = 0, n = 2 + rng_() % 4; i < n; ++i) add("", Word());
        break;
      case 2:  // conjunction
        for (std::size_t i = 0, n = 2 + rng_() % 2; i < n; ++i) add("+", Word());
        break;
      case 3:  // phrase
        add(rng_() % 3 == 0 ? "+" : "", Phrase());
        break;
      case 4:  // required + optional
        add("+", Word());
        for (std::size_t i = 0, n = 1 + rng_() % 3; i < n; ++i) add("", Word());
        break;
      default:  // anything: phrases mixed in, exclusions, repeats, unknown words
        for (std::size_t i = 0, n = 1 + rng_() % 5; i < n; ++i) {
          const int occur = static_cast<int>(rng_() % 6);
          add(occur == 0 ? "-" : occur == 1 ? "+" : "", Item());
        }
        if (rng_() % 4 == 0) {
          const std::string repeated = Word();  // a repeated word weighs double
          add("", repeated + " " + repeated);
        }
        if (rng_() % 8 == 0) add(rng_() % 2 ? "+" : "", "nosuchword");
        break;
    }
    return text;
  }

  void ExpectSameAsOracle(const std::string& text, const Bm25Params& bm25) {
    const Query query = ParseFlatQuery(*parser_, text);
    EvalOptions count;
    count.bm25 = bm25;
    count.count_only = true;
    const EvalResult everything = EvaluateExhaustive(*reader_, query, {docs_.size(), bm25});
    ASSERT_EQ(Evaluate(*reader_, query, count).total_matches, everything.total_matches) << text;
    for (const std::size_t k : {1u, 2u, 10u, 100u}) {
      EvalOptions options;
      options.k = k;
      options.bm25 = bm25;
      const EvalResult oracle = EvaluateExhaustive(*reader_, query, options);
      ASSERT_EQ(oracle.total_matches, everything.total_matches);
      for (const Algorithm algorithm : {Algorithm::kAuto, Algorithm::kMaxScore, Algorithm::kBmw}) {
        options.algorithm = algorithm;
        const EvalResult pruned = Evaluate(*reader_, query, options);
        ASSERT_EQ(pruned.hits.size(), oracle.hits.size())
            << text << " k=" << k << " " << AlgorithmName(algorithm);
        for (std::size_t i = 0; i < oracle.hits.size(); ++i) {
          ASSERT_EQ(pruned.hits[i].doc, oracle.hits[i].doc)
              << text << " k=" << k << " " << AlgorithmName(algorithm) << " rank " << i;
          ASSERT_EQ(pruned.hits[i].score, oracle.hits[i].score)
              << text << " k=" << k << " " << AlgorithmName(algorithm) << " rank " << i;
        }
        ASSERT_LE(pruned.total_matches, oracle.total_matches) << text;
      }
    }
  }

  TempDir dir_;
  std::vector<SourceDocument> docs_;
  std::unique_ptr<ModelIndex> model_;
  std::unique_ptr<IndexReader> reader_;
  std::unique_ptr<IndexSnapshot> snapshot_;
  std::unique_ptr<QueryTreeParser> parser_;
  std::unique_ptr<Analyzer> analyzer_;
  std::vector<std::string> vocabulary_;
  std::mt19937_64 rng_;
};

TEST_P(DifferentialTest, EveryQueryKindAgreesWithTheOracle) {
  for (int q = 0; q < 180; ++q) {
    const std::string text = RandomQuery(q % 6);
    ExpectSameAsOracle(text, Bm25Params{});
    if (q % 3 == 0) ExpectSameAsOracle(text, Bm25Params{1.2f, 0.75f});
    if (q % 9 == 0) ExpectSameAsOracle(text, Bm25Params{0.0f, 0.0f});
    if (q % 9 == 1) ExpectSameAsOracle(text, Bm25Params{2.0f, 1.0f});
  }
}

// The same documents with the same scores, bit for bit, rank by rank.
void ExpectSameHits(const EvalResult& pruned, const EvalResult& oracle, const std::string& what) {
  ASSERT_EQ(pruned.hits.size(), oracle.hits.size()) << what;
  for (std::size_t i = 0; i < oracle.hits.size(); ++i) {
    ASSERT_EQ(pruned.hits[i].doc, oracle.hits[i].doc) << what << " rank " << i;
    ASSERT_EQ(pruned.hits[i].score, oracle.hits[i].score) << what << " rank " << i;
  }
}

// `+a b` where b alone makes documents competitive, and short documents
// dense in a (a burst) beat them without b. Where a's blocks cannot reach
// the threshold, b is required in effect and leads (it is rarer); the burst
// lies between two of b's postings, in windows where a alone can reach the
// threshold again, so the leapfrog must not jump from one posting of b to
// the next. Random corpora rarely have this shape; a 1-million-document
// benchmark did (and an earlier evaluator missed hits there).
TEST(DifferentialBursts, RequiredTermBurstsBetweenOptionalPostingsAreFound) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    std::mt19937_64 rng(seed);
    const auto filler = [&](std::size_t words) {
      std::string text;
      for (std::size_t i = 0; i < words; ++i) {
        text += (i ? " " : "") + std::string("filler") + std::to_string(rng() % 40);
      }
      return text;
    };
    // Long documents with a, b and some other optional words (their scores
    // low: lengths far above the average), the burst of short documents of
    // a alone, then many short documents with neither. a is in every one of
    // the first documents, so its posting i is document i: a burst starting
    // a block of a (odd seeds) has no posting of b in that block, and the
    // window before it, where b leads, ends right before it.
    const std::size_t burst_at = seed % 2 ? 128 * (1 + rng() % 6) : 100 + rng() % 800;
    const std::size_t burst = 20 + rng() % 200;
    std::vector<SourceDocument> docs;
    for (std::size_t d = 0; d < 4000 + burst; ++d) {
      SourceDocument doc;
      doc.id = "doc-" + std::to_string(d);
      if (d >= burst_at && d < burst_at + burst) {
        for (int i = 0; i < 20 + static_cast<int>(rng() % 15); ++i) doc.body += "alpha ";
      } else if (d < 1000 + burst) {
        doc.body = "alpha beta " + std::string(rng() % 2 ? "gamma " : "") +
                   (rng() % 3 == 0 ? "delta " : "") + filler(500 + rng() % 200);
      } else {
        doc.body = filler(5 + rng() % 10);
      }
      docs.push_back(std::move(doc));
    }
    TempDir dir;
    const std::filesystem::path index = BuildFromDocs(dir, docs);
    const IndexReader reader(index);
    const IndexSnapshot snapshot(index);
    Analyzer analyzer(reader.meta().analysis);
    QueryTreeParser parser(analyzer, snapshot);
    for (const char* text :
         {"+alpha beta", "+alpha gamma", "+alpha beta gamma", "+alpha beta gamma delta",
          "+alpha delta", "+alpha gamma delta", "+alpha +beta gamma"}) {
      const Query query = ParseFlatQuery(parser, text);
      for (const Bm25Params bm25 : {Bm25Params{}, Bm25Params{1.2f, 0.75f}}) {
        for (const std::size_t k : {1u, 10u, 100u}) {
          EvalOptions options;
          options.k = k;
          options.bm25 = bm25;
          const EvalResult oracle = EvaluateExhaustive(reader, query, options);
          for (const Algorithm algorithm : {Algorithm::kAuto, Algorithm::kBmw}) {
            options.algorithm = algorithm;
            ExpectSameHits(
                Evaluate(reader, query, options), oracle,
                std::string(text) + " k=" + std::to_string(k) + " seed " + std::to_string(seed));
          }
        }
      }
    }
  }
}

// Conjunctions whose two rarest lists are sparse (at most a 64th of the
// documents) and of similar density, which TopKConjunction merges a block
// at a time: lists of several full blocks, pairs that co-occur more often
// than chance, a dense third clause, an excluded one and a phrase beside
// them. The random corpora above are too small for such lists.
TEST(DifferentialSparse, MergedConjunctionsAgreeWithTheOracle) {
  constexpr std::size_t kDocs = 40000;
  std::mt19937_64 rng(11);
  std::vector<SourceDocument> docs;
  for (std::size_t d = 0; d < kDocs; ++d) {
    SourceDocument doc;
    doc.id = "doc-" + std::to_string(d);
    const auto add = [&](const std::string& word) {
      for (std::size_t i = 0, n = 1 + rng() % 4; i < n; ++i) doc.body += word + " ";
    };
    for (int s = 0; s < 8; ++s) {
      if (rng() % 110 == 0) add("sparse" + std::to_string(s));
    }
    if (rng() % 250 == 0) {  // pairs that go together
      add("sparse0");
      add("sparse1");
      doc.body += "sparse2 sparse3 ";
    }
    if (rng() % 3 == 0) add("common");
    for (std::size_t i = 0, n = 3 + rng() % 80; i < n; ++i) {
      doc.body += "filler" + std::to_string(rng() % 3000) + " ";
    }
    docs.push_back(std::move(doc));
  }
  TempDir dir;
  const std::filesystem::path index = BuildFromDocs(dir, docs);
  const IndexReader reader(index);
  const IndexSnapshot snapshot(index);
  Analyzer analyzer(reader.meta().analysis);
  QueryTreeParser parser(analyzer, snapshot);
  for (int s = 0; s < 4; ++s) {
    const auto info = reader.FindTerm("sparse" + std::to_string(s));
    ASSERT_TRUE(info.has_value());
    const std::uint64_t frequency = info->entry.document_frequency;
    EXPECT_GT(frequency, 2 * codec::kBlockSize) << "lists of several full blocks";
    EXPECT_LE(frequency * 64, kDocs) << "sparse enough to be merged";
  }
  for (const char* text :
       {"+sparse0 +sparse1", "+sparse2 +sparse3", "+sparse0 +sparse4", "+sparse0 +sparse1 +sparse2",
        "+sparse0 +sparse1 +common", "+sparse2 +sparse3 -sparse0",
        "+sparse0 +sparse1 +\"sparse2 sparse3\"", "+sparse5 +sparse6 +sparse7"}) {
    const Query query = ParseFlatQuery(parser, text);
    for (const Bm25Params bm25 : {Bm25Params{}, Bm25Params{1.2f, 0.75f}}) {
      for (const std::size_t k : {1u, 3u, 10u, 100u}) {
        EvalOptions options;
        options.k = k;
        options.bm25 = bm25;
        ExpectSameHits(Evaluate(reader, query, options), EvaluateExhaustive(reader, query, options),
                       std::string(text) + " k=" + std::to_string(k));
      }
      EvalOptions count;
      count.bm25 = bm25;
      count.count_only = true;
      EXPECT_EQ(Evaluate(reader, query, count).total_matches,
                EvaluateExhaustive(reader, query, {kDocs, bm25}).total_matches)
          << text;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Corpora, DifferentialTest,
    ::testing::Combine(::testing::Values(Corpus{3000, 200, 60},  // lists of many blocks
                                         Corpus{400, 40, 200},   // long documents, high tf
                                         Corpus{150, 500, 20}),  // mostly single-block lists
                       ::testing::Values(1, 2)));

// A query as text of the full language, and what it means as the brute-force
// model reads it.
struct TextQuery {
  std::string text;
  std::vector<ModelClause> clauses;
};

class ParsedDifferentialTest : public ::testing::TestWithParam<std::tuple<Corpus, std::uint64_t>> {
 protected:
  void SetUp() override {
    const auto& [corpus, seed] = GetParam();
    docs_ = RandomDocs(corpus.documents, corpus.vocabulary, seed, corpus.max_words);
    model_ = std::make_unique<ModelIndex>(docs_, AnalysisSettings{});
    for (const auto& [term, postings] : model_->postings) vocabulary_.push_back(term);
    rng_.seed(seed * 7919 + 3);
    // Three to five segments of random sizes, one of them sometimes a
    // single document.
    std::vector<std::size_t> parts;
    std::size_t left = docs_.size();
    for (std::size_t n = 3 + rng_() % 3; n > 1; --n) {
      const std::size_t part = rng_() % 4 == 0 ? 1 : 1 + rng_() % (left / 2);
      parts.push_back(part);
      left -= part;
    }
    parts.push_back(left);
    index_ = BuildSegmented(dir_, docs_, parts);
    // Deletions in two commits: a sixth of the documents at random, and in
    // odd seeds every document of the second segment.
    std::set<DocId> first, second;
    for (DocId d = 0; d < docs_.size(); ++d) {
      if (rng_() % 6 == 0) (rng_() % 2 ? first : second).insert(d);
    }
    if (seed % 2 == 1) {
      for (DocId d = parts[0]; d < parts[0] + parts[1]; ++d) {
        if (!first.contains(d)) second.insert(d);
      }
    }
    DeleteByGlobalId(index_, {first.begin(), first.end()});
    DeleteByGlobalId(index_, {second.begin(), second.end()});
    deleted_.insert(first.begin(), first.end());
    deleted_.insert(second.begin(), second.end());
    snapshot_ = std::make_unique<IndexSnapshot>(index_);
    ASSERT_EQ(snapshot_->segments().size(), parts.size());
    ASSERT_EQ(snapshot_->live_count(), docs_.size() - deleted_.size());
  }

  // A word of the corpus (frequent ones half of the time), now and then in
  // capitals (the analyzer folds them), restricted to titles, or unknown.
  ModelClause Word(Occur occur, std::string& text) {
    std::string word = rng_() % 2 == 0 ? "w" + std::to_string(rng_() % 8) + "x"
                                       : vocabulary_[rng_() % vocabulary_.size()];
    if (rng_() % 25 == 0) word = "nosuchword";
    if (!IsFieldTerm(word) && rng_() % 12 == 0) word = FieldTerm(kTitleField, word);
    std::string written = word;
    if (rng_() % 6 == 0) {
      for (char& c : written) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    text += written;
    return {occur, {word}};
  }

  // Adjacent words of a random document, so that the phrase occurs.
  ModelClause Phrase(Occur occur, std::string& text) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      const auto& tokens = model_->tokens[rng_() % model_->tokens.size()];
      const std::size_t length = 2 + rng_() % 2;
      if (tokens.size() < length) continue;
      const std::size_t start = rng_() % (tokens.size() - length + 1);
      ModelClause clause{occur, {}};
      for (std::size_t i = 0; i < length; ++i) clause.words.push_back(tokens[start + i].term);
      text += "\"";
      for (std::size_t i = 0; i < length; ++i) text += (i ? " " : "") + clause.words[i];
      text += "\"";
      return clause;
    }
    text += "\"w0x w1x\"";
    return {occur, {"w0x", "w1x"}};
  }

  ModelClause Item(Occur occur, std::string& text) {
    return rng_() % 5 == 0 ? Phrase(occur, text) : Word(occur, text);
  }

  // Random text in one of the shapes the parser flattens, and its meaning.
  TextQuery RandomQuery() {
    TextQuery query;
    std::string& text = query.text;
    auto& clauses = query.clauses;
    const std::size_t n = 1 + rng_() % 4;
    switch (rng_() % 7) {
      case 0:
      case 1:
      case 2: {  // clauses with +, - or NOT, sometimes in parentheses
        const bool parenthesized = rng_() % 5 == 0;
        if (parenthesized) text += "(";
        for (std::size_t i = 0; i < n; ++i) {
          if (i > 0) text += " ";
          const int sign = static_cast<int>(rng_() % 7);
          Occur occur = Occur::kShould;
          if (sign == 0 || sign == 1) {
            text += "+";
            occur = Occur::kMust;
          } else if (sign == 2) {
            text += "-";
            occur = Occur::kMustNot;
          } else if (sign == 3 && i > 0) {
            text += "NOT ";
            occur = Occur::kMustNot;
          }
          clauses.push_back(Item(occur, text));
        }
        if (rng_() % 6 == 0) {  // a repeated optional word weighs double
          text += " ";
          ModelClause repeated = Word(Occur::kShould, text);
          text += " " + repeated.words[0];
          clauses.push_back(repeated);
          clauses.push_back(repeated);
        }
        if (parenthesized) text += ")";
        break;
      }
      case 3: {  // a AND b AND NOT c: all required but the negated
        const bool parenthesized = rng_() % 3 == 0;
        if (parenthesized) text += "(";
        for (std::size_t i = 0; i < n + 1; ++i) {
          if (i > 0) text += " AND ";
          const bool negated = i > 0 && rng_() % 4 == 0;
          if (negated) text += "NOT ";
          clauses.push_back(Item(negated ? Occur::kMustNot : Occur::kMust, text));
        }
        if (parenthesized) text += ")";
        break;
      }
      case 4: {  // a OR b OR "c d": a union
        const bool parenthesized = rng_() % 3 == 0;
        if (parenthesized) text += "(";
        for (std::size_t i = 0; i < n + 1; ++i) {
          if (i > 0) text += " OR ";
          clauses.push_back(Item(Occur::kShould, text));
        }
        if (parenthesized) text += ")";
        break;
      }
      case 5: {  // a lone word, required or not: single-term territory
        const bool required = rng_() % 2 == 0;
        const bool parenthesized = rng_() % 4 == 0;
        text += std::string(parenthesized ? "(" : "") + (required ? "+" : "");
        clauses.push_back(Word(required ? Occur::kMust : Occur::kShould, text));
        if (parenthesized) text += ")";
        break;
      }
      default: {  // a prefix: the union of the terms it expands to
        const std::string field = rng_() % 5 == 0 ? "title:" : "";
        const std::string prefix = field + "w" + std::to_string(rng_() % 20);
        text = rng_() % 3 == 0 ? "(" + prefix + "*)" : prefix + "*";
        for (const auto& term : vocabulary_) {
          if (term.starts_with(prefix) && (!field.empty() || !IsFieldTerm(term))) {
            clauses.push_back({Occur::kShould, {term}});
          }
        }
        break;
      }
    }
    return query;
  }

  // What each forced evaluator can take, judged on the whole query (a
  // segment missing some of its terms may let one take more).
  static bool Takes(PrunedEvaluator evaluator, const Query& query) {
    std::size_t scoring = 0, excluded = 0;
    bool required = false;
    for (const auto& clause : query.clauses) {
      excluded += clause.occur == Occur::kMustNot ? 1 : 0;
      scoring += clause.occur != Occur::kMustNot ? 1 : 0;
      required = required || clause.occur == Occur::kMust;
    }
    switch (evaluator) {
      case PrunedEvaluator::kSingleTerm:
        return scoring == 1 && excluded == 0 && !query.clauses[0].is_phrase();
      case PrunedEvaluator::kConjunction:
        return required;
      case PrunedEvaluator::kMaxScore:
      case PrunedEvaluator::kBmw:
        return !required && scoring > 0;
      case PrunedEvaluator::kPicked:
        return true;
    }
    return false;
  }

  // hits must be the model's top k: rank by rank the same document with its
  // score to float precision, except that two documents whose scores are
  // within that precision may swap (float rounding decides their order);
  // exact ties go to the smaller global id, as in the model.
  static void ExpectModelTopK(const EvalResult& result,
                              const std::vector<std::pair<DocId, double>>& ranked,
                              const std::map<DocId, double>& expected, std::size_t k,
                              const std::string& what) {
    const auto close = [](double a, double b) {
      return std::abs(a - b) <= 1e-4 * std::max({1.0, std::abs(a), std::abs(b)});
    };
    ASSERT_EQ(result.hits.size(), std::min(k, ranked.size())) << what;
    std::set<DocId> seen;
    for (std::size_t i = 0; i < result.hits.size(); ++i) {
      const Hit& hit = result.hits[i];
      ASSERT_TRUE(seen.insert(hit.doc).second) << what << ": doc " << hit.doc << " twice";
      const auto it = expected.find(hit.doc);
      ASSERT_NE(it, expected.end()) << what << ": doc " << hit.doc << " is deleted or no match";
      ASSERT_TRUE(close(hit.score, it->second))
          << what << ": doc " << hit.doc << " scores " << hit.score << ", model " << it->second;
      if (i > 0) {
        ASSERT_TRUE(RanksBefore(result.hits[i - 1], hit)) << what << " rank " << i;
      }
      if (hit.doc != ranked[i].first) {
        ASSERT_TRUE(close(it->second, ranked[i].second))
            << what << " rank " << i << ": doc " << hit.doc << " (" << it->second
            << "), model's doc " << ranked[i].first << " (" << ranked[i].second << ")";
      }
    }
  }

  TempDir dir_;
  std::vector<SourceDocument> docs_;
  std::unique_ptr<ModelIndex> model_;
  std::vector<std::string> vocabulary_;
  std::filesystem::path index_;
  std::set<DocId> deleted_;
  std::unique_ptr<IndexSnapshot> snapshot_;
  std::mt19937_64 rng_;
};

TEST_P(ParsedDifferentialTest, ParsedQueriesOnSegmentsWithDeletionsAgreeWithBruteForce) {
  Analyzer analyzer(snapshot_->analysis());
  QueryTreeParser parser(analyzer, *snapshot_);
  constexpr PrunedEvaluator kEvaluators[] = {PrunedEvaluator::kPicked, PrunedEvaluator::kSingleTerm,
                                             PrunedEvaluator::kConjunction,
                                             PrunedEvaluator::kMaxScore, PrunedEvaluator::kBmw};
  constexpr const char* kNames[] = {"picked", "single-term", "conjunction", "maxscore", "bmw"};
  std::size_t queries = 0, comparisons = 0, matching = 0;
  std::size_t taken[std::size(kEvaluators)] = {};
  for (int q = 0; q < 250; ++q) {
    const TextQuery generated = RandomQuery();
    const std::string& text = generated.text;
    const ParsedQuery parsed = parser.Parse(text);
    Query query;
    ASSERT_TRUE(Flatten(parsed.root, query)) << text << ": not flat";
    const Bm25Params bm25 = q % 3 == 0 ? Bm25Params{1.2f, 0.75f} : Bm25Params{};
    const auto expected = ExpectedMatches(*model_, generated.clauses, bm25, deleted_);
    std::vector<std::pair<DocId, double>> ranked(expected.begin(), expected.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second > b.second || (a.second == b.second && a.first < b.first);
    });
    ++queries;
    matching += expected.empty() ? 0 : 1;
    for (std::size_t e = 0; e < std::size(kEvaluators); ++e) {
      taken[e] += Takes(kEvaluators[e], query) ? 1 : 0;
    }

    EvalOptions count;
    count.bm25 = bm25;
    count.count_only = true;
    ASSERT_EQ(Evaluate(*snapshot_, query, count).total_matches, expected.size()) << text;
    for (const std::size_t k : {1u, 2u, 3u, 10u}) {
      EvalOptions options;
      options.k = k;
      options.bm25 = bm25;
      const std::string at = text + " k=" + std::to_string(k);
      const EvalResult oracle = EvaluateExhaustive(*snapshot_, query, options);
      ASSERT_EQ(oracle.total_matches, expected.size()) << at;
      ASSERT_NO_FATAL_FAILURE(ExpectModelTopK(oracle, ranked, expected, k, at + " exhaustive"));
      ++comparisons;
      for (std::size_t e = 0; e < std::size(kEvaluators); ++e) {
        options.evaluator = kEvaluators[e];
        const std::string what = at + " " + kNames[e];
        const EvalResult pruned = Evaluate(*snapshot_, query, options);
        ASSERT_NO_FATAL_FAILURE(ExpectModelTopK(pruned, ranked, expected, k, what));
        ASSERT_LE(pruned.total_matches, expected.size()) << what;
        // And the exhaustive evaluator's hits bit for bit.
        for (std::size_t i = 0; i < oracle.hits.size(); ++i) {
          ASSERT_EQ(pruned.hits[i].doc, oracle.hits[i].doc) << what << " rank " << i;
          ASSERT_EQ(pruned.hits[i].score, oracle.hits[i].score) << what << " rank " << i;
        }
        ++comparisons;
      }
    }
  }
  // The generator must keep reaching every evaluator and finding matches.
  std::cout << "[ parsed differential ] " << queries << " queries (" << matching
            << " with matches), " << comparisons << " top-k comparisons; queries each evaluator"
            << " takes:";
  for (std::size_t e = 0; e < std::size(kEvaluators); ++e) {
    std::cout << " " << kNames[e] << " " << taken[e];
    EXPECT_GE(taken[e], queries / 8) << kNames[e];
  }
  std::cout << "\n";
  EXPECT_GE(matching, queries / 2);
}

INSTANTIATE_TEST_SUITE_P(
    Corpora, ParsedDifferentialTest,
    ::testing::Combine(::testing::Values(Corpus{2500, 150, 60},  // lists of many blocks
                                         Corpus{500, 40, 150}),  // long documents, high tf
                       ::testing::Values(1, 2, 3)));

}  // namespace
}  // namespace fathom::testing
