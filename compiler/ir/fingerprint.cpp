#include "compiler/ir/fingerprint.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "compiler/base/format_value.h"
#include "core/builtins.h"

namespace policy::ir {
namespace {

// The declarations of every enum and record type. A decision reads its case record through
// field indices and enum ordinals, so a type that changes can change any decision reading it;
// all of them are part of every definition (conservative, and types change rarely).
auto TypeDeclarations(const TypeTable& types) -> std::string {
  std::string out;
  for (TypeId id = 0; id < types.size(); ++id) {
    if (types.kind(id) == Kind::kEnum) {
      const EnumInfo& e = types.enum_info(id);
      out += fmt::format("enum {}:", e.name);
      for (size_t i = 0; i < e.variants.size(); ++i) {
        out += fmt::format(" {}={}", e.variants[i], i < e.json_names.size() ? e.json_names[i] : "");
      }
      out += "\n";
    } else if (types.kind(id) == Kind::kRecord) {
      const RecordInfo& r = types.record_info(id);
      out += fmt::format("record {}:", r.name);
      for (const FieldInfo& f : r.fields) {
        out += fmt::format(" {}{}: {}", f.name, f.may_be_absent ? "?" : "", types.Name(f.type));
      }
      out += "\n";
    }
  }
  return out;
}

// A constant, so that two different values never read the same: texts carry their length
// (FormatValue writes `{"a\", \"b"}` and `{"a", "b"}` alike), collections their size.
void WriteValue(const TypeTable& types, TypeId type, const Value& value, std::string& out) {
  if (value.is_none()) {
    out += "none";
    return;
  }
  const TypeId t = types.Unwrap(type);
  switch (types.kind(t)) {
    case Kind::kText:
      out += fmt::format("text{}:{}", value.as_text().size(), value.as_text());
      return;
    case Kind::kRecord: {
      const RecordInfo& rec = types.record_info(t);
      const auto items = value.items();
      out += fmt::format("{}{{{}", types.Name(t), items.size());
      for (size_t i = 0; i < rec.fields.size() && i < items.size(); ++i) {
        out += " ";
        WriteValue(types, rec.fields[i].type, items[i], out);
      }
      out += "}";
      return;
    }
    case Kind::kList:
    case Kind::kSet: {
      out += fmt::format("{}{}[", types.kind(t) == Kind::kSet ? "set" : "list", value.items().size());
      for (const Value& v : value.items()) {
        out += " ";
        WriteValue(types, types.Get(t).elem, v, out);
      }
      out += "]";
      return;
    }
    default:
      out += FormatValue(types, type, value);  // numbers, dates, durations, enums: one token each
      return;
  }
}

// An expression, completely: every field of every node that changes what it computes (the IR
// dump of `policy check --dump=ir` leaves some out, such as a duration's unit). Calls and
// constants are written by name, not by index, so the text does not depend on declaration order.
void Write(const Program& p, const Node& n, std::string& out) {
  out += fmt::format("({} {} {} {} {} {}", static_cast<int>(n.op), p.types.Name(n.type),
                     static_cast<int>(n.arith), static_cast<int>(n.cmp), static_cast<int>(n.agg), n.b);
  switch (n.op) {
    case Op::kConst:
      out += " ";
      WriteValue(p.types, n.type, p.constants[n.a], out);
      break;
    case Op::kGlobal:
      out += " " + p.globals[n.a].name;
      break;
    case Op::kCallFunction:
      out += " " + p.functions[n.a].name;
      break;
    case Op::kCallDecision:
      out += " " + p.decisions[n.a].name;
      break;
    case Op::kCallBuiltin:
      out += fmt::format(" {}", GetBuiltin(static_cast<Builtin>(n.a)).name);
      break;
    case Op::kAsOfDate:
      break;  // `a` holds the source text of the date, for explanations only
    default:
      out += fmt::format(" a={}", n.a);
      break;
  }
  for (const auto& path : n.paths) {
    out += " path";
    for (const uint32_t i : path) {
      out += fmt::format(".{}", i);
    }
  }
  for (const uint32_t i : n.table) {
    out += fmt::format(" t{}", i);
  }
  for (const uint32_t i : n.bind) {
    out += fmt::format(" b{}", i);
  }
  for (const NodePtr& k : n.kids) {
    if (k) {
      Write(p, *k, out);
    } else {
      out += " _";
    }
  }
  out += ")";
}

// What a definition reaches directly: "decision NAME", "function NAME", "global NAME".
void CollectReferences(const Program& p, const Node& n, std::set<std::string>& out) {
  if (n.op == Op::kGlobal) {
    out.insert("global " + p.globals[n.a].name);
  } else if (n.op == Op::kCallFunction) {
    out.insert("function " + p.functions[n.a].name);
  } else if (n.op == Op::kCallDecision) {
    out.insert("decision " + p.decisions[n.a].name);
  }
  for (const NodePtr& k : n.kids) {
    if (k) {
      CollectReferences(p, *k, out);
    }
  }
}

struct Definition {
  std::string text;
  std::set<std::string> references;
};

auto Define(const Program& p, const Node& body, std::string header) -> Definition {
  Definition d{std::move(header), {}};
  Write(p, body, d.text);
  d.text += "\n";
  CollectReferences(p, body, d.references);
  return d;
}

// One rule on its own: what `RuleDefinitions` compares.
auto RuleText(const Program& p, const Decision& d, const Rule& r) -> std::string {
  std::string out = fmt::format("  {} {} effective={} overrides", r.is_exception ? "exception" : "rule",
                                r.name, r.effective.ToString());
  for (const uint32_t o : r.overrides) {
    out += " " + d.rules[o].name;
  }
  out += "\n";
  for (const Conjunct& c : r.when) {
    out += "    when\n";
    Write(p, *c.cond, out);
    out += "\n";
  }
  out += "    then\n";
  Write(p, *r.then, out);
  return out + "\n";
}

auto DefineDecision(const Program& p, const Decision& d) -> Definition {
  Definition out;
  out.text = fmt::format("decision {}(", d.name);
  for (const TypeId t : d.params) {
    out.text += p.types.Name(t) + ",";
  }
  out.text += fmt::format(") -> {} parameter={} effective={} with_rules={}\n", p.types.Name(d.result),
                          d.is_parameter, d.effective.ToString(), d.in_effect_with_rules);
  const auto add = [&](const Node& n) {
    Write(p, n, out.text);
    out.text += "\n";
    CollectReferences(p, n, out.references);
  };
  if (d.default_value) {
    out.text += "  default\n";
    add(*d.default_value);
  }
  for (const Rule& r : d.rules) {
    out.text += RuleText(p, d, r);
    for (const Conjunct& c : r.when) {
      CollectReferences(p, *c.cond, out.references);
    }
    CollectReferences(p, *r.then, out.references);
  }
  return out;
}

}  // namespace

auto RuleDefinitions(const Program& program, uint32_t decision) -> std::vector<std::string> {
  std::vector<std::string> out;
  const Decision& d = program.decisions[decision];
  for (const Rule& r : d.rules) {
    out.push_back(RuleText(program, d, r));
  }
  return out;
}

auto DecisionDefinitions(const Program& program) -> std::vector<std::string> {
  std::map<std::string, Definition> definitions;
  // Names are unique within a program; should two ever share one, both texts count.
  const auto add = [&definitions](const std::string& key, Definition d) {
    auto [it, inserted] = definitions.emplace(key, d);
    if (!inserted) {
      it->second.text += d.text;
      it->second.references.merge(d.references);
    }
  };
  for (const Global& g : program.globals) {
    add("global " + g.name,
        Define(program, *g.init, fmt::format("global {}: {}\n", g.name, program.types.Name(g.type))));
  }
  for (const Function& f : program.functions) {
    add("function " + f.name, Define(program, *f.body,
                                     fmt::format("function {}({} params) -> {}\n", f.name, f.num_params,
                                                 program.types.Name(f.result))));
  }
  for (const Decision& d : program.decisions) {
    add("decision " + d.name, DefineDecision(program, d));
  }
  const std::string types = TypeDeclarations(program.types);
  std::vector<std::string> out;
  out.reserve(program.decisions.size());
  for (const Decision& d : program.decisions) {
    // Everything reachable, each once, in name order (std::set), so the text does not depend on
    // the order of declarations in the files.
    std::set<std::string> reached{"decision " + d.name};
    std::vector<std::string> todo{"decision " + d.name};
    while (!todo.empty()) {
      const std::string key = std::move(todo.back());
      todo.pop_back();
      for (const std::string& ref : definitions.at(key).references) {
        if (reached.insert(ref).second) {
          todo.push_back(ref);
        }
      }
    }
    std::string text = types;
    for (const std::string& key : reached) {
      text += definitions.at(key).text;
    }
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace policy::ir
