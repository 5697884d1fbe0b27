// A reader (and a small writer) for the safetensors format: an 8-byte little-endian header
// length N, N bytes of JSON mapping each tensor name to
// {"dtype": ..., "shape": [...], "data_offsets": [begin, end]} (offsets relative to the end
// of the header), an optional "__metadata__" object of strings, then the raw little-endian
// data. winoq reads F32, I8 and I32 tensors. Every malformed file (truncated, bad JSON,
// unknown dtype, shape not matching the byte range, ranges outside the file or
// overlapping) is rejected with a std::runtime_error naming the file and the problem.
//
// Resource limits (docs/security.md, "Readers"), checked before anything is allocated: the file
// size, the JSON header's size, its number of JSON values (which bounds the parsed header's
// memory) and nesting depth, the number of tensors and their rank; every element count is
// computed with overflow checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "winoq/numerics/enum_names.h"

namespace winoq {

// 1 GiB: the largest file read (load, load_model). Bundled models are 1.6 MB, a ResNet-18 int8
// model 12 MB, a float ResNet-18 47 MB; the whole file is held in memory while it is read.
inline constexpr uint64_t kMaxSafetensorsFileBytes = uint64_t(1) << 30;
// 16 MiB: the JSON header. Real headers are 8-32 KB (ResNet-20), well under 1 MiB for any
// ResNet; the specification's own cap, 100 MB, would let a header cost gigabytes parsed.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = uint64_t(16) << 20;
// 1 Mi JSON values (objects, arrays, keys, scalars) in the header: about 100 bytes each parsed,
// so the parsed header stays near 100 MB whatever its bytes hold. Real headers: ~3,000.
inline constexpr size_t kMaxSafetensorsJsonValues = size_t(1) << 20;
// Nesting depth of the header: the format needs 3 (header, tensor entry, shape array).
inline constexpr int kMaxSafetensorsJsonDepth = 16;
// 65,536 tensors: ResNet-20 models hold 98-276, ResNet-18 about 600.
inline constexpr size_t kMaxSafetensorsTensors = 65536;
// Dimensions per tensor: winoq's tensors have 1-4.
inline constexpr size_t kMaxTensorRank = 8;

enum class TensorDType { kF32, kI8, kI32 };
// The safetensors dtype strings winoq reads and writes (enum_names.h).
inline constexpr EnumName<TensorDType> kDTypeNames[] = {
    {TensorDType::kF32, "F32"}, {TensorDType::kI8, "I8"}, {TensorDType::kI32, "I32"}};

const char* dtype_name(TensorDType t);  // "F32", "I8", "I32"
size_t dtype_size(TensorDType t);

// The element count of a shape, or nullopt when a dimension is negative or the product of
// the non-zero dimensions does not fit in int64 (a shape such as [2^32, 2^32, 0] is refused
// even though its product is 0: no size computed from it may overflow).
std::optional<int64_t> checked_numel(const std::vector<int64_t>& shape);

struct TensorInfo {
    TensorDType dtype = TensorDType::kF32;
    std::vector<int64_t> shape;
    size_t begin = 0, end = 0;  // byte range inside the data section
    int64_t numel() const;      // checked_numel(shape); throws std::overflow_error if it has none
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
