#include "winoq/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "winoq/io/file_read.h"
#include "winoq/io/json_limits.h"

namespace winoq {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& why) {
    throw std::runtime_error("winoq: safetensors file " + what + ": " + why);
}

uint64_t read_le64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

uint64_t json_unsigned(const nlohmann::json& j, const std::string& what, const std::string& field) {
    if (!j.is_number_unsigned()) fail(what, field + " must hold non-negative integers");
    return j.get<uint64_t>();
}

TensorInfo parse_entry(const std::string& name, const nlohmann::json& e, uint64_t data_bytes, const std::string& what) {
    const std::string where = "tensor '" + name + "'";
    if (!e.is_object()) fail(what, where + " is not a JSON object");
    for (const char* key : {"dtype", "shape", "data_offsets"})
        if (!e.contains(key)) fail(what, where + " has no \"" + key + "\"");
    TensorInfo t;
    if (!e["dtype"].is_string()) fail(what, where + ": dtype is not a string");
    const std::string dt = e["dtype"].get<std::string>();
    const std::optional<TensorDType> dtype = parse_name(kDTypeNames, dt);
    if (!dtype) fail(what, where + ": unsupported dtype " + dt + " (winoq reads F32, I8, I32)");
    t.dtype = *dtype;
    if (!e["shape"].is_array()) fail(what, where + ": shape is not an array");
    if (e["shape"].size() > kMaxTensorRank)
        fail(what, where + ": shape has " + std::to_string(e["shape"].size()) + " dimensions, above the limit of " +
                       std::to_string(kMaxTensorRank));
    for (const nlohmann::json& d : e["shape"]) {
        const uint64_t dim = json_unsigned(d, what, where + ": shape");
        if (dim > uint64_t(INT64_MAX)) fail(what, where + ": shape dimension " + std::to_string(dim) + " is too large");
        t.shape.push_back(static_cast<int64_t>(dim));
    }
    const std::optional<int64_t> count = checked_numel(t.shape);
    if (!count) fail(what, where + ": the product of its shape's dimensions overflows a 64-bit count");
    const uint64_t numel = uint64_t(*count);
    const nlohmann::json& off = e["data_offsets"];
    if (!off.is_array() || off.size() != 2) fail(what, where + ": data_offsets must be [begin, end]");
    const uint64_t begin = json_unsigned(off[0], what, where + ": data_offsets");
    const uint64_t end = json_unsigned(off[1], what, where + ": data_offsets");
    if (begin > end) fail(what, where + ": data_offsets begin > end");
    if (end > data_bytes)
        fail(what, where + ": data_offsets end " + std::to_string(end) + " is beyond the data section (" +
                       std::to_string(data_bytes) + " bytes; file truncated?)");
    const uint64_t bytes = end - begin, size = dtype_size(t.dtype);
    if (bytes % size != 0 || numel != bytes / size)
        fail(what, where + ": shape does not match its byte range (" + std::to_string(end - begin) + " bytes for " +
                       dt + ")");
    t.begin = begin;
    t.end = end;
    return t;
}

template <typename T>
std::vector<T> decode_le(const uint8_t* p, int64_t n) {
    std::vector<T> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        typename std::conditional<sizeof(T) == 4, uint32_t, uint8_t>::type u = 0;
        for (int b = int(sizeof(T)) - 1; b >= 0; --b)
            u = static_cast<decltype(u)>((uint64_t(u) << 8) | p[i * sizeof(T) + b]);
        std::memcpy(&out[i], &u, sizeof(T));
    }
    return out;
}

template <typename T>
TensorToWrite encode_le(TensorDType dt, std::vector<int64_t> shape, const std::vector<T>& v) {
    const std::optional<int64_t> numel = checked_numel(shape);
    if (!numel || uint64_t(*numel) != v.size())
        throw std::invalid_argument("winoq: tensor shape does not match its values");
    TensorToWrite t;
    t.dtype = dt;
    t.shape = std::move(shape);
    t.bytes.resize(v.size() * sizeof(T));
    for (size_t i = 0; i < v.size(); ++i) {
        typename std::conditional<sizeof(T) == 4, uint32_t, uint8_t>::type u;
        std::memcpy(&u, &v[i], sizeof(T));
        for (size_t b = 0; b < sizeof(T); ++b)
            t.bytes[i * sizeof(T) + b] = static_cast<uint8_t>(uint64_t(u) >> (8 * b));
    }
    return t;
}

}  // namespace

const char* dtype_name(TensorDType t) { return name_of(kDTypeNames, t); }

size_t dtype_size(TensorDType t) { return t == TensorDType::kI8 ? 1 : 4; }

std::optional<int64_t> checked_numel(const std::vector<int64_t>& shape) {
    int64_t product = 1;  // of the non-zero dimensions
    bool zero = false;
    for (int64_t d : shape) {
        if (d < 0) return std::nullopt;
        if (d == 0) {
            zero = true;
            continue;
        }
        if (__builtin_mul_overflow(product, d, &product)) return std::nullopt;
    }
    return zero ? 0 : product;
}

int64_t TensorInfo::numel() const {
    const std::optional<int64_t> n = checked_numel(shape);
    if (!n) throw std::overflow_error("winoq: tensor shape has no 64-bit element count");
    return *n;
}

SafetensorsFile SafetensorsFile::load(const std::string& path) {
    return parse(read_regular_file(path, kMaxSafetensorsFileBytes, "safetensors file"), path);
}

SafetensorsFile SafetensorsFile::parse(std::vector<uint8_t> bytes, const std::string& what) {
    if (bytes.size() < 8) fail(what, "shorter than the 8-byte header length (truncated?)");
    const uint64_t n = read_le64(bytes.data());
    if (n > kMaxSafetensorsHeaderBytes)
        fail(what, "header length " + std::to_string(n) + " is above the " + format_limit(kMaxSafetensorsHeaderBytes) +
                       " limit for a safetensors header (implausible: real headers are a few KB; corrupt file?)");
    if (n > bytes.size() - 8)
        fail(what, "header length " + std::to_string(n) + " exceeds the file size " + std::to_string(bytes.size()) +
                       " (truncated?)");
    // The parsed header costs ~100 bytes per JSON value, whatever its bytes: a first pass that
    // builds nothing counts the values and the nesting depth (json_limits.h).
    const auto first = bytes.begin() + 8, last = first + static_cast<std::ptrdiff_t>(n);
    const std::string problem =
        json_limit_problem(std::string_view(reinterpret_cast<const char*>(bytes.data()) + 8, size_t(n)),
                           kMaxSafetensorsJsonValues, kMaxSafetensorsJsonDepth);
    if (!problem.empty())
        fail(what, "header " + problem +
                       (problem.rfind("is not valid JSON", 0) == 0 ? "" : ", the limit for a safetensors header"));
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(first, last);
    } catch (const nlohmann::json::exception& e) {
        fail(what, std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) fail(what, "header is not a JSON object");
    const size_t tensors = header.size() - (header.contains("__metadata__") ? 1 : 0);
    if (tensors > kMaxSafetensorsTensors)
        fail(what, "header lists " + std::to_string(tensors) + " tensors, above the limit of " +
                       std::to_string(kMaxSafetensorsTensors) + " for a safetensors file");

    SafetensorsFile out;
    out.what_ = what;
    out.data_start_ = 8 + n;
    const uint64_t data_bytes = bytes.size() - out.data_start_;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (!it.value().is_object()) fail(what, "__metadata__ is not a JSON object");
            for (auto m = it.value().begin(); m != it.value().end(); ++m) {
                if (!m.value().is_string()) fail(what, "__metadata__ value of '" + m.key() + "' is not a string");
                out.metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        out.tensors_[it.key()] = parse_entry(it.key(), it.value(), data_bytes, what);
    }
    // No two tensors may share bytes.
    std::vector<std::pair<size_t, std::string>> by_begin;
    for (const auto& [name, t] : out.tensors_)
        if (t.end > t.begin) by_begin.push_back({t.begin, name});
    std::sort(by_begin.begin(), by_begin.end());
    for (size_t i = 1; i < by_begin.size(); ++i)
        if (out.tensors_[by_begin[i - 1].second].end > by_begin[i].first)
            fail(what, "tensors '" + by_begin[i - 1].second + "' and '" + by_begin[i].second + "' overlap");
    out.bytes_ = std::move(bytes);
    return out;
}

std::vector<std::string> SafetensorsFile::names() const {
    std::vector<std::string> r;
    for (const auto& kv : tensors_) r.push_back(kv.first);
    return r;
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) fail(what_, "has no tensor '" + name + "'");
    return it->second;
}

const TensorInfo& SafetensorsFile::typed(const std::string& name, TensorDType want) const {
    const TensorInfo& t = info(name);
    if (t.dtype != want) fail(what_, "tensor '" + name + "' is " + dtype_name(t.dtype) + ", not " + dtype_name(want));
    return t;
}

std::vector<float> SafetensorsFile::f32(const std::string& name) const {
    const TensorInfo& t = typed(name, TensorDType::kF32);
    return decode_le<float>(data(t), t.numel());
}
std::vector<int8_t> SafetensorsFile::i8(const std::string& name) const {
    const TensorInfo& t = typed(name, TensorDType::kI8);
    return decode_le<int8_t>(data(t), t.numel());
}
std::vector<int32_t> SafetensorsFile::i32(const std::string& name) const {
    const TensorInfo& t = typed(name, TensorDType::kI32);
    return decode_le<int32_t>(data(t), t.numel());
}

TensorToWrite tensor_f32(std::vector<int64_t> shape, const std::vector<float>& v) {
    return encode_le(TensorDType::kF32, std::move(shape), v);
}
TensorToWrite tensor_i8(std::vector<int64_t> shape, const std::vector<int8_t>& v) {
    return encode_le(TensorDType::kI8, std::move(shape), v);
}
TensorToWrite tensor_i32(std::vector<int64_t> shape, const std::vector<int32_t>& v) {
    return encode_le(TensorDType::kI32, std::move(shape), v);
}

std::vector<uint8_t> serialize_safetensors(const std::map<std::string, TensorToWrite>& tensors,
                                           const std::map<std::string, std::string>& metadata) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    size_t offset = 0;
    for (const auto& [name, t] : tensors) {
        const std::optional<int64_t> numel = checked_numel(t.shape);
        if (!numel || t.bytes.size() % dtype_size(t.dtype) != 0 ||
            uint64_t(*numel) != t.bytes.size() / dtype_size(t.dtype))
            throw std::invalid_argument("winoq: tensor '" + name + "': shape does not match its bytes");
        header[name] = {
            {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
    }
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');  // keep the data 8-byte aligned, as the reference writer does
    std::vector<uint8_t> out(8 + h.size() + offset);
    for (int b = 0; b < 8; ++b) out[b] = static_cast<uint8_t>(uint64_t(h.size()) >> (8 * b));
    std::memcpy(out.data() + 8, h.data(), h.size());
    size_t at = 8 + h.size();
    for (const auto& kv : tensors) {
        if (!kv.second.bytes.empty()) std::memcpy(out.data() + at, kv.second.bytes.data(), kv.second.bytes.size());
        at += kv.second.bytes.size();
    }
    return out;
}

void save_safetensors(const std::string& path, const std::map<std::string, TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    const std::vector<uint8_t> bytes = serialize_safetensors(tensors, metadata);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("winoq: cannot write " + path);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw std::runtime_error("winoq: write error on " + path);
}

}  // namespace winoq
