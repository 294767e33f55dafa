// The interactive prompt: line editing and history (libedit), queries, and
// ':' commands.
#pragma once

#include "searcher/present/output.hpp"
#include "searcher/searcher.hpp"

namespace fathom {

struct PromptSettings {
  SearchOptions search;  // search.k results per page
  TextStyle style;
  bool fold_duplicates = true;
};

// Runs until :quit or end of input; returns the process exit status.
int RunPrompt(Searcher& searcher, PromptSettings settings);

}  // namespace fathom
