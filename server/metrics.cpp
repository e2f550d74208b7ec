#include "server/metrics.h"

#include <fmt/format.h>

namespace policy::server {
namespace {

constexpr std::array<std::string_view, kEndpointCount> kEndpointNames = {
    "decision", "partial", "batch", "decisions", "health", "metrics", "other"};

auto StatusIndex(int status) -> size_t {
  for (size_t i = 0; i + 1 < Metrics::kStatuses.size(); ++i) {
    if (Metrics::kStatuses[i] == status) {
      return i;
    }
  }
  return Metrics::kStatuses.size() - 1;
}

}  // namespace

void Metrics::CountRequest(Endpoint endpoint, int status, std::chrono::nanoseconds elapsed) {
  PerEndpoint& e = endpoints_[static_cast<size_t>(endpoint)];
  e.by_status[StatusIndex(status)].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) {
    ++bucket;
  }
  e.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  e.sum_ns.fetch_add(static_cast<uint64_t>(elapsed.count()), std::memory_order_relaxed);
}

void Metrics::CountError(std::string_view code) {
  std::lock_guard lock(errors_mutex_);
  auto it = errors_.find(code);
  if (it == errors_.end()) {
    errors_.emplace(std::string(code), 1);
  } else {
    ++it->second;
  }
}

void Metrics::CountReload(bool swapped) {
  (swapped ? reloads_ok_ : reloads_refused_).fetch_add(1, std::memory_order_relaxed);
}

auto Metrics::Render(std::string_view revision, uint64_t generation) const -> std::string {
  std::string out;
  auto to = std::back_inserter(out);
  fmt::format_to(to, "# HELP policy_requests_total HTTP requests answered, by endpoint and status.\n");
  fmt::format_to(to, "# TYPE policy_requests_total counter\n");
  for (size_t e = 0; e < kEndpointCount; ++e) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t n = endpoints_[e].by_status[s].load(std::memory_order_relaxed);
      if (n != 0) {
        const std::string status = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
        fmt::format_to(to, "policy_requests_total{{endpoint=\"{}\",status=\"{}\"}} {}\n", kEndpointNames[e],
                       status, n);
      }
    }
  }
  fmt::format_to(to,
                 "# HELP policy_request_duration_seconds Time from a request read to its response ready.\n");
  fmt::format_to(to, "# TYPE policy_request_duration_seconds histogram\n");
  for (size_t e = 0; e < kEndpointCount; ++e) {
    const PerEndpoint& p = endpoints_[e];
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += p.buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets.size()) {
        fmt::format_to(to, "policy_request_duration_seconds_bucket{{endpoint=\"{}\",le=\"{}\"}} {}\n",
                       kEndpointNames[e], kBuckets[b], cumulative);
      } else {
        fmt::format_to(to, "policy_request_duration_seconds_bucket{{endpoint=\"{}\",le=\"+Inf\"}} {}\n",
                       kEndpointNames[e], cumulative);
      }
    }
    fmt::format_to(to, "policy_request_duration_seconds_sum{{endpoint=\"{}\"}} {:.9f}\n", kEndpointNames[e],
                   static_cast<double>(p.sum_ns.load(std::memory_order_relaxed)) / 1e9);
    fmt::format_to(to, "policy_request_duration_seconds_count{{endpoint=\"{}\"}} {}\n", kEndpointNames[e],
                   cumulative);
  }
  fmt::format_to(to, "# HELP policy_decisions_total Decisions evaluated (each request of a batch counts).\n");
  fmt::format_to(to, "# TYPE policy_decisions_total counter\n");
  fmt::format_to(to, "policy_decisions_total {}\n", decisions_.load(std::memory_order_relaxed));
  fmt::format_to(to, "# HELP policy_errors_total Error answers, by diagnostic code.\n");
  fmt::format_to(to, "# TYPE policy_errors_total counter\n");
  {
    std::lock_guard lock(errors_mutex_);
    for (const auto& [code, n] : errors_) {
      fmt::format_to(to, "policy_errors_total{{code=\"{}\"}} {}\n", code, n);
    }
  }
  fmt::format_to(to,
                 "# HELP policy_reloads_total Hot reloads, by result (swapped, or refused: the old set kept "
                 "serving).\n");
  fmt::format_to(to, "# TYPE policy_reloads_total counter\n");
  fmt::format_to(to, "policy_reloads_total{{result=\"swapped\"}} {}\n",
                 reloads_ok_.load(std::memory_order_relaxed));
  fmt::format_to(to, "policy_reloads_total{{result=\"refused\"}} {}\n",
                 reloads_refused_.load(std::memory_order_relaxed));
  fmt::format_to(to, "# HELP policy_generation Policy sets published since start (0: none loaded yet).\n");
  fmt::format_to(to, "# TYPE policy_generation gauge\n");
  fmt::format_to(to, "policy_generation {}\n", generation);
  fmt::format_to(to, "# HELP policy_revision_info The revision serving (a hash of the policy sources).\n");
  fmt::format_to(to, "# TYPE policy_revision_info gauge\n");
  if (!revision.empty()) {
    fmt::format_to(to, "policy_revision_info{{revision=\"{}\"}} 1\n", revision);
  }
  fmt::format_to(
      to,
      "# HELP policy_decision_log_dropped_total Decision log lines dropped because the disk fell behind.\n");
  fmt::format_to(to, "# TYPE policy_decision_log_dropped_total counter\n");
  fmt::format_to(to, "policy_decision_log_dropped_total {}\n", log_dropped_.load(std::memory_order_relaxed));
  return out;
}

}  // namespace policy::server
