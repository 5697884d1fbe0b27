// libFuzzer target: the model loader (docs/model-format.md), winoq::parse_model on any bytes.
// A rejection (std::exception) is fine. A model it accepts must also pass validate_model, have
// its MACs counted, and survive a round trip: serialize_model, parse_model again, and the second
// serialization equal to the first byte for byte; otherwise the target aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "winoq/model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    winoq::Model m;
    try {
        m = winoq::parse_model(std::vector<uint8_t>(data, data + size), "fuzz-input");
    } catch (const std::exception&) {
        return 0;
    }
    try {
        winoq::validate_model(m);
        const winoq::ModelMacs macs = winoq::count_macs(m);
        if (macs.actual <= 0 || macs.direct <= 0) {
            std::fprintf(stderr, "accepted model has %lld / %lld MACs\n", (long long)macs.actual,
                         (long long)macs.direct);
            std::abort();
        }
        const std::vector<uint8_t> bytes = winoq::serialize_model(m);
        const winoq::Model again = winoq::parse_model(bytes, "re-serialized");
        if (winoq::serialize_model(again) != bytes) {
            std::fprintf(stderr,
                         "accepted model does not round-trip: serialize(parse(serialize(m))) != serialize(m)\n");
            std::abort();
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "accepted model fails after loading: %s\n", e.what());
        std::abort();
    }
    return 0;
}
