// Embedding the engine in a C++ service: load once, resolve names once, then evaluate many
// times on facts set through typed handles, with an explanation when one is wanted.
//
//   embed-cpp POLICY_DIR CASE.json
#include <policy/policy.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace api = policy::api;

namespace {

auto ReadFile(const char* path) -> std::string {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every failure is a value: print it with its diagnostics and stop.
auto Fail(const api::Error& e) -> int {
  std::cerr << "error (" << api::ErrorCodeName(e.code) << "): " << e.message << "\n";
  for (const api::Diagnostic& d : e.diagnostics) {
    std::cerr << d.rendered;
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: embed-cpp POLICY_DIR CASE.json\n";
    return 2;
  }
  // 1. Compile the policies once. The set is immutable and may be shared by any number of threads.
  auto set = api::PolicySet::Load({argv[1]});
  if (!set) {
    return Fail(set.error());
  }
  // 2. Resolve the decision and the facts it will be asked about, once.
  auto decision = set->decision("hk.employment.part_time_on_campus_allowed");
  if (!decision) {
    return Fail(decision.error());
  }
  auto exchange = decision->field("exchange.is_exchange_student");
  auto mode = decision->field("programme.mode");
  if (!exchange || !mode) {
    return Fail(exchange ? mode.error() : exchange.error());
  }
  auto part_time = decision->enum_value(*mode, "part_time");
  if (!part_time) {
    return Fail(part_time.error());
  }
  // 3. The case: read from JSON here; a service may instead set every fact through fields.
  auto facts = decision->FactsFromJson(ReadFile(argv[2]), argv[2]);
  if (!facts) {
    return Fail(facts.error());
  }
  // 4. Evaluate as of a date, with one Evaluator per thread.
  api::Evaluator evaluator(*set);
  const api::Date as_of = std::chrono::year{2025} / 9 / 1;
  auto outcome = evaluator.Evaluate(*decision, *facts, as_of, api::Explain::kText);
  if (!outcome) {
    return Fail(outcome.error());
  }
  std::cout << decision->name() << " = " << outcome->value.to_string() << "\n\n"
            << outcome->explanation << "\n";

  // What if the student were on exchange, or studying part-time? Typed facts, no string lookups.
  if (auto s = facts->Set(*exchange, true); !s) {
    return Fail(s.error());
  }
  auto on_exchange = evaluator.Evaluate(*decision, *facts, as_of);
  if (!on_exchange) {
    return Fail(on_exchange.error());
  }
  std::cout << "as an exchange student: " << on_exchange->value.to_string() << "\n";
  (void)facts->Set(*exchange, false);
  (void)facts->Set(*mode, *part_time);
  auto part_timer = evaluator.Evaluate(*decision, *facts, as_of);
  if (!part_timer) {
    return Fail(part_timer.error());
  }
  std::cout << "studying part-time: " << part_timer->value.to_string() << "\n";

  // Bad input is an error value, never a crash: a misspelt decision.
  auto typo = set->decision("hk.employment.part_time_on_campus_alowed");
  std::cout << "misspelt decision: " << (typo ? "found?!" : typo.error().message) << "\n";
  return 0;
}
