// Fathom's public C++ API: everything an application needs to build,
// change, check and search an index.
//
//   #include <fathom/fathom.hpp>
//
// Build with CMake (find_package(Fathom) gives the target Fathom::fathom) or
// pkg-config (fathom.pc). Every function reports failure by throwing a
// fathom::Error subclass (fathom/errors.hpp) whose what() is one line naming
// the file or query and what is wrong.
#pragma once

#include "fathom/errors.hpp"
#include "fathom/index.hpp"
#include "fathom/index_writer.hpp"
#include "fathom/trec_eval.hpp"
