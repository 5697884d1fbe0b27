#include "winoq/version.h"

namespace winoq {

const char* version() { return WINOQ_VERSION; }

}  // namespace winoq
