// A brute-force model of an index, computed directly from the documents'
// token streams: the oracle the engine's index and scores are checked
// against.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "common/analysis/fields.hpp"
#include "common/bm25.hpp"
#include "indexer/corpus/corpus_reader.hpp"
#include "indexer/write/inverted_index.hpp"
#include "searcher/query/query.hpp"

namespace fathom::testing {

struct ModelPosting {
  DocId doc;
  std::vector<std::uint32_t> positions;
};

struct ModelIndex {
  std::map<std::string, std::vector<ModelPosting>> postings;
  std::vector<std::vector<Token>> tokens;  // per document
  std::vector<std::uint32_t> lengths;
  double average_length = 0;
  std::vector<std::uint32_t> title_lengths;  // title words indexed, per document
  double average_title_length = 0;

  ModelIndex(const std::vector<SourceDocument>& docs, const AnalysisSettings& settings) {
    Analyzer analyzer(settings);
    std::uint64_t total = 0, title_total = 0;
    for (DocId d = 0; d < docs.size(); ++d) {
      std::uint32_t title_length = 0;
      std::vector<Token> doc_tokens;
      const auto add = [&](const std::string& term, std::uint32_t at) {
        auto& list = postings[term];
        if (list.empty() || list.back().doc != d) list.push_back({d, {}});
        list.back().positions.push_back(at);
      };
      Token token;
      AnalyzeDocument(analyzer, docs[d].title, docs[d].body, token,
                      [&](const Token& analyzed, bool in_title) {
                        doc_tokens.push_back(analyzed);
                        add(analyzed.term, analyzed.position);
                        // Title words are indexed again as field terms
                        // (common/analysis/fields.hpp).
                        if (in_title) add(FieldTerm(kTitleField, analyzed.term), analyzed.position);
                        title_length += in_title ? 1 : 0;
                      });
      title_lengths.push_back(title_length);
      title_total += title_length;
      lengths.push_back(static_cast<std::uint32_t>(doc_tokens.size()));
      total += doc_tokens.size();
      tokens.push_back(std::move(doc_tokens));
    }
    average_length = docs.empty() ? 0 : static_cast<double>(total) / docs.size();
    average_title_length = docs.empty() ? 0 : static_cast<double>(title_total) / docs.size();
  }

  std::uint32_t Frequency(const std::string& term, DocId doc) const {
    auto it = postings.find(term);
    if (it == postings.end()) return 0;
    // Lists are in doc order: a binary search keeps brute force over every
    // document of a few thousand affordable.
    const auto p = std::lower_bound(it->second.begin(), it->second.end(), doc,
                                    [](const ModelPosting& a, DocId d) { return a.doc < d; });
    return p != it->second.end() && p->doc == doc ? static_cast<std::uint32_t>(p->positions.size())
                                                  : 0;
  }

  // Occurrences of the phrase (terms at the given relative offsets) in doc,
  // by scanning its token stream.
  std::uint32_t PhraseFrequency(const std::vector<std::string>& terms,
                                const std::vector<std::uint32_t>& offsets, DocId doc) const {
    for (const auto& term : terms) {
      if (Frequency(term, doc) == 0) return 0;  // no scan needed
    }
    std::map<std::uint32_t, const std::string*> at;
    for (const auto& token : tokens[doc]) at[token.position] = &token.term;
    std::uint32_t count = 0;
    for (const auto& token : tokens[doc]) {
      bool all = true;
      for (std::size_t i = 0; i < terms.size() && all; ++i) {
        auto it = at.find(token.position + offsets[i]);
        all = it != at.end() && *it->second == terms[i];
      }
      count += all ? 1 : 0;
    }
    return count;
  }

  std::uint64_t DocFrequency(const std::string& term) const {
    auto it = postings.find(term);
    return it == postings.end() ? 0 : it->second.size();
  }

  // Textbook BM25 from raw counts (double precision), independent of the
  // engine's Bm25Scorer.
  double Bm25(double idf, std::uint32_t tf, DocId doc, Bm25Params params) const {
    if (tf == 0) return 0;
    const double norm = params.k1 * (1 - params.b + params.b * lengths[doc] / average_length);
    return idf * tf * (params.k1 + 1) / (tf + norm);
  }
  // Textbook BM25F (Robertson and Zaragoza 2009) over the whole document and
  // its title, from raw counts in double precision: each stream's frequency
  // over its length normalization, the title's weighted, summed, saturated.
  double Bm25f(double idf, const std::string& word, DocId doc, Bm25Params params,
               FieldWeighting title) const {
    const std::uint32_t tf = Frequency(word, doc);
    if (tf == 0) return 0;
    double pseudo = tf / (1 - params.b + params.b * lengths[doc] / average_length);
    const std::uint32_t title_tf = Frequency(FieldTerm(kTitleField, word), doc);
    if (title_tf > 0) {
      pseudo += title.weight * title_tf /
                (1 - title.b + title.b * title_lengths[doc] / average_title_length);
    }
    return idf * pseudo * (params.k1 + 1) / (pseudo + params.k1);
  }
  double Idf(const std::string& term) const {
    const double n = static_cast<double>(lengths.size());
    const double df = static_cast<double>(DocFrequency(term));
    return std::log(1 + (n - df + 0.5) / (df + 0.5));
  }
};

// A query as the brute-force model reads it: clauses of analyzed words
// (identity on the random corpora), a phrase when more than one.
struct ModelClause {
  Occur occur;
  std::vector<std::string> words;
};

inline std::string ToQueryText(const std::vector<ModelClause>& clauses) {
  std::string text;
  for (const auto& clause : clauses) {
    if (!text.empty()) text += " ";
    text += clause.occur == Occur::kMust ? "+" : clause.occur == Occur::kMustNot ? "-" : "";
    if (clause.words.size() > 1) text += "\"";
    for (std::size_t i = 0; i < clause.words.size(); ++i) text += (i ? " " : "") + clause.words[i];
    if (clause.words.size() > 1) text += "\"";
  }
  return text;
}

// doc -> expected score, for every matching document not in `deleted` (by
// doc id; the model's statistics still count deleted documents, as the
// index's do until a merge).
inline std::map<DocId, double> ExpectedMatches(const ModelIndex& model,
                                               const std::vector<ModelClause>& clauses,
                                               Bm25Params params,
                                               const std::set<DocId>& deleted = {}) {
  std::map<DocId, double> matches;
  bool has_required = false;
  for (const auto& c : clauses) has_required |= c.occur == Occur::kMust;
  for (DocId d = 0; d < model.lengths.size(); ++d) {
    if (deleted.contains(d)) continue;
    double score = 0;
    bool ok = true;
    bool any_positive = false;
    for (const auto& c : clauses) {
      std::vector<std::uint32_t> offsets(c.words.size());
      for (std::size_t i = 0; i < offsets.size(); ++i) offsets[i] = static_cast<std::uint32_t>(i);
      const std::uint32_t tf = c.words.size() == 1 ? model.Frequency(c.words[0], d)
                                                   : model.PhraseFrequency(c.words, offsets, d);
      if (c.occur == Occur::kMustNot) {
        ok = ok && tf == 0;
        continue;
      }
      if (c.occur == Occur::kMust && tf == 0) ok = false;
      if (tf > 0) {
        any_positive = true;
        double idf = 0;
        for (const auto& w : c.words) idf += model.Idf(w);
        score += model.Bm25(idf, tf, d, params);
      }
    }
    if (ok && (has_required || any_positive)) matches[d] = score;
  }
  return matches;
}

// A word number below vocabulary, low numbers much more frequent (as in
// text): terms repeat and lists span several blocks.
template <typename Rng>
std::size_t SkewedWord(Rng& rng, std::size_t vocabulary) {
  return static_cast<std::size_t>(std::pow(static_cast<double>(rng() % 10000) / 10000.0, 2.0) *
                                  static_cast<double>(vocabulary));
}

// Random documents over a small vocabulary, so that terms repeat, lists span
// several 128-posting blocks and phrases occur by chance.
inline std::vector<SourceDocument> RandomDocs(std::size_t count, std::size_t vocabulary,
                                              std::uint64_t seed, std::size_t max_words = 60) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < vocabulary; ++i) words.push_back("w" + std::to_string(i) + "x");
  std::vector<SourceDocument> docs;
  for (std::size_t d = 0; d < count; ++d) {
    SourceDocument doc;
    doc.id = "doc-" + std::to_string(d);
    const std::size_t length = rng() % max_words;  // 0 allowed: empty documents are documents
    for (std::size_t i = 0; i < length; ++i) {
      const std::size_t w = SkewedWord(rng, vocabulary);
      doc.body += (i ? " " : "") + words[w];
    }
    if (rng() % 3 == 0) doc.title = words[rng() % vocabulary] + " " + words[rng() % vocabulary];
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace fathom::testing
