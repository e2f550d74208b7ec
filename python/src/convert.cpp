// Python objects to case JSON, engine values to Python objects (convert.h says why in two steps).
#include "python/src/convert.h"

#include <Python.h>

#include <charconv>
#include <cmath>
#include <string_view>

namespace policy::python {

namespace {

// The engine refuses case records nested deeper than this (E0907); stopping here too keeps a
// self-referencing list from recursing without end.
constexpr int kMaxDepth = 64;

// One step of the path to the value being written: a dict key, or a list index when key is
// null. Kept as pointers and numbers (no string per field): the path is only spelt out for an
// error.
struct PathStep {
  PyObject* key = nullptr;
  size_t index = 0;
};

auto Path(const std::vector<PathStep>& path) -> std::string {
  std::string out = "$";
  for (const PathStep& step : path) {
    if (step.key != nullptr) {
      out += '.';
      out += py::str(step.key).cast<std::string>();
    } else {
      out += "[" + std::to_string(step.index) + "]";
    }
  }
  return out;
}

auto NeedsEscape(char c) -> bool {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

void AppendString(std::string_view s, std::string& out) {
  out += '"';
  // The common case, nothing to escape, is one append.
  size_t plain = 0;
  while (plain < s.size() && !NeedsEscape(s[plain])) {
    ++plain;
  }
  out.append(s.data(), plain);
  for (const char c : s.substr(plain)) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

auto Utf8(py::handle str) -> std::string_view {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(str.ptr(), &size);
  if (data == nullptr) {
    throw py::error_already_set();
  }
  return {data, static_cast<size_t>(size)};
}

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  void Append(py::handle v) {
    if (v.is_none()) {
      out_ += "null";
    } else if (PyBool_Check(v.ptr())) {
      out_ += v.ptr() == Py_True ? "true" : "false";
    } else if (PyLong_Check(v.ptr())) {
      AppendInt(v);
    } else if (PyUnicode_Check(v.ptr())) {
      AppendString(Utf8(v), out_);
    } else if (PyDict_Check(v.ptr())) {
      AppendDict(v);
    } else if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr()) || PyAnySet_Check(v.ptr())) {
      AppendSequence(v);
    } else if (PyFloat_Check(v.ptr())) {
      AppendFloat(PyFloat_AS_DOUBLE(v.ptr()));
    } else if (py::isinstance(v, Types().decimal)) {
      AppendDecimal(v);
    } else if (py::isinstance(v, Types().date)) {
      AppendDate(v);
    } else if (py::hasattr(v, "dtype") && py::hasattr(v, "item")) {
      Append(v.attr("item")());  // a numpy scalar (numpy.int64, numpy.bool_): its Python value
    } else if (py::hasattr(v, "value") && py::hasattr(py::type::of(v), "__members__")) {
      Append(v.attr("value"));  // an enum.Enum: its value, as the JSON the member stands for
    } else {
      throw py::type_error(Path(path_) + ": a value of type " +
                           std::string(py::str(py::type::of(v).attr("__name__"))) +
                           " cannot be written as JSON (use dict, list, str, int, bool, None, "
                           "decimal.Decimal or datetime.date)");
    }
  }

 private:
  void AppendInt(py::handle v) {
    int overflow = 0;
    const long long n = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
    if (overflow != 0) {
      out_ += std::string(py::str(v));  // the engine reports it as out of range, with the path
      return;
    }
    char buffer[24];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
    out_.append(buffer, end);
  }

  void AppendFloat(double d) {
    if (!std::isfinite(d)) {
      throw py::value_error(Path(path_) + ": " + std::to_string(d) + " is not a number JSON can hold");
    }
    // The shortest text that reads back as the same double, as Python's repr.
    char* text = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, nullptr);
    if (text == nullptr) {
      throw py::error_already_set();
    }
    out_ += text;
    PyMem_Free(text);
  }

  void AppendDecimal(py::handle v) {
    if (!v.attr("is_finite")().cast<bool>()) {
      throw py::value_error(Path(path_) + ": Decimal('" + std::string(py::str(v)) +
                            "') is not a number JSON can hold");
    }
    out_ += Utf8(py::str(v));  // "7.25", "1E+2": exact digits, a JSON number either way
  }

  void AppendDate(py::handle v) {
    if (py::hasattr(v, "hour")) {
      throw py::type_error(Path(path_) +
                           ": a datetime has a time of day; the case record takes dates: "
                           "pass its .date()");
    }
    out_ += '"';
    out_ += Utf8(v.attr("isoformat")());
    out_ += '"';
  }

  void AppendDict(py::handle v) {
    Enter();
    out_ += '{';
    bool first = true;
    PyObject* key = nullptr;
    PyObject* item = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(v.ptr(), &pos, &key, &item)) {
      if (!PyUnicode_Check(key)) {
        throw py::type_error(Path(path_) + ": a key of a case record must be a str, not " +
                             std::string(py::str(py::type::of(key).attr("__name__"))));
      }
      if (!first) {
        out_ += ',';
      }
      first = false;
      AppendString(Utf8(key), out_);
      out_ += ':';
      path_.push_back({key, 0});
      Append(item);
      path_.pop_back();
    }
    out_ += '}';
    --depth_;
  }

  void AppendSequence(py::handle v) {
    Enter();
    out_ += '[';
    size_t i = 0;
    for (py::handle item : v) {
      if (i > 0) {
        out_ += ',';
      }
      path_.push_back({nullptr, i});
      Append(item);
      path_.pop_back();
      ++i;
    }
    out_ += ']';
    --depth_;
  }

  void Enter() {
    if (++depth_ > kMaxDepth) {
      throw py::value_error(Path(path_) + ": nested deeper than " + std::to_string(kMaxDepth) +
                            " levels (a case record never is; is a list inside itself?)");
    }
  }

  std::string& out_;
  std::vector<PathStep> path_;
  int depth_ = 0;
};

auto DatePacked(api::Date d) -> int64_t {
  return static_cast<int64_t>(static_cast<int>(d.year())) * 10000 + static_cast<unsigned>(d.month()) * 100 +
         static_cast<unsigned>(d.day());
}

}  // namespace

auto Types() -> const PythonTypes& {
  // Looked up on first use, with the GIL held; kept for the life of the process (never
  // destroyed: their destructors would run after the interpreter is gone).
  static const PythonTypes* types = [] {
    auto* t = new PythonTypes;
    t->decimal = py::module_::import("decimal").attr("Decimal");
    t->date = py::module_::import("datetime").attr("date");
    t->duration = py::module_::import("policylang._values").attr("Duration");
    return t;
  }();
  return *types;
}

void AppendJson(py::handle value, std::string& out) {
  Encoder(out).Append(value);
}

auto ToJson(py::handle value) -> std::string {
  std::string out;
  AppendJson(value, out);
  return out;
}

auto Own(const api::Value& value) -> OwnedValue {
  OwnedValue o;
  o.kind = value.kind();
  switch (value.kind()) {
    case api::Kind::kNone:
      break;
    case api::Kind::kBool:
      o.number = value.as_bool() ? 1 : 0;
      break;
    case api::Kind::kInt:
      o.number = value.as_int();
      break;
    case api::Kind::kDecimal:
      o.text = value.as_decimal_text();
      break;
    case api::Kind::kText:
      o.text = std::string(value.as_text());
      break;
    case api::Kind::kDate:
      o.number = DatePacked(value.as_date());
      break;
    case api::Kind::kDuration:
      o.number = value.duration_count();
      o.text = std::string(value.duration_unit());
      break;
    case api::Kind::kEnum:
      o.text = std::string(value.enum_name());
      break;
    case api::Kind::kRecord:
    case api::Kind::kList:
    case api::Kind::kSet: {
      const size_t n = value.size();
      o.items.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        o.items.push_back(Own(value[i]));
        if (value.kind() == api::Kind::kRecord) {
          o.names.emplace_back(value.field_name(i));
        }
      }
      break;
    }
  }
  return o;
}

auto ToPython(const OwnedValue& v) -> py::object {
  switch (v.kind) {
    case api::Kind::kNone:
      return py::none();
    case api::Kind::kBool:
      return py::bool_(v.number != 0);
    case api::Kind::kInt:
      return py::int_(v.number);
    case api::Kind::kDecimal:
      return Types().decimal(v.text);
    case api::Kind::kText:
    case api::Kind::kEnum:
      return py::str(v.text);
    case api::Kind::kDate:
      return Types().date(v.number / 10000, (v.number / 100) % 100, v.number % 100);
    case api::Kind::kDuration:
      return Types().duration(v.number, v.text);
    case api::Kind::kRecord: {
      py::dict d;
      for (size_t i = 0; i < v.items.size(); ++i) {
        d[py::str(v.names[i])] = ToPython(v.items[i]);
      }
      return d;
    }
    case api::Kind::kList:
    case api::Kind::kSet: {
      py::list items;
      bool hashable = true;
      for (const OwnedValue& item : v.items) {
        items.append(ToPython(item));
        hashable = hashable && item.kind != api::Kind::kRecord && item.kind != api::Kind::kList &&
                   item.kind != api::Kind::kSet;
      }
      if (v.kind == api::Kind::kSet && hashable) {
        return py::reinterpret_steal<py::object>(PyFrozenSet_New(items.ptr()));
      }
      return items;
    }
  }
  return py::none();
}

auto ToPython(const api::Value& value) -> py::object {
  return ToPython(Own(value));
}

}  // namespace policy::python
