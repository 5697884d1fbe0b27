#include "kernel_tuner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <stdexcept>

#include "child_process.h"
#include "jit_pipeline.h"
#include "knob_space.h"
#include "machine_info.h"
#include "model_layers.h"
#include "tuning_log.h"
#include "winoq/analysis/random_layer.h"
#include "winoq/numerics/reference.h"

namespace winoq::tune {
namespace {

using Clock = std::chrono::steady_clock;
using kernels::detail::PipelineFn;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// One shape of one family: its random layer packed by the runtime's engine, the reference
// output, and how many calls one timed round makes.
struct ShapeBench {
    ConvShape shape;
    std::string key;
    std::unique_ptr<kernels::detail::ConvEngine> engine;
    std::vector<int8_t> input, want, got;
    int calls = 0;  // 0: not calibrated yet
};

ShapeBench make_bench(const KernelFamily& f, const ConvShape& s) {
    ShapeBench b;
    b.shape = s;
    b.key = shape_key(s);
    const bench::RandomLayer layer = bench::make_random_layer(s, 0x5eed ^ uint32_t(s.C * 131 + s.H * 7 + s.kernel));
    b.input = layer.input;
    b.want.resize(s.out_size());
    b.got.resize(s.out_size());
    if (f.variant == Variant::kDirect) {
        const DirectConvParams p = bench::direct_params(layer);
        reference::direct_conv(p, b.input.data(), nullptr, b.want.data());
        b.engine = kernels::detail::make_direct_engine(p);
    } else {
        const WinogradConvParams p = bench::winograd_params(f.variant, layer);
        reference::winograd_conv(p, b.input.data(), nullptr, b.want.data());
        b.engine = kernels::detail::make_winograd_engine(p);
    }
    return b;
}

double time_round(ShapeBench& b, const PipelineFn& fn) {
    b.engine->use_pipeline(fn);
    const Clock::time_point t0 = Clock::now();
    for (int i = 0; i < b.calls; ++i) b.engine->run(b.input.data(), nullptr, b.got.data());
    return ms_since(t0) / b.calls;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Rounds of the candidate and the hand schedule, alternating which goes first.
void measure(ShapeBench& b, const PipelineFn& cand, const PipelineFn& hand, const TuneOptions& o, LogEntry& e) {
    b.engine->use_pipeline(cand);
    b.engine->run(b.input.data(), nullptr, b.got.data());  // also the candidate's warm-up
    if (b.got != b.want) {
        size_t n = 0;
        for (size_t i = 0; i < b.got.size(); ++i) n += b.got[i] != b.want[i];
        e.status = "mismatch";
        e.error = std::to_string(n) + " of " + std::to_string(b.got.size()) + " outputs differ from the reference";
        return;
    }
    if (b.calls == 0) {  // calibrate on the hand schedule: rounds of about min_round_ms
        b.calls = 1;
        time_round(b, hand);
        const double one = time_round(b, hand);
        b.calls = std::clamp(int(std::ceil(o.min_round_ms / std::max(one, 1e-4))), 1, 10000);
    }
    std::vector<double> c, h;
    for (int r = 0; r < o.repetitions; ++r) {
        if (r % 2) c.push_back(time_round(b, cand));
        h.push_back(time_round(b, hand));
        if (r % 2 == 0) c.push_back(time_round(b, cand));
    }
    e.status = "ok";
    e.median_ms = median(c);
    e.hand_median_ms = median(h);
    e.spread = (*std::max_element(c.begin(), c.end()) - *std::min_element(c.begin(), c.end())) / e.median_ms;
    e.repetitions = o.repetitions;
}

int threads() {
    const char* t = std::getenv("HL_NUM_THREADS");
    return t ? std::atoi(t) : 0;  // 0: Halide's default (one per core)
}

// A log entry of this machine, not measured yet.
LogEntry new_entry(const MachineInfo& mi, const std::string& family, const std::string& shape,
                   const std::string& spelled) {
    LogEntry e;
    e.cpu = mi.cpu;
    e.features = mi.features;
    e.target = mi.target;
    e.halide_target = mi.halide_target;
    e.variant = family;
    e.shape = shape;
    e.knobs = spelled;
    e.threads = threads();
    return e;
}

std::vector<KernelFamily> families_for(const std::vector<std::string>& variants, const std::vector<ConvShape>& shapes) {
    std::vector<KernelFamily> out;
    for (const std::string& v : variants) {
        const std::optional<Variant> var = parse_variant(v);
        if (!var)
            throw std::invalid_argument("winoq-tune: unknown variant '" + v + "' (direct, f23, f43, cf43, cf43m4)");
        if (*var != Variant::kDirect) {
            out.push_back(winograd_family(*var));
            continue;
        }
        std::set<std::pair<int, int>> ks;
        for (const ConvShape& s : shapes)
            if (variant_applies(Variant::kDirect, s)) ks.insert({s.kernel, s.stride});
        for (const auto& [k, s] : ks) out.push_back(direct_family(k, s));
    }
    return out;
}

std::string clock_text(double ms) {
    const int s = int(ms / 1000);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", s / 60, s % 60);
    return buf;
}

// The search over one family until its deadline: the hand schedule, random proposals, then
// mostly one-knob moves from the best candidate of a random shape.
class FamilySearch {
public:
    FamilySearch(const KernelFamily& f, std::vector<ConvShape> shapes, const TuneOptions& o, const MachineInfo& mi,
                 std::map<std::string, LogEntry>& done, LogWriter& log, std::ostream& progress)
        : f_(f),
          shapes_(std::move(shapes)),
          o_(o),
          mi_(mi),
          done_(done),
          log_(log),
          progress_(progress),
          rng_(o.seed ^ uint32_t(std::hash<std::string>{}(f.label))),
          best_(shapes_.size()),
          best_cand_(shapes_.size()) {
        for (size_t i = 0; i < shapes_.size(); ++i) {
            best_[i].variant = f.label;
            best_[i].shape = shape_key(shapes_[i]);
        }
    }

    void run(Clock::time_point start, Clock::time_point deadline, double budget_ms) {
        int proposals = 0;
        for (int dup = 0; Clock::now() < deadline && dup < 300;) {
            const Candidate c = propose(proposals);
            const std::string spelled = format_params(c.knobs(f_));
            if (!proposed_.insert(spelled).second) {
                ++dup;
                continue;
            }
            dup = 0;
            ++proposals;
            const int fresh = evaluate(c, spelled);
            report(proposals, spelled, fresh, ms_since(start), budget_ms);
            if (proposals == 1) run_baselines();
        }
    }

    const std::vector<TuneResult>& results() const { return best_; }

private:
    Candidate propose(int proposals) {
        if (proposals == 0) return hand_candidate(f_);
        std::vector<size_t> with_best;
        for (size_t i = 0; i < best_.size(); ++i)
            if (best_[i].median_ms > 0) with_best.push_back(i);
        if (proposals <= 4 || with_best.empty() || rng_() % 3 == 0) return random_candidate(f_, rng_);
        const size_t s = with_best[std::uniform_int_distribution<size_t>(0, with_best.size() - 1)(rng_)];
        return mutate(f_, best_cand_[s], rng_);
    }

    // The autoscheduler baselines, one per shape (their estimates are the shape's), each measured
    // by a child process with a time limit.
    void run_baselines() {
        for (const std::string& a : o_.baselines)
            for (size_t i = 0; i < shapes_.size(); ++i) {
                const ConvShape& s = shapes_[i];
                const GeneratorParams knobs = {{"autoscheduler", a},           {"est_c", std::to_string(s.C)},
                                               {"est_k", std::to_string(s.K)}, {"est_w", std::to_string(s.W)},
                                               {"est_h", std::to_string(s.H)}, {"est_n", std::to_string(s.N)}};
                LogEntry e = entry_for(shape_key(s), format_params(knobs));
                if (const auto it = done_.find(e.key()); it != done_.end()) {
                    e = it->second;
                } else {
                    e = measure_in_child(e);
                    log_.append(e);
                    done_[e.key()] = e;
                }
                if (e.status == "ok") best_[i].baseline_ms[a] = e.median_ms;
                progress_ << "winoq-tune " << f_.label << " " << a << " on " << e.shape << ": "
                          << (e.status == "ok" ? std::to_string(e.hand_median_ms / e.median_ms) + "x hand"
                                               : e.status + " " + e.error.substr(0, 80))
                          << "\n"
                          << std::flush;
            }
    }

    LogEntry measure_in_child(LogEntry e) const {
        const std::string exe = o_.measure_exe.empty() ? self_executable() : o_.measure_exe;
        const ChildResult r =
            run_child({exe, "measure", "--family", f_.label, "--shape", e.shape, "--knobs", e.knobs, "--repetitions",
                       std::to_string(o_.repetitions), "--round-ms", std::to_string(o_.min_round_ms)},
                      o_.baseline_timeout_s);
        e.date = utc_now_iso8601();
        if (r.timed_out) {
            e.status = "timeout";
            e.error = "not compiled and measured within " + std::to_string(int(o_.baseline_timeout_s)) +
                      " s (--baseline-timeout)";
            return e;
        }
        try {
            LogEntry got = parse_log_line(r.out.substr(0, r.out.find('\n')));
            if (got.key() == e.key()) return got;
        } catch (const std::invalid_argument&) {
        }
        e.status = "invalid";
        e.error = (r.exit_code < 0 ? "the measuring process crashed"
                                   : "the measuring process exited with code " + std::to_string(r.exit_code)) +
                  (r.error.empty() ? "" : ": " + r.error);
        return e;
    }

    // Measures c on every shape the log does not already hold; returns how many it measured.
    int evaluate(const Candidate& c, const std::string& spelled) {
        std::vector<size_t> todo;
        last_.assign(shapes_.size(), LogEntry{});
        for (size_t i = 0; i < shapes_.size(); ++i) {
            const LogEntry key = entry_for(shape_key(shapes_[i]), spelled);
            auto it = done_.find(key.key());
            if (it != done_.end())
                last_[i] = it->second;
            else
                todo.push_back(i);
        }
        if (!todo.empty()) measure_shapes(c, spelled, todo);
        for (size_t i = 0; i < shapes_.size(); ++i) {
            const LogEntry& e = last_[i];
            if (e.status != "ok") continue;
            ++best_[i].candidates;
            if (best_[i].median_ms == 0 || e.median_ms < best_[i].median_ms) {
                best_[i].median_ms = e.median_ms;
                best_[i].hand_median_ms = e.hand_median_ms;
                best_[i].knobs = spelled;
                best_cand_[i] = c;
            }
        }
        return int(todo.size());
    }

    void measure_shapes(const Candidate& c, const std::string& spelled, const std::vector<size_t>& todo) {
        prepare();
        std::unique_ptr<JitPipeline> jit;
        std::string error;
        const GeneratorParams knobs = c.knobs(f_);
        try {
            if (!knobs.empty()) jit = compile(knobs);
        } catch (const std::exception& ex) {
            error = ex.what();
        }
        for (size_t i : todo) {
            LogEntry e = entry_for(benches_[i].key, spelled);
            if (!error.empty()) {
                e.status = "invalid";
                e.error = error;
            } else {
                measure(benches_[i], jit ? jit->fn() : hand_->fn(), hand_->fn(), o_, e);
            }
            e.date = utc_now_iso8601();
            log_.append(e);
            done_[e.key()] = e;
            last_[i] = e;
        }
    }

    // The benches and the hand schedule, made the first time something must be measured.
    void prepare() {
        if (hand_) return;
        for (const ConvShape& s : shapes_) benches_.push_back(make_bench(f_, s));
        hand_ = compile({});
    }

    std::unique_ptr<JitPipeline> compile(const GeneratorParams& knobs) const {
        GeneratorParams all = f_.algorithm;
        all.insert(knobs.begin(), knobs.end());
        return std::make_unique<JitPipeline>(f_.generator, all, mi_.halide_target);
    }

    LogEntry entry_for(const std::string& shape, const std::string& spelled) const {
        return new_entry(mi_, f_.label, shape, spelled);
    }

    void report(int n, const std::string& spelled, int fresh, double elapsed_ms, double budget_ms) {
        double log_ratio = 0, log_best = 0;
        int ok = 0;
        for (size_t i = 0; i < shapes_.size(); ++i) {
            if (last_[i].status != "ok" || best_[i].median_ms <= 0) continue;
            log_ratio += std::log(last_[i].hand_median_ms / last_[i].median_ms);
            log_best += std::log(best_[i].hand_median_ms / best_[i].median_ms);
            ++ok;
        }
        progress_ << "winoq-tune [" << clock_text(elapsed_ms) << " / " << clock_text(budget_ms) << "] " << f_.label
                  << " #" << n << " (" << spelled << "): ";
        if (ok == 0)
            progress_ << (last_.empty() ? "" : last_[0].status) << " "
                      << (last_.empty() ? "" : last_[0].error.substr(0, 80));
        else
            progress_ << std::exp(log_ratio / ok) << "x hand, best so far " << std::exp(log_best / ok) << "x";
        progress_ << " (geometric mean over " << ok << " shapes" << (fresh == 0 ? ", from the log" : "") << ")\n"
                  << std::flush;
    }

    const KernelFamily& f_;
    std::vector<ConvShape> shapes_;
    const TuneOptions& o_;
    const MachineInfo& mi_;
    std::map<std::string, LogEntry>& done_;
    LogWriter& log_;
    std::ostream& progress_;
    std::mt19937 rng_;
    std::set<std::string> proposed_;
    std::vector<TuneResult> best_;
    std::vector<Candidate> best_cand_;
    std::vector<LogEntry> last_;
    std::vector<ShapeBench> benches_;
    std::unique_ptr<JitPipeline> hand_;
};

}  // namespace

std::vector<TuneResult> tune_kernels(const std::vector<ConvShape>& shapes, const TuneOptions& o,
                                     std::ostream& progress) {
    if (o.log_path.empty()) throw std::invalid_argument("winoq-tune: --log FILE is required");
    if (o.repetitions < 1) throw std::invalid_argument("winoq-tune: --repetitions must be at least 1");
    if (!(o.budget_minutes > 0)) throw std::invalid_argument("winoq-tune: --budget must be positive");
    const MachineInfo mi = this_machine();
    const std::vector<LogEntry> old = read_log(o.log_path);
    if (!old.empty() && !o.resume)
        throw std::invalid_argument(o.log_path + " already holds " + std::to_string(old.size()) +
                                    " measurements: give --resume to continue it, or another --log");
    std::map<std::string, LogEntry> done;
    for (const LogEntry& e : old) done[e.key()] = e;
    LogWriter log(o.log_path);

    std::vector<KernelFamily> families = families_for(o.variants, shapes);
    std::vector<std::vector<ConvShape>> family_shapes;
    double weights = 0;
    for (const KernelFamily& f : families) {
        std::vector<ConvShape> mine;
        std::set<std::string> seen;
        for (const ConvShape& s : shapes)
            if (f.applies_to(s) && seen.insert(shape_key(s)).second) mine.push_back(s);
        if (!mine.empty()) weights += f.budget_weight;
        family_shapes.push_back(mine);
    }
    std::vector<TuneResult> out;
    const Clock::time_point start = Clock::now();
    const double budget_ms = o.budget_minutes * 60e3;
    double used = 0;  // weights of the families before this one
    for (size_t i = 0; i < families.size(); ++i) {
        const std::vector<ConvShape>& mine = family_shapes[i];
        if (mine.empty()) continue;
        used += families[i].budget_weight;
        const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double, std::milli>(budget_ms * used / weights));
        FamilySearch search(families[i], mine, o, mi, done, log, progress);
        search.run(start, deadline, budget_ms);
        out.insert(out.end(), search.results().begin(), search.results().end());
    }
    return out;
}

LogEntry measure_one(const std::string& family, const ConvShape& s, const GeneratorParams& knobs,
                     const TuneOptions& o) {
    KernelFamily f;
    if (!family_from_label(family, f)) throw std::invalid_argument("unknown kernel family '" + family + "'");
    if (!f.applies_to(s)) throw std::invalid_argument(shape_key(s) + " is not a shape of family " + family);
    const MachineInfo mi = this_machine();
    LogEntry e = new_entry(mi, f.label, shape_key(s), format_params(knobs));
    ShapeBench b = make_bench(f, s);
    const JitPipeline hand(f.generator, f.algorithm, mi.halide_target);
    GeneratorParams all = f.algorithm;
    all.insert(knobs.begin(), knobs.end());
    try {
        const JitPipeline cand(f.generator, all, mi.halide_target);
        measure(b, cand.fn(), hand.fn(), o, e);
    } catch (const std::exception& ex) {  // the generator or the autoscheduler refused the candidate
        e.status = "invalid";
        e.error = ex.what();
    }
    e.date = utc_now_iso8601();
    return e;
}

}  // namespace winoq::tune
