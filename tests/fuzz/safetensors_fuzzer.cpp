// libFuzzer target: the safetensors reader, winoq::SafetensorsFile::parse on any bytes.
// A rejection (std::exception) is fine. A file it accepts must give every tensor's values (as
// many as its shape says, read by the typed accessor of its dtype) and survive a round trip
// through serialize_safetensors with the same names, shapes, values and metadata.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "winoq/io/safetensors.h"

namespace {

[[noreturn]] void finding(const std::string& what) {
    std::fprintf(stderr, "accepted safetensors file: %s\n", what.c_str());
    std::abort();
}

// The values of a tensor as raw bytes, through the accessor of its dtype.
std::vector<uint8_t> raw_values(const winoq::SafetensorsFile& f, const std::string& name) {
    const winoq::TensorInfo& t = f.info(name);
    std::vector<uint8_t> out;
    auto take = [&](const auto& v) {
        if (int64_t(v.size()) != t.numel()) finding(name + ": accessor size differs from numel");
        out.resize(v.size() * sizeof(v[0]));
        if (!out.empty()) std::memcpy(out.data(), v.data(), out.size());
    };
    switch (t.dtype) {
        case winoq::TensorDType::kF32: take(f.f32(name)); break;
        case winoq::TensorDType::kI8: take(f.i8(name)); break;
        case winoq::TensorDType::kI32: take(f.i32(name)); break;
    }
    if (out.size() != t.end - t.begin) finding(name + ": value bytes differ from its byte range");
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<uint8_t> bytes(data, data + size);
    winoq::SafetensorsFile f;
    try {
        f = winoq::SafetensorsFile::parse(std::move(bytes), "fuzz-input");
    } catch (const std::exception&) {
        return 0;
    }
    try {
        std::map<std::string, winoq::TensorToWrite> tensors;
        for (const std::string& name : f.names()) {
            winoq::TensorToWrite& t = tensors[name];
            t.dtype = f.info(name).dtype;
            t.shape = f.info(name).shape;
            t.bytes = raw_values(f, name);
        }
        const winoq::SafetensorsFile g =
            winoq::SafetensorsFile::parse(winoq::serialize_safetensors(tensors, f.metadata()), "re-serialized");
        if (g.names() != f.names()) finding("names differ after a round trip");
        if (g.metadata() != f.metadata()) finding("metadata differs after a round trip");
        for (const std::string& name : f.names()) {
            if (g.info(name).dtype != f.info(name).dtype || g.info(name).shape != f.info(name).shape)
                finding(name + ": dtype or shape differs after a round trip");
            if (raw_values(g, name) != tensors[name].bytes) finding(name + ": values differ after a round trip");
        }
    } catch (const std::exception& e) {
        finding(e.what());
    }
    return 0;
}
