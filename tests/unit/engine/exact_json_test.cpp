// Exact decimals in JSON (runtime/engine/exact_json.h): numbers are read from their text and
// written back as their text; everything else behaves as nlohmann's own parse and dump, errors
// and the depth limit included. Then the same through the engine: a case's decimals reach the
// result exactly, and what a `Decimal` cannot hold is an input error with its JSON path.
#include <gtest/gtest.h>

#include <clocale>
#include <string>
#include <vector>

#include "runtime/engine/engine.h"

namespace policy {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// ---- the reader and the writer -----------------------------------------------------------

// JSON texts without numbers that need their text: every shape the writer lays out.
const std::vector<std::string> kPlainTexts = {
    "null",
    "true",
    "-12",
    "18446744073709551615",
    R"("caf\u00e9 \"quoted\" \\ \n \t \u0001 日本")",
    "[]",
    "{}",
    "[[], {}, [[]], {\"a\": {}}]",
    R"({"z": 1, "a": [true, false, null], "m": {"y": "x", "b": [1, [2, [3]]]}, "e": []})",
    R"([{"k": "v"}, 1.5, -0.25, 7])",
};

TEST(ExactJsonTest, DumpLaysOutAsNlohmannDoes) {
  for (const std::string& text : kPlainTexts) {
    for (const int indent : {-1, 0, 2, 4}) {
      EXPECT_EQ(exact_json::Dump(exact_json::Parse<json>(text), indent), json::parse(text).dump(indent))
          << text << " indent " << indent;
      EXPECT_EQ(exact_json::Dump(exact_json::Parse<ojson>(text), indent), ojson::parse(text).dump(indent))
          << text << " indent " << indent;
    }
  }
}

TEST(ExactJsonTest, NumbersKeepTheirText) {
  const std::string text =
      "[2.5E-1,1234567.891234567891,-0.0,1e-400,1.50,99999999999999999.999999999999999999,"
      "18446744073709551616,-9223372036854775809,0.30000000000000004]";
  const auto j = exact_json::Parse<ojson>(text);
  EXPECT_EQ(exact_json::Dump(j), text);
  for (const ojson& n : j) {
    EXPECT_TRUE(exact_json::IsNumber(n)) << exact_json::Dump(n);
    EXPECT_FALSE(n.is_number()) << "kept as text, not a double: " << exact_json::Dump(n);
  }
  EXPECT_EQ(exact_json::NumberText(j[0]), "2.5E-1");
  EXPECT_EQ(exact_json::NumberText(j[6]), "18446744073709551616");

  // Integers that fit 64 bits stay nlohmann integers.
  const auto ints = exact_json::Parse<json>("[7, -7, 18446744073709551615, -9223372036854775808]");
  EXPECT_TRUE(ints[0].is_number_integer());
  EXPECT_TRUE(ints[2].is_number_unsigned());
  EXPECT_EQ(ints[3].get<int64_t>(), INT64_MIN);
  EXPECT_EQ(exact_json::NumberText(ints[1]), "-7");

  // Inside objects, pretty-printed, and through a conversion between the two DOM kinds.
  const auto obj = exact_json::Parse<ojson>(R"({"b": 0.000000000000000001, "a": [1E+2]})");
  EXPECT_EQ(exact_json::Dump(obj, 2), "{\n  \"b\": 0.000000000000000001,\n  \"a\": [\n    1E+2\n  ]\n}");
  EXPECT_EQ(exact_json::Dump(json(obj)), R"({"a":[1E+2],"b":0.000000000000000001})");
}

TEST(ExactJsonTest, NumberNodesAreCanonical) {
  EXPECT_TRUE(exact_json::Number<json>("12").is_number_integer());
  EXPECT_TRUE(exact_json::Number<json>("-12").is_number_integer());
  EXPECT_TRUE(exact_json::Number<json>("18446744073709551615").is_number_unsigned());
  EXPECT_FALSE(exact_json::Number<json>("18446744073709551616").is_number());
  EXPECT_FALSE(exact_json::Number<json>("12.0").is_number());
  EXPECT_EQ(exact_json::Number<json>("12"), json::parse("12"));
  EXPECT_EQ(exact_json::Number<ojson>("7.25"), exact_json::Parse<ojson>("7.25"));
  for (const char* d :
       {"0", "-1", "7.5", "123456.789012345678", "-0.000000000000000001", "99999999999999999"}) {
    const auto dec = Decimal::Parse(d);
    ASSERT_TRUE(dec.has_value()) << d;
    EXPECT_EQ(exact_json::Dump(exact_json::Number<json>(*dec)), d);
  }
  // A binary value of any other kind is not a number.
  EXPECT_FALSE(exact_json::IsNumber(json::binary({'1'}, 7)));
  EXPECT_EQ(exact_json::NumberText(json::binary({'1'})), "");
  EXPECT_EQ(exact_json::NumberText(json("1.5")), "");
}

// Malformed text fails exactly as json::parse fails: the same exception, message and offset.
TEST(ExactJsonTest, ErrorsAreNlohmanns) {
  for (const std::string text :
       {"", "{", "[1,]", R"({"a" 1})", "01", "1.", ".5", "-", "1e", "[1] x", "\"\\x\"", "1e999999",
        "[-1e400]", "\"\xff\"", "{\"a\": [1, 2}", "nul", "[1.5e]"}) {
    std::string expected = "no error";
    size_t expected_byte = 0;
    try {
      const json parsed = json::parse(text);
    } catch (const json::parse_error& e) {
      expected = e.what();
      expected_byte = e.byte;
    } catch (const json::exception& e) {
      expected = e.what();
    }
    std::string actual = "no error";
    size_t actual_byte = 0;
    try {
      (void)exact_json::Parse<ojson>(text);
    } catch (const ojson::parse_error& e) {
      actual = e.what();
      actual_byte = e.byte;
    } catch (const ojson::exception& e) {
      actual = e.what();
    }
    EXPECT_NE(expected, "no error") << text;
    EXPECT_EQ(actual, expected) << text;
    EXPECT_EQ(actual_byte, expected_byte) << text;
    EXPECT_FALSE(exact_json::TryParse<json>(text).has_value()) << text;
  }
}

// The depth limit is the one the engine had with nlohmann's parser callback.
TEST(ExactJsonTest, DepthLimitIsTheCallbacks) {
  for (const std::string text : {"7", "{}", "[]", R"({"a": 1})", "[[]]", "[[1]]", R"({"a": {"b": []}})",
                                 R"({"a": ])", "[[[[[]]]]]", R"([{"a": [0.5]}])"}) {
    for (int max_depth = 0; max_depth <= 5; ++max_depth) {
      std::string expected = "ok";
      try {
        const json parsed = json::parse(text, [max_depth](int depth, json::parse_event_t, json&) {
          if (depth >= max_depth) {
            throw exact_json::TooDeep{};
          }
          return true;
        });
      } catch (const exact_json::TooDeep&) {
        expected = "too deep";
      } catch (const json::exception&) {
        expected = "malformed";
      }
      std::string actual = "ok";
      try {
        (void)exact_json::Parse<json>(text, max_depth);
      } catch (const exact_json::TooDeep&) {
        actual = "too deep";
      } catch (const json::exception&) {
        actual = "malformed";
      }
      EXPECT_EQ(actual, expected) << text << " with max_depth " << max_depth;
    }
  }
  EXPECT_FALSE(exact_json::TryParse<json>("[[1]]", 2).has_value());
  EXPECT_TRUE(exact_json::TryParse<json>("[[1]]", 3).has_value());
}

// nlohmann's lexer writes the locale's decimal point into a number's token; the text kept is
// still the text of the input.
TEST(ExactJsonTest, NumberTextDoesNotDependOnTheLocale) {
  const std::string before = std::setlocale(LC_NUMERIC, nullptr);
  bool comma = false;
  for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "de_DE", "fr_FR"}) {
    if (std::setlocale(LC_NUMERIC, name) != nullptr) {
      comma = true;
      break;
    }
  }
  if (!comma) {
    GTEST_SKIP() << "no locale with a decimal comma is installed";
  }
  const std::string text = exact_json::Dump(exact_json::Parse<json>("[1.5, 2.5E-1]"));
  std::setlocale(LC_NUMERIC, before.c_str());
  EXPECT_EQ(text, "[1.5,2.5E-1]");
}

// ---- through the engine ------------------------------------------------------------------

class ExactDecimalCaseTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    loaded_ = new LoadResult(Engine::LoadSources({{"t.policy", R"(module t
record Case {
  x: Decimal
  xs: Set<Decimal>
  n: Int
}
decision x(c: Case) -> Decimal
  default c.x
decision doubled(c: Case) -> Decimal
  default c.x + c.x
decision xs(c: Case) -> Set<Decimal>
  default c.xs
)"}}));
    ASSERT_NE(loaded_->engine, nullptr)
        << RenderDiagnostics(loaded_->diagnostics.Sorted(), *loaded_->sources, DiagFormat::kShort);
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }

  struct Outcome {
    std::string json;                 // the result as exact_json::Dump writes it
    std::vector<std::string> errors;  // "code path: message"
  };
  static auto Run(const std::string& decision, const std::string& case_json) -> Outcome {
    const Engine& e = *loaded_->engine;
    auto ctx = e.NewContext();
    DiagnosticSink diags;
    Outcome out;
    const uint32_t d = *e.FindDecision("t." + decision);
    if (const auto input = e.ReadCase(d, case_json, "case.json", *ctx, diags)) {
      if (const auto r = e.Evaluate(d, *input, *Date::Parse("2025-09-01"), *ctx, nullptr, diags)) {
        out.json = exact_json::Dump(e.ValueToJson(e.DecisionResultType(d), r->value));
      }
    }
    for (const Diagnostic& diag : diags.diagnostics()) {
      out.errors.push_back(std::string(GetKindInfo(diag.code).code) + " " + diag.json_path + ": " +
                           diag.message);
    }
    return out;
  }
  static auto Case(const std::string& x, const std::string& xs = "[]", const std::string& n = "0")
      -> std::string {
    return R"({"x": )" + x + R"(, "xs": )" + xs + R"(, "n": )" + n + "}";
  }
  static LoadResult* loaded_;
};

LoadResult* ExactDecimalCaseTest::loaded_ = nullptr;

// What the case writes, and what comes back: the same number, in Decimal::ToString's spelling.
TEST_F(ExactDecimalCaseTest, DecimalsRoundTripExactly) {
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"123456.789012345678", "123456.789012345678"},
           {"1234567.891234567891", "1234567.891234567891"},
           {"0.000000000000000001", "0.000000000000000001"},
           {"-0.000000000000000001", "-0.000000000000000001"},
           {"92233720368547758.07", "92233720368547758.07"},
           {"-9.223372036854775807", "-9.223372036854775807"},
           {"99999999999999999", "99999999999999999"},
           {"-99999999999999999", "-99999999999999999"},
           {"0.1", "0.1"},
           {"1.50", "1.5"},
           {"-0.0", "0"},
           {"0", "0"},
           {"12", "12"},
           {"2.5E-1", "0.25"},
           {"2.5e+2", "250"},
           {"1E-18", "0.000000000000000001"},
           {"12345678901234567e-17", "0.12345678901234567"},
       }) {
    const Outcome o = Run("x", Case(in));
    EXPECT_EQ(o.json, out) << in;
    EXPECT_TRUE(o.errors.empty()) << in << ": " << o.errors.front();
    // Written back and read again: the same value (a fixed point of the round trip).
    EXPECT_EQ(Run("x", Case(out)).json, out) << in;
  }
  EXPECT_EQ(Run("doubled", Case("0.1")).json, "0.2");
  EXPECT_EQ(Run("doubled", Case("123456.789012345678")).json, "246913.578024691356");
  // A set is sorted by its JSON text; 0.1 and 0.10 are the same member.
  EXPECT_EQ(Run("xs", Case("0", "[0.3, 0.1, 2.5E-1, -1]")).json, "[-1,0.1,0.25,0.3]");
  EXPECT_EQ(Run("xs", Case("0", "[0.1, 0.10]")).errors,
            std::vector<std::string>{"E0903 $.xs: the array lists the same item twice, but it is a set"});
}

// The issue's example, the extremes of a Decimal (17 integer digits, 18 places), and more
// trailing zeros than places.
TEST_F(ExactDecimalCaseTest, WideDecimalsRoundTripExactly) {
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"1234567.891234567891", "1234567.891234567891"},
           {"99999999999999999.999999999999999999", "99999999999999999.999999999999999999"},
           {"-99999999999999999.999999999999999999", "-99999999999999999.999999999999999999"},
           {"0.100000000000000000000000", "0.1"},
       }) {
    const Outcome o = Run("x", Case(in));
    EXPECT_EQ(o.json, out) << in;
    EXPECT_TRUE(o.errors.empty()) << in << ": " << o.errors.front();
  }
}

TEST_F(ExactDecimalCaseTest, WhatADecimalCannotHoldIsAnInputError) {
  const auto error = [](const std::string& x) {
    const Outcome o = Run("x", Case(x));
    return o.errors.size() == 1 ? o.errors[0] : std::to_string(o.errors.size()) + " errors";
  };
  EXPECT_EQ(error("0.1234567890123456789"),
            "E0909 $.x: 0.1234567890123456789 has 19 decimal places; a `Decimal` holds at most 18");
  EXPECT_EQ(error("1e-19"), "E0909 $.x: 1e-19 has 19 decimal places; a `Decimal` holds at most 18");
  EXPECT_EQ(error("1.5E-18"), "E0909 $.x: 1.5E-18 has 19 decimal places; a `Decimal` holds at most 18");
  EXPECT_EQ(error("1e-400"), "E0909 $.x: 1e-400 has 400 decimal places; a `Decimal` holds at most 18");
  EXPECT_EQ(error("1e30"), "E0909 $.x: 1e30 is out of range for a `Decimal` (less than 10^17 in magnitude)");
  EXPECT_EQ(error("-1e30"),
            "E0909 $.x: -1e30 is out of range for a `Decimal` (less than 10^17 in magnitude)");
  EXPECT_EQ(error("123456789012345678901234567890123456789012"),
            "E0909 $.x: 123456789012345678901234567890123456789012 is out of range for a `Decimal` (less "
            "than 10^17 in magnitude)");
  // In a list, with the path of the item.
  EXPECT_EQ(Run("xs", Case("0", "[1, 0.5, 0.0000000000000000001]")).errors,
            std::vector<std::string>{
                "E0909 $.xs[2]: 0.0000000000000000001 has 19 decimal places; a `Decimal` holds at most 18"});
  // The help says what to do.
  const Engine& e = *loaded_->engine;
  auto ctx = e.NewContext();
  DiagnosticSink diags;
  EXPECT_FALSE(e.ReadCase(*e.FindDecision("t.x"), Case("0.1234567890123456789"), "case.json", *ctx, diags));
  ASSERT_EQ(diags.diagnostics().size(), 1U);
  EXPECT_EQ(diags.diagnostics()[0].help, std::vector<std::string>{"round it to 18 decimal places"});
}

TEST_F(ExactDecimalCaseTest, NumbersOfTheWrongKindAndMalformedNumbers) {
  EXPECT_EQ(Run("x", Case("\"1.5\"")).errors,
            std::vector<std::string>{"E0903 $.x: expected a number, found a string"});
  EXPECT_EQ(Run("x", Case("0", "[]", "1.5")).errors,
            std::vector<std::string>{"E0903 $.n: expected an integer, found a number"});
  EXPECT_EQ(Run("x", Case("0", "[]", "1e-400")).errors,
            std::vector<std::string>{"E0903 $.n: expected an integer, found a number"});
  EXPECT_EQ(Run("x", Case("0", "[]", "99999999999999999999")).errors,
            std::vector<std::string>{"E0909 $.n: 99999999999999999999 is too large for an `Int`"});
  EXPECT_EQ(Run("x", Case("0", "[]", "-9223372036854775809")).errors,
            std::vector<std::string>{"E0909 $.n: -9223372036854775809 is too large for an `Int`"});
  EXPECT_EQ(
      Run("x", Case("1.")).errors,
      std::vector<std::string>{
          "E0901 : invalid JSON at line 1, column 9: syntax error while parsing value - invalid number; "
          "expected digit after '.'; last read: '1.,'"});
  EXPECT_EQ(Run("x", Case(".5")).errors.at(0).substr(0, 40), "E0901 : invalid JSON at line 1, column 7");
  EXPECT_EQ(Run("x", Case("1e999999")).errors,
            std::vector<std::string>{"E0901 $.x: invalid JSON at line 1, column 7: the number 1e999999 is "
                                     "too large for any number type"});
  EXPECT_EQ(Run("x", Case("0x10")).errors.at(0).substr(0, 20), "E0901 : invalid JSON");
}

}  // namespace
}  // namespace policy
