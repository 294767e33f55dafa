// The Snowball English (Porter2) stemmer, as of Snowball 3.0: the algorithm
// of snowballstem.org's algorithms/english.sbl, implemented here so that
// Fathom's English stems do not depend on the libstemmer release a system
// ships (Debian 12 has 2.2.0, which predates the 3.0 changes: -ogist -> -og,
// the prefixes past/univers/later/emerg/organ/inter, undoubling only after a
// longer stem in added/ebbed/offing, dying/vying -> die/vie, ...). The test
// vocabulary of ../shared/corpora/snowball-english checks every word.
#pragma once

#include <string>
#include <string_view>

namespace fathom {

// Stems one case-folded word (UTF-8). Letters outside a-z and ' count as
// consonants, as in Snowball's UTF-8 stemmer.
std::string Porter2Stem(std::string_view word);

}  // namespace fathom
