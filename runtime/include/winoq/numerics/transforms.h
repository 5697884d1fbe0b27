// The Winograd matrices, defined once. B^T and A^T are exact Gaussian integers; G is exact
// as (integer Gaussian matrix) / g_den. Also the tap structure (real taps, conjugate pairs)
// and the plane layout of the Winograd domain that every stage agrees on.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "winoq/numerics/gaussian.h"
#include "winoq/numerics/variant.h"

namespace winoq {

struct WinogradMatrices {
    int m = 0;                 // output tile size
    int r = 3;                 // filter size
    int n = 0;                 // input tile size, m + r - 1
    std::vector<GaussInt> BT;  // n x n, row-major: B^T[i][u]
    std::vector<GaussInt> G;   // n x r, integer numerators: G[i][k] = G_num[i][k] / g_den
    int64_t g_den = 1;
    std::vector<GaussInt> AT;  // m x n: A^T[a][i]

    GaussInt bt(int i, int u) const { return BT[i * n + u]; }
    GaussInt g(int i, int k) const { return G[i * r + k]; }
    GaussInt at(int a, int i) const { return AT[i + a * n]; }
};

// The matrices of a Winograd variant (throws for kDirect).
const WinogradMatrices& winograd_matrices(Variant v);

// How the n x n taps of a variant relate: a tap is real, or one of a complex-conjugate pair
// (V[tap] = conj(V[rep]) for the non-representative member). Only representatives are computed.
struct TapInfo {
    int rep = 0;        // representative tap (flat index i*n+j); == self for real taps and reps
    bool real = true;   // the transformed values at this tap are real
    bool conj = false;  // this tap is the conjugate of `rep` (not computed)
};

// One int8 plane of transformed activations: a real tap, the real or imaginary part of a
// complex tap, or (cf43 only) the Gauss operand re+im, quantized with its own scale.
enum class ActPart { kReal, kRe, kIm, kReIm };
struct ActPlane {
    int tap;
    ActPart part;
};

// One batched GEMM over input channels: acc[q](k, t) = sum_c W[q](k, c) * X[act](c, t).
// The weight part names what the filter plane holds (see filter_part_value in quantize.h).
enum class WeightPart { kReal, kRe, kIm, kImMinusRe, kRePlusIm };
struct ProdPlane {
    int tap;
    int act;  // index into PlaneLayout::act
    WeightPart weight;
};

// One int8 plane of the requantized product M: a real tap, or the re / im part of a complex
// representative tap, formed as sat(rq(sum_j acc[term[j]] * mult_j)) with one or two terms.
// `sign` is the sign of each term in the exact complex product (folded into the multipliers).
struct OutPlane {
    int tap;
    ActPart part;  // kReal, kRe or kIm
    int nterms;
    int term[2];
    int sign[2];
};

struct PlaneLayout {
    Variant variant;
    int n = 0, m = 0;
    std::vector<TapInfo> taps;    // n*n
    std::vector<ActPlane> act;    // input-transform output planes
    std::vector<ProdPlane> prod;  // GEMMs (= multiplications per tile per (c, k) pair)
    std::vector<OutPlane> out;    // requantized M planes read by the output transform
    // For each tap: index of its plane in `out` for the real / re part and the im part (-1: none).
    std::vector<int> out_re, out_im;
    // For each tap: act plane index of the real/re part, im part, re+im part (-1: none).
    std::vector<int> act_re, act_im, act_reim;
};

const PlaneLayout& plane_layout(Variant v);

// Multiplications per output tile per (input channel, output channel), i.e. prod.size(),
// and output pixels per tile (m*m); direct is 9 per pixel.
int mults_per_tile(Variant v);
int tile_size(Variant v);  // m; 1 for direct

}  // namespace winoq
