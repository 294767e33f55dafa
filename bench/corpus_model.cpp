#include "bench/corpus_model.hpp"
#include "common/json_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <unordered_set>

namespace fathom::bench {
namespace {

// Independent random streams derived from the seed.
constexpr std::uint64_t kVocabularyStream = 1;
constexpr std::uint64_t kPhraseStream = 2;
constexpr std::uint64_t kDocumentStream = 3;

// Syllable parts. Simple onsets and single vowels are drawn far more often
// than clusters and digraphs, which keeps words pronounceable and their
// lengths close to English (about 5 letters per running word, 7-8 per
// dictionary entry).
constexpr const char* kSimpleOnsets[] = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m",
                                         "n", "p", "r", "s", "t", "v", "w", "y", "z"};
constexpr const char* kClusterOnsets[] = {"br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr",
                                          "pl", "pr", "sh", "sl", "sp", "st", "th", "tr", "wh"};
constexpr const char* kVowels[] = {"a", "e", "i", "o", "u", "a", "e", "i", "o"};
constexpr const char* kDigraphs[] = {"ai", "ea", "ee", "ie", "oa", "oo", "ou", "au"};
constexpr const char* kCodas[] = {"n", "r", "s",  "t",  "l",  "m",  "d",  "n",  "r",
                                  "s", "t", "nd", "nt", "st", "rk", "ng", "ck", "x"};

template <std::size_t N>
const char* Pick(Random& random, const char* const (&items)[N]) {
  return items[random.Uniform(static_cast<std::uint32_t>(N))];
}

// Frequent words are short (Zipf's law of abbreviation): the syllable count
// grows with the frequency rank.
std::uint32_t SyllablesForRank(std::uint32_t rank, Random& random) {
  const double u = random.UniformDouble();
  if (rank < 40) return 1;
  if (rank < 600) return u < 0.4 ? 1 : 2;
  if (rank < 10000) return u < 0.55 ? 2 : (u < 0.92 ? 3 : 4);
  return u < 0.4 ? 2 : (u < 0.85 ? 3 : 4);
}

std::string MakeWord(std::uint32_t syllables, Random& random) {
  std::string word;
  for (std::uint32_t i = 0; i < syllables; ++i) {
    // A word may start with a vowel; later syllables always have an onset
    // so that vowels do not pile up.
    if (i > 0 || random.Bernoulli(0.8)) {
      word += random.Bernoulli(0.15) ? Pick(random, kClusterOnsets) : Pick(random, kSimpleOnsets);
    }
    word += random.Bernoulli(0.15) ? Pick(random, kDigraphs) : Pick(random, kVowels);
    // Codas mostly close the last syllable ("bandor", not "bandrost").
    if (random.Bernoulli(i + 1 == syllables ? 0.6 : 0.15)) word += Pick(random, kCodas);
  }
  return word;
}

std::string MakeNumber(Random& random) {
  const double u = random.UniformDouble();
  char text[32];
  if (u < 0.4) {
    std::snprintf(text, sizeof text, "%u", random.Between(1800, 2029));  // years
  } else if (u < 0.8) {
    std::snprintf(text, sizeof text, "%u", random.Uniform(100000));
  } else {
    // "3.5", "12.75": one token, since a dot between digits joins.
    std::snprintf(text, sizeof text, "%u.%u", random.Uniform(100), random.Between(1, 99));
  }
  return text;
}

CorpusModel Validated(const CorpusModel& model) {
  if (model.vocabulary < 100) throw std::invalid_argument("vocabulary must be at least 100");
  if (model.phrases == 0) throw std::invalid_argument("need at least one phrase");
  if (model.min_title_words > model.max_title_words || model.min_title_words == 0) {
    throw std::invalid_argument("bad title length range");
  }
  if (model.min_body_words == 0 || model.min_body_words > model.max_body_words) {
    throw std::invalid_argument("bad body length range");
  }
  return model;
}

}  // namespace

CorpusGenerator::CorpusGenerator(const CorpusModel& model)
    : model_(Validated(model)),
      word_sampler_(ZipfWeights(model_.vocabulary, model_.zipf_exponent)),
      phrase_sampler_(ZipfWeights(model_.phrases, 1.0)),
      random_(DeriveSeed(model_.seed, kDocumentStream)) {
  BuildVocabulary();
  BuildPhrases();
}

void CorpusGenerator::BuildVocabulary() {
  Random random(DeriveSeed(model_.seed, kVocabularyStream));
  std::unordered_set<std::string> seen;
  seen.reserve(model_.vocabulary * 2);
  words_.reserve(model_.vocabulary);
  for (std::uint32_t rank = 0; rank < model_.vocabulary; ++rank) {
    // The most frequent ranks stay words, like a language's function words.
    const bool numeric = rank >= 50 && random.Bernoulli(model_.numeric_word_share);
    std::uint32_t syllables = SyllablesForRank(rank, random);
    for (std::uint32_t attempt = 0;; ++attempt) {
      std::string word = numeric ? MakeNumber(random) : MakeWord(syllables, random);
      if (seen.insert(word).second) {
        words_.push_back(std::move(word));
        break;
      }
      // Short forms run out: allow one syllable more after repeated clashes.
      if (attempt % 64 == 63) ++syllables;
    }
  }
}

void CorpusGenerator::BuildPhrases() {
  Random random(DeriveSeed(model_.seed, kPhraseStream));
  // Phrases are made of content words: skip the function-word ranks.
  const std::uint32_t skip = std::min<std::uint32_t>(50, model_.vocabulary / 2);
  phrases_.resize(model_.phrases);
  for (auto& phrase : phrases_) {
    const double u = random.UniformDouble();
    const std::uint32_t length = u < 0.55 ? 2 : (u < 0.9 ? 3 : 4);
    while (phrase.size() < length) {
      const std::uint32_t rank = word_sampler_.Sample(random);
      if (rank >= skip) phrase.push_back(rank);
    }
  }
}

void CorpusGenerator::AppendWord(std::uint32_t rank, bool capitalize, std::string& out) {
  const std::string& word = words_[rank];
  out += word;
  if (capitalize && word[0] >= 'a' && word[0] <= 'z') {
    out[out.size() - word.size()] = static_cast<char>(word[0] - 'a' + 'A');
  }
}

void CorpusGenerator::AppendSentence(std::uint32_t words, std::string& out) {
  sentence_.clear();
  for (std::uint32_t i = 0; i < words; ++i) sentence_.push_back(word_sampler_.Sample(random_));
  if (random_.Bernoulli(model_.phrase_probability)) {
    const auto& phrase = phrases_[phrase_sampler_.Sample(random_)];
    if (phrase.size() <= sentence_.size()) {
      const std::uint32_t at =
          random_.Uniform(static_cast<std::uint32_t>(sentence_.size() - phrase.size() + 1));
      std::copy(phrase.begin(), phrase.end(), sentence_.begin() + at);
    }
  }
  const double comma_until = model_.comma_probability;
  const double hyphen_until = comma_until + model_.hyphen_probability;
  const double possessive_until = hyphen_until + model_.possessive_probability;
  for (std::size_t i = 0; i < sentence_.size(); ++i) {
    AppendWord(sentence_[i], i == 0, out);
    if (i + 1 == sentence_.size()) break;
    // One draw picks at most one decoration per word.
    const double u = random_.UniformDouble();
    if (u < comma_until) {
      out += ", ";
    } else if (u < hyphen_until) {
      out += '-';
    } else if (u < possessive_until) {
      out += "'s ";
    } else {
      out += ' ';
    }
  }
  const double end = random_.UniformDouble();
  out += end < 0.9 ? '.' : (end < 0.95 ? '?' : '!');
}

void CorpusGenerator::AppendTitle(std::string& out) {
  const std::uint32_t words = random_.Between(model_.min_title_words, model_.max_title_words);
  sentence_.clear();
  for (std::uint32_t i = 0; i < words; ++i) sentence_.push_back(word_sampler_.Sample(random_));
  if (random_.Bernoulli(model_.phrase_probability)) {
    const auto& phrase = phrases_[phrase_sampler_.Sample(random_)];
    if (phrase.size() <= sentence_.size()) {
      std::copy(phrase.begin(), phrase.end(),
                sentence_.end() - static_cast<std::ptrdiff_t>(phrase.size()));
    }
  }
  for (std::size_t i = 0; i < sentence_.size(); ++i) {
    if (i > 0) out += ' ';
    AppendWord(sentence_[i], true, out);  // Title Case
  }
}

void CorpusGenerator::Next(GeneratedDocument& document) {
  document.id = "d" + std::to_string(next_id_++);
  document.title.clear();
  document.body.clear();
  AppendTitle(document.title);

  const double drawn =
      random_.LogNormal(std::log(model_.median_body_words), model_.body_words_sigma);
  auto remaining = static_cast<std::uint32_t>(std::clamp(std::lround(drawn),
                                                         static_cast<long>(model_.min_body_words),
                                                         static_cast<long>(model_.max_body_words)));
  const double sentence_mu = std::log(model_.median_sentence_words);
  while (remaining > 0) {
    auto words = static_cast<std::uint32_t>(std::clamp(
        std::lround(random_.LogNormal(sentence_mu, model_.sentence_words_sigma)), 3L, 60L));
    // No two-word stub at the end of a document.
    if (words + 3 > remaining) words = remaining;
    AppendSentence(words, document.body);
    remaining -= words;
    if (remaining > 0)
      document.body += random_.Bernoulli(model_.paragraph_probability) ? "\n\n" : " ";
  }
}

namespace {

void AppendJsonString(std::string_view text, std::string& out) {
  out += '"';
  AppendJsonEscaped(text, out);
  out += '"';
}

}  // namespace

void AppendJsonLine(const GeneratedDocument& document, std::string& out) {
  out += "{\"id\":";
  AppendJsonString(document.id, out);
  out += ",\"title\":";
  AppendJsonString(document.title, out);
  out += ",\"body\":";
  AppendJsonString(document.body, out);
  out += "}\n";
}

void AppendTrecDoc(const GeneratedDocument& document, std::string& out) {
  out += "<DOC>\n<DOCNO> ";
  out += document.id;
  out += " </DOCNO>\n<HEADLINE>\n";
  out += document.title;
  out += "\n</HEADLINE>\n<TEXT>\n";
  out += document.body;
  out += "\n</TEXT>\n</DOC>\n";
}

void AppendWarcRecord(const GeneratedDocument& document, std::string& out) {
  std::string page = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n";
  page += "<!DOCTYPE html><html><head><title>";
  page += document.title;
  page += "</title></head><body><h1>";
  page += document.title;
  page += "</h1><p>";
  page += document.body;
  page += "</p></body></html>";
  out += "WARC/1.0\r\nWARC-Type: response\r\nWARC-TREC-ID: ";
  out += document.id;
  out += "\r\nWARC-Target-URI: http://corpus.example/";
  out += document.id;
  out += "\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: ";
  out += std::to_string(page.size());
  out += "\r\n\r\n";
  out += page;
  out += "\r\n\r\n";
}

}  // namespace fathom::bench
