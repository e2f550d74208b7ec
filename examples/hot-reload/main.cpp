// Hot reload in a service: two worker threads evaluate a decision while the policy files change
// under them. Each worker keeps its handles (Decision, Facts, Evaluator) for one version and
// re-resolves them when generation() moves; every reload, accepted or refused, is reported by
// on_reload. A refused edit (it does not compile, or its own tests fail) leaves the previous
// version serving, so the workers never see an error.
//
//   hot-reload POLICY_DIR CASE.json RELOADS
//
// Runs until RELOADS reload attempts have been reported (or 60 s have passed), then prints what
// the workers saw. scripts/embed-examples.sh edits the files while it runs.
#include <policy/policy.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace api = policy::api;

namespace {

constexpr const char* kDecision = "hk.employment.part_time_max_hours_per_week";

auto ReadFile(const char* path) -> std::string {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What one worker saw: how many evaluations, how many failed, and which versions answered.
struct WorkerReport {
  uint64_t evaluations = 0;
  uint64_t errors = 0;
  std::set<uint64_t> versions;
  std::string first_error;
  std::atomic<uint64_t> latest{0};  // the version of its last answer, read by main() while it runs
};

// The handles of one version. A Decision, Facts and Evaluator from different versions refuse to
// work together (kStale), so they are replaced together.
struct Handles {
  api::PolicySet set;
  api::Decision decision;
  api::Facts facts;
  api::Evaluator evaluator;
};

auto Resolve(const api::PolicySet& set, const std::string& case_json) -> api::Result<Handles> {
  auto decision = set.decision(kDecision);
  if (!decision) {
    return decision.error();
  }
  auto facts = decision->FactsFromJson(case_json, "case");
  if (!facts) {
    return facts.error();
  }
  return Handles{set, std::move(*decision), std::move(*facts), api::Evaluator(set)};
}

void Work(const api::LivePolicySet& live, const std::string& case_json, const std::atomic<bool>& stop,
          WorkerReport& report) {
  const api::Date as_of = std::chrono::year{2025} / 9 / 1;
  uint64_t generation = live.generation();
  auto handles = Resolve(live.current(), case_json);
  while (!stop.load(std::memory_order_relaxed)) {
    // Cheap: one atomic load. Only when it moves are the handles resolved again.
    if (const uint64_t now = live.generation(); now != generation) {
      generation = now;
      handles = Resolve(live.current(), case_json);
    }
    ++report.evaluations;
    if (!handles) {
      ++report.errors;
      report.first_error = handles.error().message;
      continue;
    }
    const api::Decided d = handles->evaluator.Decide(handles->decision, handles->facts, as_of);
    if (!d || d.value.kind() != api::Kind::kInt) {
      ++report.errors;
      if (report.first_error.empty()) {
        report.first_error = d ? "not an Int" : std::string(api::ErrorCodeName(*d.error));
      }
      continue;
    }
    report.versions.insert(handles->set.version());
    report.latest.store(handles->set.version(), std::memory_order_release);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: hot-reload POLICY_DIR CASE.json RELOADS\n";
    return 2;
  }
  const std::string case_json = ReadFile(argv[2]);
  const int wanted = std::atoi(argv[3]);

  std::mutex mutex;
  std::condition_variable reported;
  int reloads = 0;
  api::ReloadOptions options;
  options.on_reload = [&](const api::ReloadEvent& event) {
    // On the watcher thread: log, and let main() know.
    if (event.swapped) {
      std::cout << "reload: version " << event.version << " serving" << std::endl;
    } else {
      const api::Error& e = *event.error;
      std::cout << "reload refused (" << api::ErrorCodeName(e.code) << "), version " << event.version
                << " still serving: " << e.message.substr(0, e.message.find('\n')) << std::endl;
    }
    const std::lock_guard lock(mutex);
    ++reloads;
    reported.notify_all();
  };
  auto live = api::LivePolicySet::Start({argv[1]}, options);
  if (!live) {
    std::cerr << "error: " << live.error().message << "\n";
    return 1;
  }
  std::cout << "serving version " << (*live)->current().version() << std::endl;

  std::atomic<bool> stop{false};
  std::vector<WorkerReport> reports(2);
  std::vector<std::thread> workers;
  for (WorkerReport& report : reports) {
    workers.emplace_back([&] { Work(**live, case_json, stop, report); });
  }
  {
    std::unique_lock lock(mutex);
    reported.wait_for(lock, std::chrono::seconds(60), [&] { return reloads >= wanted; });
  }
  // Every worker answers on the version serving now before they stop (a loaded machine may not
  // have scheduled one since the swap).
  const uint64_t final_version = (*live)->current().version();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (const WorkerReport& report : reports) {
    while (report.latest.load(std::memory_order_acquire) != final_version &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  stop = true;
  for (std::thread& t : workers) {
    t.join();
  }
  uint64_t errors = 0;
  for (size_t i = 0; i < reports.size(); ++i) {
    const WorkerReport& r = reports[i];
    errors += r.errors;
    std::cout << "worker " << i + 1 << ": " << (r.evaluations > 0 ? "evaluated" : "idle") << ", " << r.errors
              << " errors, versions seen:";
    for (const uint64_t v : r.versions) {
      std::cout << " " << v;
    }
    std::cout << (r.first_error.empty() ? "" : ", first error: " + r.first_error) << "\n";
  }
  std::cout << reloads << " reload(s) reported; final version " << (*live)->current().version() << "\n";
  return errors == 0 && reloads >= wanted ? 0 : 1;
}
