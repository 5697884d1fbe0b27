// A reader (and a small writer) for the safetensors format: an 8-byte little-endian header
// length N, N bytes of JSON mapping each tensor name to
// {"dtype": ..., "shape": [...], "data_offsets": [begin, end]} (offsets relative to the end
// of the header), an optional "__metadata__" object of strings, then the raw little-endian
// data. winoq reads F32, I8 and I32 tensors. Every malformed file (truncated, bad JSON,
// unknown dtype, shape not matching the byte range, ranges outside the file or
// overlapping) is rejected with a std::runtime_error naming the file and the problem.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "winoq/numerics/enum_names.h"

namespace winoq {

enum class TensorDType { kF32, kI8, kI32 };
// The safetensors dtype strings winoq reads and writes (enum_names.h).
inline constexpr EnumName<TensorDType> kDTypeNames[] = {
    {TensorDType::kF32, "F32"}, {TensorDType::kI8, "I8"}, {TensorDType::kI32, "I32"}};

const char* dtype_name(TensorDType t);  // "F32", "I8", "I32"
size_t dtype_size(TensorDType t);

struct TensorInfo {
    TensorDType dtype = TensorDType::kF32;
    std::vector<int64_t> shape;
    size_t begin = 0, end = 0;  // byte range inside the data section
    int64_t numel() const;
};

class SafetensorsFile {
public:
    // Reads and validates a whole file. Throws std::runtime_error.
    static SafetensorsFile load(const std::string& path);
    // Validates an in-memory file; `what` names it in error messages.
    static SafetensorsFile parse(std::vector<uint8_t> bytes, const std::string& what = "<memory>");

    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    std::vector<std::string> names() const;                 // sorted
    const TensorInfo& info(const std::string& name) const;  // throws if absent
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // The values of a tensor; throws if absent or of another dtype.
    std::vector<float> f32(const std::string& name) const;
    std::vector<int8_t> i8(const std::string& name) const;
    std::vector<int32_t> i32(const std::string& name) const;

private:
    const uint8_t* data(const TensorInfo& t) const { return bytes_.data() + data_start_ + t.begin; }
    const TensorInfo& typed(const std::string& name, TensorDType want) const;

    std::string what_;
    std::vector<uint8_t> bytes_;
    size_t data_start_ = 0;
    std::map<std::string, TensorInfo> tensors_;
    std::map<std::string, std::string> metadata_;
};

// One tensor to write: raw little-endian bytes of `dtype` elements.
struct TensorToWrite {
    TensorDType dtype = TensorDType::kF32;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
};
TensorToWrite tensor_f32(std::vector<int64_t> shape, const std::vector<float>& values);
TensorToWrite tensor_i8(std::vector<int64_t> shape, const std::vector<int8_t>& values);
TensorToWrite tensor_i32(std::vector<int64_t> shape, const std::vector<int32_t>& values);

// Serialises tensors (in name order, packed without gaps) and metadata to safetensors bytes.
std::vector<uint8_t> serialize_safetensors(const std::map<std::string, TensorToWrite>& tensors,
                                           const std::map<std::string, std::string>& metadata = {});
void save_safetensors(const std::string& path, const std::map<std::string, TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace winoq
