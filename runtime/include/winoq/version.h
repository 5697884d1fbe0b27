// The version of the winoq library a program runs against.
#pragma once

namespace winoq {

// "MAJOR.MINOR.PATCH", the project() version of the build that made the library.
const char* version();

}  // namespace winoq
