// Natural-language queries (TREC topics, questions, claims) in Fathom's
// query syntax: every word an optional term, no operators, no phrases.
#pragma once

#include <string>
#include <string_view>

#include "common/analyzer.hpp"

namespace fathom {

// Rewrites text as the words the analyzer finds in it, separated by spaces,
// so that QueryParser turns each into one optional term. Without this a
// topic's "-dash" would exclude documents, a quote would start a phrase and
// "real-gas" would become a phrase that only documents with the two words
// side by side match; a bag of words (as Anserini and trec tools run topics)
// scores documents with either word. Words the analyzer drops (stop words)
// are left out; a word repeated stays repeated, so it weighs more.
std::string NaturalLanguageQuery(Analyzer& analyzer, std::string_view text);

}  // namespace fathom
