// A first pass over untrusted JSON that builds nothing (docs/security.md, "Readers"). A parsed
// JSON document (nlohmann::json) costs ~50-100 bytes per value whatever the text's size, so
// "[],[],..." costs ~30 times its bytes; readers check the number of values and the nesting
// depth with this pass (nlohmann's SAX interface: linear, no allocation per value) before they
// parse the text into a document.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace winoq {

// "" when `text` is valid JSON with at most `max_values` values (objects, arrays, keys and
// scalars) nested at most `max_depth` deep; otherwise the problem, phrased to follow a name:
// "holds more than 1048576 JSON values", "nests deeper than 16 levels", "is not valid JSON: ...".
// Stops at the first problem.
std::string json_limit_problem(std::string_view text, size_t max_values, size_t max_depth);

}  // namespace winoq
