// The TextMate grammar, tokenised by vscode-textmate (the engine VS Code itself uses) with the
// Oniguruma regex library: each kind of token of a real policy gets its scope.
//   node test/grammar_test.js FILE.policy
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

async function main() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(
      fs.readFileSync(path.join(__dirname, '..', 'syntaxes', 'policy.tmLanguage.json'), 'utf8'),
      'policy.tmLanguage.json'),
  });
  const grammar = await registry.loadGrammar('source.policy');
  const text = fs.readFileSync(process.argv[2], 'utf8');
  const scopes = new Map();  // token text -> its innermost scope, first seen
  let stack = vsctm.INITIAL;
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, stack);
    for (const t of result.tokens) {
      const token = line.slice(t.startIndex, t.endIndex).trim();
      if (token && !scopes.has(token)) scopes.set(token, t.scopes[t.scopes.length - 1]);
    }
    stack = result.ruleStack;
  }
  const expect = {
    decision: 'keyword.declaration.policy',
    part_time_on_campus_allowed: 'entity.name.function.policy',
    rule: 'keyword.declaration.policy',
    relaxation_2014: 'entity.name.function.policy',
    exception: 'keyword.declaration.policy',
    when: 'keyword.control.policy',
    then: 'keyword.control.policy',
    and: 'keyword.operator.word.policy',
    source: 'keyword.other.rule.policy',
    effective: 'keyword.other.rule.policy',
    '2014-03-17': 'constant.numeric.date.policy',
    'ImmD FAQ Q20': 'string.quoted.double.policy',
    true: 'constant.language.policy',
    Bool: 'support.type.policy',
    'module': 'keyword.declaration.policy',
    'hk.employment': 'entity.name.namespace.policy',
  };
  let failures = 0;
  for (const [token, scope] of Object.entries(expect)) {
    const got = scopes.get(token);
    const ok = got === scope;
    if (!ok) failures += 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${token}: ${got}${ok ? '' : ` (want ${scope})`}`);
  }
  const docLine = text.split('\n').find((l) => l.startsWith('///'));
  const docScope = grammar.tokenizeLine(docLine, vsctm.INITIAL).tokens[0].scopes.at(-1);
  if (docScope !== 'comment.line.documentation.policy') failures += 1;
  console.log(`${docScope === 'comment.line.documentation.policy' ? 'ok  ' : 'FAIL'} doc comment: ${docScope}`);
  process.exit(failures ? 1 : 0);
}
main().catch((e) => { console.error(e); process.exit(1); });
