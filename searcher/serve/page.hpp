// The search page fathom-serve shows at `/`: one self-contained HTML file
// (searcher/serve/page.html, with its CSS and JavaScript inline), compiled
// into the program so that nothing is fetched from anywhere else.
#pragma once

#include <string_view>

namespace fathom::serve {

std::string_view SearchPage();

}  // namespace fathom::serve
