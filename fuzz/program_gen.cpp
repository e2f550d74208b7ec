#include "fuzz/program_gen.h"

#include <fmt/format.h>

#include <algorithm>

namespace policy::fuzz {

auto Choices::Below(uint32_t n) -> uint32_t {
  if (n <= 1 || at_ >= bytes_.size()) {
    return 0;
  }
  uint32_t v = bytes_[at_++];
  if (n > 256 && at_ < bytes_.size()) {
    v = (v << 8) | bytes_[at_++];
  }
  return v % n;
}

namespace {

enum class Ty : uint8_t { kInt, kBool, kDecimal, kDate, kColor };
constexpr Ty kResultTypes[] = {Ty::kInt, Ty::kBool, Ty::kDecimal, Ty::kDate, Ty::kColor};

auto TypeName(Ty t) -> const char* {
  switch (t) {
    case Ty::kInt:
      return "Int";
    case Ty::kBool:
      return "Bool";
    case Ty::kDecimal:
      return "Decimal";
    case Ty::kDate:
      return "Date";
    case Ty::kColor:
      return "Color";
  }
  return "Int";
}

constexpr const char* kColors[] = {"red", "green", "blue", "amber"};
constexpr uint32_t kNumColors = 4;

struct Callable {
  std::string name;
  Ty result;
  bool takes_int;  // functions take (c: Case, x: Int); decisions take (c: Case)
};

// Writes one program. Scope: `c` always; `x` inside functions; `itN` inside aggregates.
class Generator {
 public:
  explicit Generator(Choices& in) : in_(in) {}

  auto Run() -> GeneratedProgram {
    GeneratedProgram out;
    std::string& p = out.policy;
    p += "module gen\n\n";
    p += "enum Color { red, green, blue, amber }\n\n";
    p += "record Item {\n  n: Int\n  flag: Bool\n}\n\n";
    p += "record Case {\n  i0: Int\n  i1: Int\n  i2: Int\n  b0: Bool\n  b1: Bool\n  d0: Decimal\n"
         "  t0: Date\n  t1: Date\n  color: Color\n  tags: Set<Color>\n  items: List<Item>\n"
         "  opt: Int?\n  m0: Int?\n  m1: Int?\n  m2: Int?\n  m3: Int?\n}\n\n";
    const uint32_t consts = in_.Below(3);
    for (uint32_t i = 0; i < consts; ++i) {
      p += fmt::format("const K{}: Int = {} + {}\n", i, in_.Between(-20, 20), in_.Between(0, 20));
      consts_.push_back(fmt::format("K{}", i));
    }
    p += "\n";
    const uint32_t functions = in_.Below(4);
    for (uint32_t i = 0; i < functions; ++i) {
      const Ty t = in_.Chance(60) ? Ty::kInt : Ty::kBool;
      in_function_ = true;
      next_maybe_ = 0;
      const std::string body = Expr(t, 3);
      in_function_ = false;
      const std::string name = fmt::format("f{}", i);
      p += fmt::format("def {}(c: Case, x: Int) -> {} =\n  {}\n\n", name, TypeName(t), body);
      callables_.push_back({name, t, true});
    }
    const uint32_t decisions = 1 + in_.Below(5);
    for (uint32_t i = 0; i < decisions; ++i) {
      const Ty t = kResultTypes[in_.Below(5)];
      const std::string name = fmt::format("d{}", i);
      p += Decision(name, t);
      out.decisions.push_back("gen." + name);
      callables_.push_back({name, t, false});
    }
    out.case_json = Case();
    out.as_of = *Date::FromCivil(static_cast<int32_t>(in_.Between(2010, 2030)),
                                 static_cast<uint32_t>(in_.Between(1, 12)),
                                 static_cast<uint32_t>(in_.Between(1, 28)));
    return out;
  }

 private:
  auto Decision(const std::string& name, Ty t) -> std::string {
    std::string d = fmt::format("decision {}(c: Case) -> {}\n", name, TypeName(t));
    next_maybe_ = 0;
    if (in_.Chance(20)) {
      d += "  " + Period() + "\n";
    }
    const bool has_default = in_.Chance(50);
    if (has_default) {
      d += "  default " + Expr(t, 1) + "\n";
    }
    const uint32_t rules = 1 + in_.Below(4);
    for (uint32_t r = 0; r < rules; ++r) {
      d += fmt::format("  rule r{}", r);
      if (in_.Chance(25)) {
        d += " " + Period();
      }
      if (in_.Chance(80)) {
        d += " when " + Expr(Ty::kBool, 3);
      }
      d += " then " + Expr(t, 3) + "\n";
    }
    const uint32_t exceptions = in_.Below(3);
    for (uint32_t e = 0; e < exceptions; ++e) {
      d += fmt::format("  exception e{} to r{}", e, in_.Below(rules));
      if (in_.Chance(20)) {
        d += " " + Period();
      }
      d += " when " + Expr(Ty::kBool, 2) + " then " + Expr(t, 2) + "\n";
    }
    return d + "\n";
  }

  auto Period() -> std::string {
    const int64_t from = in_.Between(2008, 2032);
    const int64_t until = from + in_.Between(0, 6);
    switch (in_.Below(3)) {
      case 0:
        return fmt::format("effective from {}-03-17", from);
      case 1:
        return fmt::format("effective until {}-12-31", until);
      default:
        return fmt::format("effective from {}-03-17 until {}-12-31", from, until);
    }
  }

  auto DateLiteral() -> std::string {
    return fmt::format("{:04}-{:02}-{:02}", in_.Between(1990, 2040), in_.Between(1, 12), in_.Between(1, 28));
  }

  auto DecimalLiteral() -> std::string {
    const int64_t cents = in_.Between(-5000, 5000);
    if (in_.Chance(25)) {
      // The same value as a percentage: 1234% is 12.34.
      return fmt::format("{}{}%", cents < 0 ? "-" : "", std::abs(cents));
    }
    return fmt::format("{}{}.{:02}", cents < 0 ? "-" : "", std::abs(cents) / 100, std::abs(cents) % 100);
  }

  // A call to an earlier function or decision of type `t`, if there is one.
  auto Call(Ty t, int depth) -> std::string {
    std::vector<const Callable*> fits;
    for (const Callable& c : callables_) {
      if (c.result == t) {
        fits.push_back(&c);
      }
    }
    if (fits.empty()) {
      return "";
    }
    const Callable& c = *fits[in_.Below(static_cast<uint32_t>(fits.size()))];
    return c.takes_int ? fmt::format("{}(c, {})", c.name, Expr(Ty::kInt, depth - 1)) : c.name + "(c)";
  }

  auto Item() -> std::string { return items_open_ > 0 ? fmt::format("it{}", items_open_ - 1) : ""; }

  // An aggregate over the items, binding the next `itN`.
  auto Aggregate(const char* op, Ty body, int depth) -> std::string {
    const std::string var = fmt::format("it{}", items_open_);
    ++items_open_;
    const std::string b = Expr(body, depth - 1);
    --items_open_;
    return fmt::format("({} {} in c.items: {})", op, var, b);
  }

  auto Match(Ty t, int depth) -> std::string {
    std::string m = "(match c.color { ";
    uint32_t covered = 0;
    while (covered < kNumColors) {
      const uint32_t take = 1 + in_.Below(kNumColors - covered);
      if (in_.Chance(15) && covered > 0) {
        m += "_ => " + Expr(t, depth - 1) + " ";
        return m + "})";
      }
      for (uint32_t k = 0; k < take; ++k) {
        m += (k == 0 ? "" : " | ") + std::string(kColors[covered + k]);
      }
      m += " => " + Expr(t, depth - 1) + ", ";
      covered += take;
    }
    return m + "})";
  }

  auto Expr(Ty t, int depth) -> std::string {
    // Once the bytes run out every choice is 0; stop growing the tree then.
    if (depth <= 0 || in_.exhausted()) {
      return Leaf(t);
    }
    switch (t) {
      case Ty::kInt:
        return IntExpr(depth);
      case Ty::kBool:
        return BoolExpr(depth);
      case Ty::kDecimal:
        return DecimalExpr(depth);
      case Ty::kDate:
        return DateExpr(depth);
      case Ty::kColor:
        return ColorExpr(depth);
    }
    return Leaf(t);
  }

  auto Leaf(Ty t) -> std::string {
    switch (t) {
      case Ty::kInt: {
        const uint32_t k = in_.Below(8);
        if (k == 0 && in_function_) {
          return "x";
        }
        if (k == 1 && !Item().empty()) {
          return Item() + ".n";
        }
        if (k == 2 && !consts_.empty()) {
          return consts_[in_.Below(static_cast<uint32_t>(consts_.size()))];
        }
        if (k >= 3 && k <= 5) {
          return fmt::format("c.i{}", k - 3);
        }
        return fmt::format("{}", in_.Between(-30, 30));
      }
      case Ty::kBool: {
        const uint32_t k = in_.Below(5);
        if (k == 0 && !Item().empty()) {
          return Item() + ".flag";
        }
        if (k <= 2) {
          return fmt::format("c.b{}", k % 2);
        }
        return k == 3 ? "true" : "false";
      }
      case Ty::kDecimal:
        return in_.Chance(50) ? "c.d0" : DecimalLiteral();
      case Ty::kDate: {
        const uint32_t k = in_.Below(4);
        return k == 0 ? "c.t0" : k == 1 ? "c.t1" : k == 2 ? "as_of" : DateLiteral();
      }
      case Ty::kColor:
        return in_.Chance(50) ? "c.color" : kColors[in_.Below(kNumColors)];
    }
    return "0";
  }

  auto IntExpr(int depth) -> std::string {
    static constexpr const char* kOps[] = {"+", "-", "*", "/", "%"};
    switch (in_.Below(12)) {
      case 0:
        return fmt::format("({} {} {})", Expr(Ty::kInt, depth - 1), kOps[in_.Below(5)],
                           Expr(Ty::kInt, depth - 1));
      case 1:
        return fmt::format("(if {} then {} else {})", Expr(Ty::kBool, depth - 1), Expr(Ty::kInt, depth - 1),
                           Expr(Ty::kInt, depth - 1));
      case 2:
        return fmt::format("(c.opt ?? {})", Expr(Ty::kInt, depth - 1));
      case 3:
        return Aggregate("count", Ty::kBool, depth);
      case 4:
        return Aggregate("sum", Ty::kInt, depth);
      case 5:
        return "length(c.items)";
      case 6: {
        std::string call = Call(Ty::kInt, depth);
        return call.empty() ? Leaf(Ty::kInt) : call;
      }
      case 7:
        return Match(Ty::kInt, depth);
      case 8:
        return fmt::format("{}({}, {})", in_.Chance(50) ? "min" : "max", Expr(Ty::kInt, depth - 1),
                           Expr(Ty::kInt, depth - 1));
      case 9: {
        const std::string v = fmt::format("v{}", next_binding_++);
        return fmt::format("(match c.opt {{ none => {}, some({}) => ({} + {}) }})", Expr(Ty::kInt, depth - 1),
                           v, v, Expr(Ty::kInt, depth - 1));
      }
      case 10:
        return fmt::format("days_between({}, {})", Expr(Ty::kDate, depth - 1), Expr(Ty::kDate, depth - 1));
      default:
        return Leaf(Ty::kInt);
    }
  }

  auto BoolExpr(int depth) -> std::string {
    static constexpr const char* kCmp[] = {"<", "<=", ">", ">=", "==", "!="};
    switch (in_.Below(14)) {
      case 0:
        return fmt::format("({} {} {})", Expr(Ty::kInt, depth - 1), kCmp[in_.Below(6)],
                           Expr(Ty::kInt, depth - 1));
      case 1:
        return fmt::format("(not {})", Expr(Ty::kBool, depth - 1));
      case 2:
        return fmt::format("({} and {})", Expr(Ty::kBool, depth - 1), Expr(Ty::kBool, depth - 1));
      case 3:
        return fmt::format("({} or {})", Expr(Ty::kBool, depth - 1), Expr(Ty::kBool, depth - 1));
      case 4:
        return fmt::format("({} == {})", Expr(Ty::kColor, depth - 1), Expr(Ty::kColor, depth - 1));
      case 5: {
        const uint32_t a = in_.Below(kNumColors);
        const uint32_t b = in_.Below(kNumColors);
        return fmt::format("({} {}in {{{}, {}}})", Expr(Ty::kColor, depth - 1), in_.Chance(30) ? "not " : "",
                           kColors[a], kColors[b == a ? (b + 1) % kNumColors : b]);
      }
      case 6:
        return fmt::format("({} in c.tags)", Expr(Ty::kColor, depth - 1));
      case 7:
        // Fields of their own, each tested at most once per declaration: `is` narrows, and a
        // second test of a field already proven present (or `c.opt ?? 1` after one) is an error.
        if (next_maybe_ >= 4) {
          return Leaf(Ty::kBool);
        }
        return fmt::format("(c.m{} is {})", next_maybe_++, in_.Chance(50) ? "some" : "none");
      case 8:
        return Aggregate(in_.Chance(50) ? "any" : "all", Ty::kBool, depth);
      case 9:
        return fmt::format("({} {} {})", Expr(Ty::kDate, depth - 1), kCmp[in_.Below(6)],
                           Expr(Ty::kDate, depth - 1));
      case 10:
        return fmt::format("({} {} {})", Expr(Ty::kDecimal, depth - 1), kCmp[in_.Below(6)],
                           Expr(Ty::kDecimal, depth - 1));
      case 11: {
        std::string call = Call(Ty::kBool, depth);
        return call.empty() ? Leaf(Ty::kBool) : call;
      }
      default:
        return Leaf(Ty::kBool);
    }
  }

  auto DecimalExpr(int depth) -> std::string {
    static constexpr const char* kOps[] = {"+", "-", "*"};
    switch (in_.Below(6)) {
      case 0:
        return fmt::format("({} {} {})", Expr(Ty::kDecimal, depth - 1), kOps[in_.Below(3)],
                           Expr(Ty::kDecimal, depth - 1));
      case 1:
        return fmt::format("({} + {})", Expr(Ty::kDecimal, depth - 1), Expr(Ty::kInt, depth - 1));
      case 2:
        return fmt::format("(if {} then {} else {})", Expr(Ty::kBool, depth - 1),
                           Expr(Ty::kDecimal, depth - 1), Expr(Ty::kDecimal, depth - 1));
      case 3: {
        std::string call = Call(Ty::kDecimal, depth);
        return call.empty() ? Leaf(Ty::kDecimal) : call;
      }
      default:
        return Leaf(Ty::kDecimal);
    }
  }

  auto DateExpr(int depth) -> std::string {
    static constexpr const char* kUnits[] = {"days", "weeks", "months", "years"};
    switch (in_.Below(5)) {
      case 0:
        return fmt::format("({} {} ({}) {})", Expr(Ty::kDate, depth - 1), in_.Chance(50) ? "+" : "-",
                           Expr(Ty::kInt, depth - 1), kUnits[in_.Below(4)]);
      case 1:
        return fmt::format("(if {} then {} else {})", Expr(Ty::kBool, depth - 1), Expr(Ty::kDate, depth - 1),
                           Expr(Ty::kDate, depth - 1));
      case 2: {
        std::string call = Call(Ty::kDate, depth);
        return call.empty() ? Leaf(Ty::kDate) : call;
      }
      default:
        return Leaf(Ty::kDate);
    }
  }

  auto ColorExpr(int depth) -> std::string {
    switch (in_.Below(4)) {
      case 0:
        return fmt::format("(if {} then {} else {})", Expr(Ty::kBool, depth - 1), Expr(Ty::kColor, depth - 1),
                           Expr(Ty::kColor, depth - 1));
      case 1:
        return Match(Ty::kColor, depth);
      case 2: {
        std::string call = Call(Ty::kColor, depth);
        return call.empty() ? Leaf(Ty::kColor) : call;
      }
      default:
        return Leaf(Ty::kColor);
    }
  }

  auto Case() -> std::string {
    auto integer = [&] {
      switch (in_.Below(10)) {
        case 0:
          return std::string("9223372036854775807");
        case 1:
          return std::string("-9223372036854775807");
        default:
          return fmt::format("{}", in_.Between(-100, 100));
      }
    };
    std::string tags;
    for (uint32_t k = 0; k < kNumColors; ++k) {
      if (in_.Chance(40)) {
        tags += fmt::format("{}\"{}\"", tags.empty() ? "" : ", ", kColors[k]);
      }
    }
    std::string items;
    const uint32_t n = in_.Below(6);
    for (uint32_t i = 0; i < n; ++i) {
      items += fmt::format("{}{{\"n\": {}, \"flag\": {}}}", i == 0 ? "" : ", ", in_.Between(-50, 50),
                           in_.Chance(50) ? "true" : "false");
    }
    const int64_t cents = in_.Between(-100000, 100000);
    return fmt::format(
        "{{\"i0\": {}, \"i1\": {}, \"i2\": {}, \"b0\": {}, \"b1\": {}, \"d0\": {}{}.{:02}, "
        "\"t0\": \"{}\", \"t1\": \"{}\", \"color\": \"{}\", \"tags\": [{}], \"items\": [{}], \"opt\": {}, "
        "\"m0\": {}, \"m1\": {}, \"m2\": {}, \"m3\": {}}}",
        integer(), integer(), integer(), in_.Chance(50) ? "true" : "false", in_.Chance(50) ? "true" : "false",
        cents < 0 ? "-" : "", std::abs(cents) / 100, std::abs(cents) % 100, DateLiteral(), DateLiteral(),
        kColors[in_.Below(kNumColors)], tags, items, in_.Chance(40) ? "null" : integer(),
        in_.Chance(50) ? "null" : "1", in_.Chance(50) ? "null" : "2", in_.Chance(50) ? "null" : "3",
        in_.Chance(50) ? "null" : "4");
  }

  Choices& in_;
  std::vector<std::string> consts_;
  std::vector<Callable> callables_;
  bool in_function_ = false;
  int items_open_ = 0;
  int next_binding_ = 0;
  int next_maybe_ = 0;  // the next of c.m0..m3 to test with `is`; reset per declaration
};

}  // namespace

auto GenerateProgram(std::span<const uint8_t> bytes) -> GeneratedProgram {
  Choices in(bytes);
  return Generator(in).Run();
}

}  // namespace policy::fuzz
