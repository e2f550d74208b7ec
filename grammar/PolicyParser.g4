// Parser grammar for the policy language. Every alternative that the AST builder distinguishes
// is labelled (`# EnumDecl`), so compiler/syntax/build_*.cpp receives typed contexts instead of
// walking children by position. Nothing outside compiler/syntax sees these types.
//
// Expression precedence runs from the first alternative of `expr` (binds tightest) to the last.
// Binary operators are left-associative; ANTLR turns the left recursion into loops, so long
// chains (`a and b and c ...`) do not recurse. Nesting that does recurse (brackets, `not`, `if`)
// is bounded before parsing (see compiler/syntax/parse.cpp).
parser grammar PolicyParser;

options { tokenVocab = PolicyLexer; }

file
  : moduleHeader importDecl* declaration* EOF
  ;

moduleHeader
  : MODULE qualifiedName
  ;

importDecl
  : IMPORT qualifiedName (AS alias=name)? (LPAREN name (COMMA name)* COMMA? RPAREN)?
  ;

declaration
  : ENUM name LBRACE enumVariant (COMMA? enumVariant)* COMMA? RBRACE            # EnumDecl
  | RECORD name LBRACE fieldDecl (COMMA? fieldDecl)* COMMA? RBRACE              # RecordDecl
  | TYPE name ASSIGN typeRef                                                    # TypeAliasDecl
  | CONST name (COLON typeRef)? ASSIGN expr                                     # ConstDecl
  | DEF name LPAREN paramList? RPAREN ARROW typeRef ASSIGN expr                 # FunctionDecl
  | DECISION name LPAREN paramList? RPAREN ARROW typeRef decisionClause* ruleDecl*  # DecisionDecl
  | TEST STRING (AS OF DATE)? LBRACE testStmt* RBRACE                           # TestDecl
  | PARAMETER name COLON typeRef sourceClause? parameterVersion+                  # ParameterDecl
  ;

// One value of a parameter's timeline: `value 20 effective from 2014-03-17 source "..."`.
parameterVersion
  : VALUE expr versionClause*
  ;

versionClause
  : sourceClause                                                                # VersionSource
  | effectivePeriod                                                             # VersionEffective
  ;

effectivePeriod
  : EFFECTIVE (FROM from=DATE)? (UNTIL until=DATE)?
  ;

// `no_award as "none"`: the value is written `no_award` in policies and "none" in JSON (for
// JSON spellings that are keywords or not identifiers).
enumVariant
  : name (AS STRING)?
  ;

// `fixed date_of_birth: Date`: a fact of record, which `policy eval --what-if` never changes.
fieldDecl
  : FIXED? name QUESTION? COLON typeRef
  ;

paramList
  : param (COMMA param)* COMMA?
  ;

param
  : name COLON typeRef
  ;

decisionClause
  : sourceClause                                                                # DecisionSource
  | DEFAULT expr                                                                # DecisionDefault
  | effectivePeriod                                                             # DecisionEffective
  ;

sourceClause
  : SOURCE STRING
  ;

ruleDecl
  : RULE name ruleClause* THEN expr                                             # RuleItem
  | EXCEPTION name TO name (COMMA name)* ruleClause* THEN expr                  # ExceptionItem
  ;

ruleClause
  : sourceClause                                                                # RuleSource
  | effectivePeriod                                                             # RuleEffective
  | WHEN expr                                                                   # RuleWhen
  ;

testStmt
  : LET name (COLON typeRef)? ASSIGN expr                                       # TestLet
  | EXPECT expr IS NOT APPLICABLE                                               # TestExpectNotApplicable
  | EXPECT expr                                                                 # TestExpect
  ;

typeRef
  : typeRef QUESTION                                                            # OptionalType
  | name LT typeRef GT                                                          # GenericType
  | qualifiedName                                                               # NamedType
  ;

expr
  : primary                                                                     # PrimaryExpr
  | expr DOT name                                                               # FieldExpr
  | expr LPAREN argList? RPAREN                                                 # CallExpr
  | expr WITH LBRACE fieldUpdate (COMMA fieldUpdate)* COMMA? RBRACE             # WithExpr
  | expr unit=(DAYS | WEEKS | MONTHS | YEARS)                                   # DurationExpr
  // `e as of d`: e on the date d. Binds tighter than arithmetic, so its date is a field chain,
  // a call or a literal (`f(c) as of c.applied_on`); bracket anything longer.
  | expr AS OF expr                                                             # AsOfExpr
  | MINUS expr                                                                  # NegExpr
  | expr op=(STAR | SLASH | PERCENT) expr                                       # MulExpr
  | expr op=(PLUS | MINUS) expr                                                 # AddExpr
  | expr QQ expr                                                                # CoalesceExpr
  | expr op=(LT | LE | GT | GE | EQEQ | NEQ) expr                               # CompareExpr
  | expr NOT? IN expr                                                           # InExpr
  | expr IS NOT? (NONE | SOME)                                                  # IsExpr
  | NOT expr                                                                    # NotExpr
  | expr AND expr                                                               # AndExpr
  | expr OR expr                                                                # OrExpr
  | IF expr THEN expr ELSE expr                                                 # IfExpr
  | agg=(ALL | ANY | COUNT | SUM | MIN | MAX | FILTER | MAP) name IN expr COLON expr  # AggregateExpr
  ;

primary
  : INT                                                                         # IntLit
  | DECIMAL                                                                     # DecimalLit
  | PERCENTAGE                                                                  # PercentLit
  | STRING                                                                      # StringLit
  | DATE                                                                        # DateLit
  | TRUE                                                                        # TrueLit
  | FALSE                                                                       # FalseLit
  | NONE                                                                        # NoneLit
  | SOME LPAREN expr RPAREN                                                     # SomeExpr
  | name LBRACE (fieldInit (COMMA fieldInit)* COMMA?)? RBRACE                   # RecordLit
  | name                                                                        # NameRef
  | LPAREN expr RPAREN                                                          # ParenExpr
  | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK                                  # ListLit
  | LBRACE (expr (COMMA expr)* COMMA?)? RBRACE                                  # SetLit
  | MATCH expr LBRACE matchArm+ RBRACE                                          # MatchExpr
  ;

argList
  : expr (COMMA expr)* COMMA?
  ;

fieldInit
  : name COLON expr
  ;

fieldUpdate
  : name (DOT name)* ASSIGN expr
  ;

matchArm
  : pattern (PIPE pattern)* FATARROW expr COMMA?
  ;

pattern
  : NONE                                                                        # NonePattern
  | SOME LPAREN name RPAREN                                                     # SomePattern
  | name                                                                        # NamePattern
  ;

qualifiedName
  : name (DOT name)*
  ;

// Soft keywords are valid names so that field names like `source` or `count` still work.
name
  : ID | SOURCE | EFFECTIVE | FROM | UNTIL | TO | OF | ALL | ANY | COUNT | SUM | MIN | MAX
  | FILTER | MAP | DAYS | WEEKS | MONTHS | YEARS | PARAMETER | VALUE | APPLICABLE | FIXED
  ;
