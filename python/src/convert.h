// Between Python objects and the engine: case records from Python to JSON text, and decision
// values from the engine to Python objects.
//
// Case records go in as JSON text because that is the one input the engine reads with exact
// decimals, JSON paths in its errors and the case-record schema's checks; encoding a dict here (not
// with Python's json module) writes a decimal.Decimal as the number it is and a datetime.date as
// the schema's "YYYY-MM-DD", which json.dumps cannot.
//
// Values come out in two steps because of threads: an api::Value is a view into the Evaluator
// that produced it, valid until that Evaluator evaluates again, and a batch worker runs without
// the GIL, so it copies each value into an OwnedValue (plain C++), and the calling thread turns
// those into Python objects once it holds the GIL again.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace policy::python {

namespace py = pybind11;

// The Python classes values are made of (decimal.Decimal, datetime.date, policylang.Duration),
// looked up once per module.
struct PythonTypes {
  py::object decimal;
  py::object date;
  py::object duration;
};
auto Types() -> const PythonTypes&;

// Appends `value` as JSON: dict (str keys), list, tuple, str, int, bool, None, float (finite),
// decimal.Decimal (its exact digits), datetime.date ("YYYY-MM-DD"), enum.Enum (its value), set and
// frozenset (as lists). Anything else, a non-str key, or nesting past 64 levels throws
// py::type_error / py::value_error naming the path (`$.programme.mode`).
void AppendJson(py::handle value, std::string& out);
auto ToJson(py::handle value) -> std::string;

// A decision value copied out of its Evaluator: no Python object, no view.
struct OwnedValue {
  api::Kind kind = api::Kind::kNone;
  int64_t number = 0;  // Bool (0/1), Int, Date (days are not needed: y, m, d packed), Duration count
  std::string text;    // Text, Decimal digits, enum member name, Duration unit
  std::vector<std::string> names;  // record field names
  std::vector<OwnedValue> items;   // record fields, list and set items
};
auto Own(const api::Value& value) -> OwnedValue;

// Python objects for a value: None for not applicable, bool, int, decimal.Decimal, str,
// datetime.date, policylang.Duration, str (an enum member's name), dict (a record), list, and
// frozenset (a set; a list when its items are records). Needs the GIL.
auto ToPython(const OwnedValue& value) -> py::object;
auto ToPython(const api::Value& value) -> py::object;

}  // namespace policy::python
