// Call-order contracts (the REQUIRES lines of the headers), checked in debug
// and sanitizer builds, where a violation aborts naming the contract, and
// compiled out of release builds, where the checks would cost the hot path.
#pragma once

#include <cstdio>
#include <cstdlib>

#if !defined(NDEBUG) || defined(FATHOM_SANITIZED)
#define FATHOM_CONTRACTS_CHECKED 1
#define FATHOM_REQUIRE(condition, contract)                                               \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "fathom: contract violated: %s (%s:%d)\n", contract, __FILE__, \
                   __LINE__);                                                             \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)
#else
#define FATHOM_CONTRACTS_CHECKED 0
#define FATHOM_REQUIRE(condition, contract) \
  do {                                      \
  } while (false)
#endif
