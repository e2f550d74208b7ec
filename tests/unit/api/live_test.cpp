// Hot reload (LivePolicySet): a bad edit never replaces a good version, a good one does, both
// through inotify and ReloadNow(), and evaluation goes on in other threads throughout (this
// binary is also run under ThreadSanitizer: scripts/test.sh --tsan).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "policy/policy.hpp"

namespace policy::api {
namespace {

namespace fs = std::filesystem;

// A one-decision policy whose answer is `value`, with a test that says so (or, with
// `broken_test`, a test that fails).
auto PolicyText(int value, bool broken_test = false) -> std::string {
  return "module live\n"
         "record Case { hours: Int }\n"
         "decision limit(c: Case) -> Int\n"
         "  rule r when c.hours >= 0 then " +
         std::to_string(value) +
         "\n"
         "test \"limit\" {\n"
         "  expect limit(Case { hours: 1 }) == " +
         std::to_string(broken_test ? value + 1 : value) + "\n}\n";
}

void WriteAtomically(const fs::path& file, const std::string& text) {
  // As editors do: write a temporary file, then rename it over the old one.
  const fs::path tmp = file.parent_path() / (".tmp-" + file.filename().string());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
  }
  fs::rename(tmp, file);
}

class LiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("policy-live-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    file_ = dir_ / "live.policy";
    WriteAtomically(file_, PolicyText(20));
  }
  void TearDown() override { fs::remove_all(dir_); }

  static auto Evaluate(const PolicySet& set) -> Result<int64_t> {
    auto d = set.decision("live.limit");
    if (!d) {
      return d.error();
    }
    auto facts = d->NewFacts();
    if (Status s = facts->Set(*d->field("hours"), 3); !s) {
      return s.error();
    }
    Evaluator ev(set);
    auto r = ev.Evaluate(*d, *facts, std::chrono::year{2025} / 1 / 1);
    if (!r) {
      return r.error();
    }
    return r->value.as_int();
  }

  fs::path dir_;
  fs::path file_;
};

// Collects reload events from the watcher thread.
struct Events {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<ReloadEvent> events;

  auto Callback() -> std::function<void(const ReloadEvent&)> {
    return [this](const ReloadEvent& e) {
      std::lock_guard lock(mutex);
      events.push_back(e);
      changed.notify_all();
    };
  }
  // Waits for the `n`th event (1-based); false on timeout.
  auto WaitFor(size_t n) -> bool {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(30), [&] { return events.size() >= n; });
  }
  auto At(size_t i) -> ReloadEvent {
    std::lock_guard lock(mutex);
    return events.at(i);
  }
};

TEST_F(LiveTest, FileChangesAreFollowedAndBadEditsRefused) {
  Events events;
  ReloadOptions options;
  options.debounce = std::chrono::milliseconds(50);
  options.on_reload = events.Callback();
  auto live = LivePolicySet::Start({dir_.string()}, options);
  ASSERT_TRUE(live.ok()) << live.error().message;
  const uint64_t first = (*live)->current().version();
  EXPECT_EQ(*Evaluate((*live)->current()), 20);

  // A syntax error: refused, with the location; version 1 keeps serving.
  WriteAtomically(file_, "module live\nrecord Case { hours: Int\n");
  ASSERT_TRUE(events.WaitFor(1));
  ReloadEvent e = events.At(0);
  EXPECT_FALSE(e.swapped);
  ASSERT_TRUE(e.error.has_value());
  EXPECT_EQ(e.error->code, ErrorCode::kCompileFailed);
  EXPECT_NE(e.error->message.find("live.policy:"), std::string::npos) << e.error->message;
  EXPECT_EQ((*live)->current().version(), first);
  EXPECT_EQ(*Evaluate((*live)->current()), 20);
  EXPECT_TRUE((*live)->last_error().has_value());

  // Compiles, but its own test fails: refused too.
  WriteAtomically(file_, PolicyText(25, /*broken_test=*/true));
  ASSERT_TRUE(events.WaitFor(2));
  e = events.At(1);
  EXPECT_FALSE(e.swapped);
  ASSERT_TRUE(e.error.has_value());
  EXPECT_EQ(e.error->code, ErrorCode::kTestsFailed);
  EXPECT_EQ(*Evaluate((*live)->current()), 20);

  // A good edit replaces it.
  WriteAtomically(file_, PolicyText(25));
  ASSERT_TRUE(events.WaitFor(3));
  e = events.At(2);
  EXPECT_TRUE(e.swapped);
  EXPECT_FALSE(e.error.has_value());
  EXPECT_NE((*live)->current().version(), first);
  EXPECT_EQ(*Evaluate((*live)->current()), 25);
  EXPECT_FALSE((*live)->last_error().has_value());
}

TEST_F(LiveTest, InFlightEvaluationsFinishOnTheirVersion) {
  ReloadOptions options;
  auto live = LivePolicySet::Start({dir_.string()}, options);
  ASSERT_TRUE(live.ok());
  // A request takes the current version, then a reload happens: the request still sees 20.
  const PolicySet held = (*live)->current();
  WriteAtomically(file_, PolicyText(30));
  const ReloadEvent e = (*live)->ReloadNow();
  ASSERT_TRUE(e.swapped) << (e.error ? e.error->message : "");
  EXPECT_EQ(*Evaluate(held), 20);
  EXPECT_EQ(*Evaluate((*live)->current()), 30);
  // Handles of the old version are refused by an evaluator of the new one.
  auto old_decision = held.decision("live.limit");
  auto old_facts = old_decision->NewFacts();
  Evaluator ev((*live)->current());
  EXPECT_EQ(ev.Evaluate(*old_decision, *old_facts, std::chrono::year{2025} / 1 / 1).error().code,
            ErrorCode::kStale);
}

TEST_F(LiveTest, ADeletedDirectoryKeepsTheLastVersion) {
  auto live = LivePolicySet::Start({dir_.string()}, ReloadOptions{});
  ASSERT_TRUE(live.ok());
  fs::remove(file_);
  const ReloadEvent e = (*live)->ReloadNow();
  EXPECT_FALSE(e.swapped);
  EXPECT_EQ(*Evaluate((*live)->current()), 20);
}

TEST_F(LiveTest, StartFailsCleanlyOnBadPolicies) {
  WriteAtomically(file_, "module live\nthis is not a policy\n");
  auto live = LivePolicySet::Start({dir_.string()}, ReloadOptions{});
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.error().code, ErrorCode::kCompileFailed);
  EXPECT_FALSE(LivePolicySet::Start({(dir_ / "missing").string()}, ReloadOptions{}).ok());
}

TEST_F(LiveTest, ConcurrentEvaluationDuringReloads) {
  // Readers evaluate continuously while the policy flips between 20 and 40 and bad edits come
  // and go. Every answer must come from a version that was valid: 20 or 40, never an error.
  ReloadOptions options;
  options.debounce = std::chrono::milliseconds(5);
  auto live = LivePolicySet::Start({dir_.string()}, options);
  ASSERT_TRUE(live.ok());
  LivePolicySet& l = **live;
  std::atomic<bool> stop{false};
  std::atomic<long> evaluations{0};
  std::atomic<long> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      uint64_t seen_generation = 0;
      PolicySet set;
      Decision d;
      Field hours;
      std::optional<Facts> facts;
      Evaluator ev;
      while (!stop.load()) {
        // Re-resolve handles only when the generation moves (the cheap check).
        if (l.generation() != seen_generation) {
          seen_generation = l.generation();
          set = l.current();
          d = *set.decision("live.limit");
          hours = *d.field("hours");
          facts.emplace(std::move(*d.NewFacts()));
          (void)facts->Set(hours, 3);
          ev = Evaluator(set);
        }
        auto r = ev.Evaluate(d, *facts, std::chrono::year{2025} / 1 / 1);
        if (!r || (r->value.as_int() != 20 && r->value.as_int() != 40)) {
          ++wrong;
        }
        ++evaluations;
      }
    });
  }
  int swaps = 0;
  for (int i = 0; i < 20; ++i) {
    WriteAtomically(file_,
                    i % 3 == 2 ? std::string("module live\nbroken") : PolicyText(i % 2 == 0 ? 40 : 20));
    const ReloadEvent e = l.ReloadNow();
    swaps += e.swapped ? 1 : 0;
    EXPECT_EQ(e.swapped, i % 3 != 2) << i;
  }
  stop = true;
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(evaluations.load(), 0);
  EXPECT_GE(swaps, 13);
}

}  // namespace
}  // namespace policy::api
