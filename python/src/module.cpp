// The `policylang._policylang` extension: the C++ API (policy.hpp) as Python classes.
//
// Only the public API is used, as any embedder would: PolicySet, Decision, Evaluator, Facts from
// JSON, LivePolicySet. What Python adds is conversion (convert.h), errors as exceptions of the
// classes in policylang/errors.py, and evaluate_batch, which encodes the cases with the GIL held
// and evaluates them on every core with it released.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "policy/policy.hpp"
#include "python/src/convert.h"

namespace policy::python {
namespace {

// ---- errors -----------------------------------------------------------------------------------

auto DiagnosticDict(const api::Diagnostic& d) -> py::dict {
  py::dict out;
  out["code"] = d.code;
  out["severity"] = d.severity == api::Severity::kError     ? "error"
                    : d.severity == api::Severity::kWarning ? "warning"
                                                            : "note";
  out["message"] = d.message;
  out["file"] = d.file;
  out["line"] = d.line;
  out["column"] = d.column;
  out["json_path"] = d.json_path;
  out["rendered"] = d.rendered;
  return out;
}

// The exception object for an error: the class policylang.errors maps its code to.
auto MakeException(const api::Error& e, std::optional<size_t> index = std::nullopt) -> py::object {
  py::list diagnostics;
  for (const api::Diagnostic& d : e.diagnostics) {
    diagnostics.append(DiagnosticDict(d));
  }
  const py::object errors = py::module_::import("policylang.errors");
  const py::object cls = errors.attr("error_class")(std::string(api::ErrorCodeName(e.code)));
  py::object exc = cls(e.message, std::string(api::ErrorCodeName(e.code)), diagnostics);
  if (index) {
    exc.attr("index") = *index;
  }
  // A failed evaluation asked to explain itself: explained up to the error, in the form asked
  // for (a JSON tree as lists and dicts, or the text).
  if (!e.explanation.empty()) {
    exc.attr("explanation") =
        e.explanation.front() == '['
            ? py::module_::import("json").attr("loads")(
                  e.explanation, py::arg("parse_float") = py::module_::import("decimal").attr("Decimal"))
            : py::str(e.explanation);
  }
  return exc;
}

[[noreturn]] void Raise(const api::Error& e) {
  const py::object exc = MakeException(e);
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw py::error_already_set();
}

template <typename T>
auto Take(api::Result<T>&& r) -> T {
  if (!r) {
    Raise(r.error());
  }
  return std::move(*r);
}

// ---- dates ------------------------------------------------------------------------------------

// None (today, UTC, as the engine takes it), a datetime.date, or "YYYY-MM-DD".
auto ToDate(const py::object& as_of) -> api::Date {
  if (as_of.is_none()) {
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    return api::Date{today};
  }
  if (py::isinstance<py::str>(as_of)) {
    return Take(api::ParseDate(as_of.cast<std::string>()));
  }
  if (py::isinstance(as_of, Types().date) && !py::hasattr(as_of, "hour")) {
    return api::Date{std::chrono::year{as_of.attr("year").cast<int>()},
                     std::chrono::month{as_of.attr("month").cast<unsigned>()},
                     std::chrono::day{as_of.attr("day").cast<unsigned>()}};
  }
  throw py::type_error("as_of must be a datetime.date, a 'YYYY-MM-DD' str, or None for today");
}

auto DateToPython(api::Date d) -> py::object {
  return Types().date(static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                      static_cast<unsigned>(d.day()));
}

// A case given as a dict (or any JSON-able object), or as JSON text (str or bytes).
auto CaseJson(const py::handle& c) -> std::string {
  if (py::isinstance<py::str>(c)) {
    return c.cast<std::string>();
  }
  if (py::isinstance<py::bytes>(c)) {
    return std::string(c.cast<std::string_view>());
  }
  return ToJson(c);
}

// ---- outcome ----------------------------------------------------------------------------------

struct PyOutcome {
  py::object value;
  bool applicable = false;
  bool in_effect = true;
  std::string value_json;
  py::object explanation;  // None, the JSON explanation as lists and dicts, or the text
  std::string decision;
  py::object as_of;
};

// JSON the engine wrote (an explanation, a partial answer) as lists and dicts, decimals exact.
auto ParseExplanation(const std::string& text) -> py::object {
  const py::object json = py::module_::import("json");
  return json.attr("loads")(text, py::arg("parse_float") = Types().decimal);
}

// ---- decision ---------------------------------------------------------------------------------

// A resolved decision and an Evaluator for the calls made one at a time from Python. The GIL
// serialises those calls, so one evaluator serves every Python thread; evaluate_batch gives each
// of its worker threads one of its own.
struct PyDecision {
  api::Decision decision;
  api::Evaluator evaluator;

  auto Evaluate(const py::handle& c, const py::object& as_of, const py::object& explain) -> PyOutcome {
    api::Explain mode = api::Explain::kNone;
    if (py::isinstance<py::str>(explain)) {
      const auto how = explain.cast<std::string>();
      if (how != "text" && how != "json") {
        throw py::value_error("explain must be False, True (or 'json') or 'text'");
      }
      mode = how == "text" ? api::Explain::kText : api::Explain::kJson;
    } else if (explain.cast<bool>()) {
      mode = api::Explain::kJson;
    }
    const api::Date date = ToDate(as_of);
    const std::string json = CaseJson(c);
    api::Facts facts = Take(decision.FactsFromJson(json, "case"));
    api::Outcome outcome = Take(evaluator.Evaluate(decision, facts, date, mode));
    PyOutcome out;
    out.value = ToPython(outcome.value);
    out.applicable = outcome.applicable;
    out.in_effect = outcome.in_effect;
    out.value_json = outcome.value.to_json();
    out.decision = decision.name();
    out.as_of = DateToPython(date);
    if (mode == api::Explain::kJson) {
      out.explanation = ParseExplanation(outcome.explanation);
    } else if (mode == api::Explain::kText) {
      out.explanation = py::str(outcome.explanation);
    } else {
      out.explanation = py::none();
    }
    return out;
  }

  // `policy eval --partial`: the answer as `--format json` gives it, as dicts and lists.
  auto EvaluatePartial(const py::handle& c, const py::object& as_of, unsigned timeout_ms) -> py::object {
    const api::Date date = ToDate(as_of);
    const std::string json = CaseJson(c);
    api::Result<api::PartialOutcome> result = [&] {
      py::gil_scoped_release release;  // the solver takes milliseconds to seconds
      return decision.EvaluatePartial(json, date, timeout_ms);
    }();
    return ParseExplanation(Take(std::move(result)).json);
  }

  // What a batch worker records per case: the value, or the error that stopped it.
  struct Slot {
    OwnedValue value;
    std::optional<api::Error> error;
  };

  auto EvaluateBatch(const py::iterable& cases, const py::object& as_of, std::optional<unsigned> threads,
                     const std::string& errors) -> py::list {
    if (errors != "raise" && errors != "return") {
      throw py::value_error("errors must be 'raise' or 'return'");
    }
    const api::Date date = ToDate(as_of);
    const unsigned hardware = std::max(1U, std::thread::hardware_concurrency());
    const unsigned workers = std::max(1U, threads.value_or(hardware));
    // Cases are encoded and evaluated a chunk at a time, so memory stays flat in the number of
    // cases: the JSON of one chunk, never of the whole batch.
    constexpr size_t kChunk = 8192;
    py::list results;
    std::vector<std::string> texts;
    std::vector<Slot> slots;
    size_t done = 0;
    auto flush = [&] {
      slots.assign(texts.size(), Slot{});
      {
        py::gil_scoped_release release;
        RunChunk(texts, date, std::min<size_t>(workers, (texts.size() + 63) / 64), slots);
      }
      for (size_t i = 0; i < slots.size(); ++i) {
        if (slots[i].error) {
          py::object exc = MakeException(*slots[i].error, done + i);
          if (errors == "raise") {
            exc.attr("args") =
                py::make_tuple(py::str("case {}: {}").format(done + i, slots[i].error->message));
            PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
            throw py::error_already_set();
          }
          results.append(exc);
        } else {
          results.append(ToPython(slots[i].value));
        }
      }
      done += texts.size();
      texts.clear();
    };
    for (py::handle c : cases) {
      texts.push_back(CaseJson(c));
      if (texts.size() == kChunk) {
        flush();
      }
    }
    if (!texts.empty()) {
      flush();
    }
    return results;
  }

  // Without the GIL: `workers` threads take cases in blocks from a shared counter, each with its
  // own Evaluator (they are per thread) on the decision's version.
  void RunChunk(const std::vector<std::string>& texts, api::Date date, size_t workers,
                std::vector<Slot>& slots) {
    std::atomic<size_t> next{0};
    auto work = [&] {
      api::Evaluator ev(evaluator.policy_set());
      constexpr size_t kBlock = 64;
      for (size_t start = next.fetch_add(kBlock); start < texts.size(); start = next.fetch_add(kBlock)) {
        const size_t end = std::min(texts.size(), start + kBlock);
        for (size_t i = start; i < end; ++i) {
          auto facts = decision.FactsFromJson(texts[i], "case");
          if (!facts) {
            slots[i].error = facts.error();
            continue;
          }
          const api::Decided d = ev.Decide(decision, *facts, date);
          if (!d) {
            // The code alone says little: Evaluate gives the message and diagnostics.
            auto why = ev.Evaluate(decision, *facts, date);
            slots[i].error = why ? api::Error{*d.error, "evaluation failed", {}, {}} : why.error();
            continue;
          }
          slots[i].value = Own(d.value);
        }
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < workers; ++t) {
      pool.emplace_back(work);
    }
    work();
    for (std::thread& t : pool) {
      t.join();
    }
  }
};

// ---- policy set -------------------------------------------------------------------------------

auto MakeLoadOptions(bool include_stdlib, bool require_tests_pass, const py::object& tests_as_of, bool jit)
    -> api::LoadOptions {
  api::LoadOptions options;
  options.include_stdlib = include_stdlib;
  options.require_tests_pass = require_tests_pass;
  if (!tests_as_of.is_none()) {
    options.tests_as_of = ToDate(tests_as_of);
  }
  options.jit = jit;
  return options;
}

auto ResolveDecision(const api::PolicySet& set, const std::string& name) -> PyDecision {
  api::Decision d = Take(set.decision(name));
  return PyDecision{std::move(d), api::Evaluator(set)};
}

auto Parameters(const api::PolicySet& set, const py::object& as_of) -> py::list {
  const api::Date date = ToDate(as_of);
  py::list out;
  const py::object json = py::module_::import("json");
  for (const api::ParameterValue& p : Take(set.parameters(date))) {
    py::dict d;
    d["name"] = p.name;
    d["type"] = p.type;
    d["is_constant"] = p.is_constant;
    d["in_effect"] = p.in_effect;
    py::object value = json.attr("loads")(p.value_json, py::arg("parse_float") = Types().decimal);
    const std::string_view type = p.type;
    if ((type == "Date" || type == "Date?") && py::isinstance<py::str>(value)) {
      value = Types().date.attr("fromisoformat")(value);
    }
    d["value"] = value;
    d["value_json"] = p.value_json;
    d["source"] = p.source;
    d["doc"] = p.doc;
    out.append(d);
  }
  return out;
}

// ---- hot reload -------------------------------------------------------------------------------

// The live set and the Python callback it calls. The callback runs on the watcher thread, so it
// takes the GIL; the live set is stopped (and its watcher joined) with the GIL released, or a
// watcher waiting for the GIL and the thread joining it would wait for each other.
class PyLive {
 public:
  PyLive(const std::vector<std::string>& paths, const py::object& on_reload, double debounce_ms,
         bool require_tests_pass, bool start_without_valid_set, bool include_stdlib, bool jit) {
    api::ReloadOptions options;
    options.load = MakeLoadOptions(include_stdlib, require_tests_pass, py::none(), jit);
    options.debounce = std::chrono::milliseconds(static_cast<int64_t>(debounce_ms));
    options.start_without_valid_set = start_without_valid_set;
    if (!on_reload.is_none()) {
      // Held by a shared_ptr whose deleter takes the GIL: the options are destroyed with the
      // live set, on whatever thread that is.
      std::shared_ptr<py::object> callback(new py::object(on_reload), [](py::object* p) {
        py::gil_scoped_acquire gil;
        delete p;
      });
      options.on_reload = [callback](const api::ReloadEvent& event) {
        py::gil_scoped_acquire gil;
        try {
          py::dict e;
          e["swapped"] = event.swapped;
          e["version"] = event.version;
          e["error"] = event.error ? MakeException(*event.error) : py::none();
          (*callback)(e);
        } catch (py::error_already_set& err) {
          err.discard_as_unraisable("policylang.LivePolicySet on_reload callback");
        }
      };
    }
    py::gil_scoped_release release;  // loading compiles and runs the tests: let other threads run
    auto started = api::LivePolicySet::Start(paths, std::move(options));
    if (!started) {
      py::gil_scoped_acquire gil;
      Raise(started.error());
    }
    live_ = std::move(*started);
  }
  ~PyLive() { Close(); }
  PyLive(const PyLive&) = delete;
  auto operator=(const PyLive&) -> PyLive& = delete;

  void Close() {
    if (live_) {
      py::gil_scoped_release release;
      live_.reset();
    }
  }
  auto Live() const -> const api::LivePolicySet& {
    if (!live_) {
      throw py::value_error("the live policy set is closed");
    }
    return *live_;
  }
  auto ReloadNow() -> py::dict {
    if (!live_) {
      throw py::value_error("the live policy set is closed");
    }
    api::ReloadEvent event;
    {
      py::gil_scoped_release release;
      event = live_->ReloadNow();
    }
    py::dict e;
    e["swapped"] = event.swapped;
    e["version"] = event.version;
    e["error"] = event.error ? MakeException(*event.error) : py::none();
    return e;
  }

 private:
  std::unique_ptr<api::LivePolicySet> live_;
};

}  // namespace
}  // namespace policy::python

PYBIND11_MODULE(_policylang, m) {
  using namespace policy::python;  // NOLINT: the module's own names
  namespace api = policy::api;
  m.doc() = "The policy engine's C++ API for Python (use the `policylang` package).";

  py::class_<PyOutcome>(m, "Outcome", "The result of one evaluation.")
      .def_readonly("value", &PyOutcome::value,
                    "The value as a Python object; None when the decision is not applicable.")
      .def_readonly("applicable", &PyOutcome::applicable,
                    "False when no rule applied and there is no default (value is None).")
      .def_readonly("in_effect", &PyOutcome::in_effect,
                    "False when the date is outside the decision's effective period.")
      .def_readonly("value_json", &PyOutcome::value_json,
                    "The value in the decision catalogue's JSON encoding.")
      .def_readonly("explanation", &PyOutcome::explanation,
                    "None unless asked for: the rules and their sources as lists and dicts (explain=True), "
                    "or the text `policy eval --explain` prints (explain='text').")
      .def_readonly("decision", &PyOutcome::decision, "The decision's qualified name.")
      .def_readonly("as_of", &PyOutcome::as_of, "The date it was evaluated as of.")
      .def("__repr__", [](const PyOutcome& o) {
        return "Outcome(" + o.decision + " = " + o.value_json + (o.applicable ? "" : ", not applicable") +
               ")";
      });

  py::class_<PyDecision>(m, "Decision", "A decision resolved by name in one version of a policy set.")
      .def_property_readonly("name", [](const PyDecision& d) { return d.decision.name(); })
      .def_property_readonly("input_type", [](const PyDecision& d) { return d.decision.input_type(); })
      .def_property_readonly("result_type", [](const PyDecision& d) { return d.decision.result_type(); })
      .def_property_readonly("source", [](const PyDecision& d) { return d.decision.source(); })
      .def_property_readonly("doc", [](const PyDecision& d) { return d.decision.doc(); })
      .def_property_readonly("native", [](const PyDecision& d) { return d.decision.native(); })
      .def("evaluate", &PyDecision::Evaluate, py::arg("case"), py::arg("as_of") = py::none(),
           py::arg("explain") = false,
           "Evaluates the decision on one case record (a dict, or JSON text) as of a date (a "
           "datetime.date, 'YYYY-MM-DD', or None for today). explain=True adds the explanation as "
           "lists and dicts, explain='text' as text. Raises a policylang.PolicyError subclass on bad "
           "input (with the JSON path) or a failed evaluation.")
      .def("evaluate_partial", &PyDecision::EvaluatePartial, py::arg("case"), py::arg("as_of") = py::none(),
           py::arg("timeout_ms") = 10000,
           "Evaluates a case with fields still unknown (left out), as `policy eval --partial`: a dict "
           "with `verdict` ('decided': `value` is proven whatever they are; 'undecided': `questions` "
           "lists the fields that still matter, the next question first, and `other_case` decides "
           "otherwise; 'unknown'), `missing` and `value`. timeout_ms bounds each solver question.")
      // policylang/__init__.py wraps it as evaluate_batch, adding pandas DataFrames.
      .def("_evaluate_batch", &PyDecision::EvaluateBatch, py::arg("cases"), py::arg("as_of") = py::none(),
           py::arg("threads") = py::none(), py::arg("errors") = "raise")
      .def("__repr__", [](const PyDecision& d) { return "Decision(" + d.decision.name() + ")"; });

  py::class_<api::PolicySet>(m, "PolicySet", "One compiled, immutable version of a set of policy files.")
      .def_static(
          "load",
          [](const std::vector<std::string>& paths, bool include_stdlib, bool require_tests_pass,
             const py::object& tests_as_of, bool jit) {
            const api::LoadOptions options =
                MakeLoadOptions(include_stdlib, require_tests_pass, tests_as_of, jit);
            api::Result<api::PolicySet> loaded = [&] {
              py::gil_scoped_release release;
              return api::PolicySet::Load(paths, options);
            }();
            return Take(std::move(loaded));
          },
          py::arg("paths"), py::kw_only(), py::arg("include_stdlib") = true,
          py::arg("require_tests_pass") = false, py::arg("tests_as_of") = py::none(), py::arg("jit") = false,
          "Compiles the .policy files under the paths (files or directories). Raises CompileError "
          "with every diagnostic, IoError for paths that cannot be read.")
      .def_static(
          "from_sources",
          [](const std::vector<std::pair<std::string, std::string>>& files, bool include_stdlib) {
            std::vector<api::SourceFile> sources;
            for (const auto& [path, text] : files) {
              sources.push_back({path, text});
            }
            api::LoadOptions options;
            options.include_stdlib = include_stdlib;
            return Take(api::PolicySet::LoadSources(sources, options));
          },
          py::arg("files"), py::kw_only(), py::arg("include_stdlib") = true,
          "Compiles policy sources held in memory: a list of (path, text); the path is used in "
          "diagnostics only.")
      .def("decision_names", &api::PolicySet::decision_names,
           "Every decision decision() accepts (one case record in), qualified and sorted.")
      .def("decision", &ResolveDecision, py::arg("name"),
           "Resolves a decision by its qualified name; raises NotFoundError with a suggestion.")
      .def("parameters", &Parameters, py::arg("as_of") = py::none(),
           "Every parameter and constant with its value as of a date, as dicts (name, type, "
           "is_constant, in_effect, value, value_json, source, doc).")
      .def(
          "run_tests",
          [](const api::PolicySet& set, const py::object& as_of) {
            const api::TestReport report = set.RunTests(ToDate(as_of));
            py::list failures;
            for (const api::Diagnostic& d : report.failures) {
              failures.append(DiagnosticDict(d));
            }
            py::dict out;
            out["passed"] = report.passed;
            out["failed"] = report.failed;
            out["failures"] = failures;
            return out;
          },
          py::arg("as_of") = py::none(),
          "Runs the policies' own tests; a dict of passed, failed and failures.")
      .def_property_readonly("warnings",
                             [](const api::PolicySet& set) {
                               py::list out;
                               for (const api::Diagnostic& d : set.warnings()) {
                                 out.append(DiagnosticDict(d));
                               }
                               return out;
                             })
      .def_property_readonly("revision", &api::PolicySet::revision,
                             "16 hex digits hashing the text of every source file.")
      .def_property_readonly("version", &api::PolicySet::version,
                             "A number unique to this compiled version within the process.");

  py::class_<PyLive>(m, "LivePolicySet",
                     "A policy set that follows its files on disk: an edit that compiles and whose tests "
                     "pass replaces the version serving; any other is refused and reported.")
      .def(py::init<const std::vector<std::string>&, const py::object&, double, bool, bool, bool, bool>(),
           py::arg("paths"), py::kw_only(), py::arg("on_reload") = py::none(), py::arg("debounce_ms") = 100.0,
           py::arg("require_tests_pass") = true, py::arg("start_without_valid_set") = false,
           py::arg("include_stdlib") = true, py::arg("jit") = false)
      .def(
          "current", [](const PyLive& l) { return l.Live().current(); },
          "The version serving now; evaluate a request or batch on it.")
      .def_property_readonly(
          "generation", [](const PyLive& l) { return l.Live().generation(); },
          "Increases with every successful swap.")
      .def("reload_now", &PyLive::ReloadNow, "Reloads now, on this thread; the event as a dict.")
      .def_property_readonly("last_error",
                             [](const PyLive& l) -> py::object {
                               const auto e = l.Live().last_error();
                               return e ? MakeException(*e) : py::none();
                             })
      .def("close", &PyLive::Close, "Stops watching the files (also done when the object is collected).")
      .def(
          "__enter__", [](PyLive& l) -> PyLive& { return l; }, py::return_value_policy::reference)
      .def("__exit__", [](PyLive& l, const py::args&) { l.Close(); });

  m.def(
      "to_json", [](const py::handle& value) { return ToJson(value); }, py::arg("value"),
      "The JSON text a dict becomes as a case record (decimals exact, dates as 'YYYY-MM-DD').");
}
