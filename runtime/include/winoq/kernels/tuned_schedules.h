// Tuned schedules (docs/tuning.md): schedules/tuned/<target>.json lists, per kernel family, the
// schedule knobs winoq-tune found fastest on some shape classes; the build AOT-compiles each
// listed configuration for that one target, and a ConvKernel whose family and shape class match
// an entry of the active target runs it instead of the hand schedule. The environment variable
// WINOQ_SCHEDULES=hand turns them off (the untuned build in a side-by-side run); unset or
// "tuned": on.
#pragma once

#include <string>
#include <vector>

#include "winoq/numerics/conv_params.h"

namespace winoq::kernels {

// The kernel family of a variant on a shape: one AOT pipeline up to its schedule knobs. "cf43",
// "f23" (a Winograd variant), "direct_k3_s1" (the direct convolution of a kernel size and stride).
std::string kernel_family(Variant v, const ConvShape& s);
std::string direct_family(int kernel, int stride);

// "c64_k64_56x56_k3_s1_p1": the shape class a tuned schedule applies to, at every batch size.
std::string shape_class(const ConvShape& s);
// shape_class back to a shape (N = 1), or false for a string that is not one.
bool parse_shape_class(const std::string& text, ConvShape& out);

struct TunedSchedule {
    std::string target;       // winoq target name (avx512_vnni ...): used only when it is the active one
    std::string family;       // kernel_family
    std::string shape_class;  // shape_class
    std::string knobs;        // the GeneratorParams that differ from the hand schedule, "k=v k=v"
    std::string pipeline;     // the AOT library's function name
    int residual = -1;        // direct: the residual flag of its pipeline (0 / 1); Winograd: -1, any
};

// Every tuned schedule compiled into this build, for every target.
std::vector<TunedSchedule> compiled_tuned_schedules();

// What a layer of this variant, shape and residual flag runs on the active target: "hand", or
// "tuned (k=v ...)". Throws std::invalid_argument for a WINOQ_SCHEDULES other than hand / tuned.
std::string planned_schedule(Variant v, const ConvShape& s, bool residual);

}  // namespace winoq::kernels
