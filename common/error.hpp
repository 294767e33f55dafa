// The typed errors live in the public API (include/fathom/errors.hpp), since
// applications catch them; the engine's code includes them from here.
#pragma once

#include "fathom/errors.hpp"
