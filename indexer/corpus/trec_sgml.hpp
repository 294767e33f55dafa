// TREC SGML collections: many documents in one file, each
// <DOC> ... <DOCNO>id</DOCNO> ... </DOC>.
//
// Not a general SGML parser: TREC files are flat and regular, so plain
// searching for the few known tags is enough and never recurses (no stack
// to exhaust on hostile input).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "indexer/corpus/corpus_reader.hpp"

namespace fathom {

// True when the text starts, after whitespace, with "<DOC>".
bool LooksLikeTrecSgml(std::string_view text);

// One document per well-formed DOC: id = DOCNO trimmed; title = the first of
// HEADLINE, HEAD, TITLE, HL present; body = the text of the text-bearing
// tags (TEXT, LEADPARA, LP, GRAPHIC, and any title tag not used as the
// title), inner tags removed, one paragraph break between tags. A DOC
// without DOCNO or without </DOC> is skipped with one warning naming `file`
// and the byte offset; the rest of the file is still read.
std::vector<SourceDocument> ParseTrecSgml(std::string_view text, const std::string& file,
                                          const WarningSink& warn);

}  // namespace fathom
