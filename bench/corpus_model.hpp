// The synthetic corpus model behind `fathom-bench generate-corpus` (and the
// text the micro-benchmarks analyze and index). bench/README.md describes
// the model and why its parameters are what they are.
//
// Determinism: the vocabulary and the phrases come from streams derived from
// the seed alone, the documents from a third stream consumed in order. So a
// seed always gives the same words, and the first N documents of a larger
// corpus are exactly the N-document corpus of the same seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/random.hpp"

namespace fathom::bench {

struct CorpusModel {
  std::uint64_t seed = 1;
  std::uint32_t vocabulary = 200000;  // distinct surface words
  double zipf_exponent = 1.0;         // word frequency ~ 1 / rank^exponent
  double numeric_word_share = 0.02;   // vocabulary entries that are numbers
  // Body length in words: log-normal, median median_body_words.
  double median_body_words = 120;
  double body_words_sigma = 0.9;
  std::uint32_t min_body_words = 8;
  std::uint32_t max_body_words = 20000;
  // Sentence length in words: log-normal as well.
  double median_sentence_words = 14;
  double sentence_words_sigma = 0.45;
  std::uint32_t min_title_words = 3;
  std::uint32_t max_title_words = 10;
  // Recurring multi-word phrases ("new york"), 2-4 words of mid-frequency
  // vocabulary, themselves Zipf-popular; one is inserted into a sentence
  // with this probability.
  std::uint32_t phrases = 5000;
  double phrase_probability = 0.25;
  // Per-word decorations that give the analyzer work.
  double comma_probability = 0.06;
  double hyphen_probability = 0.01;      // "word-word": two tokens
  double possessive_probability = 0.01;  // "word's": stripped by the analyzer
  double paragraph_probability = 0.2;    // "\n\n" instead of " " after a sentence
};

struct GeneratedDocument {
  std::string id;
  std::string title;
  std::string body;
};

class CorpusGenerator {
 public:
  explicit CorpusGenerator(const CorpusModel& model);

  // Generates the next document of the stream (ids d0, d1, ...).
  void Next(GeneratedDocument& document);

  const CorpusModel& model() const { return model_; }
  // Surface words, most frequent first.
  const std::vector<std::string>& vocabulary() const { return words_; }
  const std::vector<std::vector<std::uint32_t>>& phrases() const { return phrases_; }

 private:
  void BuildVocabulary();
  void BuildPhrases();
  void AppendWord(std::uint32_t rank, bool capitalize, std::string& out);
  void AppendSentence(std::uint32_t words, std::string& out);
  void AppendTitle(std::string& out);

  CorpusModel model_;
  std::vector<std::string> words_;
  std::vector<std::vector<std::uint32_t>> phrases_;
  AliasSampler word_sampler_;
  AliasSampler phrase_sampler_;
  Random random_;
  std::uint64_t next_id_ = 0;
  std::vector<std::uint32_t> sentence_;  // scratch: ranks of one sentence
};

// Appends {"id":...,"title":...,"body":...} and a newline.
void AppendJsonLine(const GeneratedDocument& document, std::string& out);
// The same document as a TREC SGML <DOC> (DOCNO, HEADLINE, TEXT), and as a
// WARC/1.0 response record whose payload is an HTML page (WARC-TREC-ID,
// WARC-Target-URI http://corpus.example/ID): the research collections'
// formats, for measuring how fast the indexer reads them. Generated words
// hold no markup characters, so nothing needs escaping.
void AppendTrecDoc(const GeneratedDocument& document, std::string& out);
void AppendWarcRecord(const GeneratedDocument& document, std::string& out);

}  // namespace fathom::bench
