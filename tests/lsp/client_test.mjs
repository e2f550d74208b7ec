// Drives `policy lsp` as an editor does, through vscode-jsonrpc (the JSON-RPC layer of VS Code's
// language client), on a copy of the bundled policies. Every expected result is computed here from
// the policy text or from the CLI (`policy check --format json` on the same edited text), never
// typed in: a change to the policies does not break the test, a change to what the server says
// does.
//   node client_test.mjs POLICY_BINARY REPO_ROOT
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as rpc from 'vscode-jsonrpc/node.js';

const [policy, repo] = process.argv.slice(2);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-lsp-'));
fs.cpSync(path.join(repo, 'policies'), path.join(work, 'policies'), { recursive: true });
fs.cpSync(path.join(repo, 'examples', 'cases'), path.join(work, 'examples', 'cases'), { recursive: true });
const root = path.join(work, 'policies');
const uriOf = (p) => 'file://' + p;
const employment = path.join(root, 'hk', 'employment.policy');
const common = path.join(root, 'hk', 'common.policy');
const original = fs.readFileSync(employment, 'utf8');

let failures = 0;
let checks = 0;
function check(ok, what, detail) {
  checks += 1;
  if (ok) {
    console.log(`ok   ${what}`);
  } else {
    failures += 1;
    console.log(`FAIL ${what}${detail === undefined ? '' : `\n     ${detail}`}`);
  }
}
const same = (a, b) => isDeepStrictEqual(a, b);
const show = (v) => JSON.stringify(v);

// ---- text helpers: positions computed from the text itself ---------------------------------
function positionOf(text, needle, { nth = 0, offsetInNeedle = 0, after = 0 } = {}) {
  let at = text.indexOf(needle, after);
  for (let i = 0; i < nth && at >= 0; i += 1) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`\`${needle}\` is not in the text`);
  return offsetToPosition(text, at + offsetInNeedle);
}
function offsetToPosition(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };  // ASCII: UTF-16 = bytes
}
const rangeOf = (text, offset, length) => ({
  start: offsetToPosition(text, offset),
  end: offsetToPosition(text, offset + length),
});
// Where `word` is written as a name (not inside a comment or a text literal) in `text`.
function nameOccurrences(text, word) {
  const out = [];
  const re = new RegExp(`\\b${word}\\b`, 'g');
  const lines = text.split('\n');
  let base = 0;
  for (const line of lines) {
    const code = line.replace(/\/\/.*$/, (m) => ' '.repeat(m.length)).replace(/"[^"]*"/g, (m) => ' '.repeat(m.length));
    for (const m of code.matchAll(re)) out.push(rangeOf(text, base + m.index, word.length));
    base += line.length + 1;
  }
  return out;
}
function policyFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? policyFiles(path.join(dir, e.name)) : e.name.endsWith('.policy') ? [path.join(dir, e.name)] : []);
}
const sortLocations = (list) => [...list].sort((a, b) =>
  a.uri.localeCompare(b.uri) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);

// ---- the CLI's view of the same text ----------------------------------------------------------
function cliDiagnostics(editedText) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-cli-'));
  fs.cpSync(root, path.join(dir, 'policies'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'policies', 'hk', 'employment.policy'), editedText);
  const r = spawnSync(policy, ['check', '--format', 'json', path.join(dir, 'policies')], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return JSON.parse(r.stdout || '[]').map((d) => ({
    code: d.code,
    range: {
      start: { line: d.line - 1, character: d.column - 1 },
      end: { line: d.end_line - 1, character: d.end_column - 1 },
    },
  }));
}

// ---- the server --------------------------------------------------------------------------------
const server = spawn(policy, ['lsp', '--as-of', '2025-09-01', '--lint-delay', '50', root], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(server.stdout),
  new rpc.StreamMessageWriter(server.stdin));
const diagnostics = new Map();  // uri -> latest list
const waiters = [];
connection.onNotification('textDocument/publishDiagnostics', (p) => {
  diagnostics.set(p.uri, p.diagnostics);
  for (const w of [...waiters]) {
    if (w.uri === p.uri && w.test(p.diagnostics)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(p.diagnostics);
    }
  }
});
connection.onNotification('window/logMessage', (p) => console.log(`     server log: ${p.message}`));
connection.listen();

function diagnosticsFor(uri, test, what) {
  const now = diagnostics.get(uri);
  if (now && test(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; last: ${show(diagnostics.get(uri))}`)), 20000);
    waiters.push({ uri, test, resolve: (d) => { clearTimeout(timer); resolve(d); } });
  });
}

let version = 1;
function changeWhole(file, text) {
  version += 1;
  return connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: uriOf(file), version },
    contentChanges: [{ text }],
  });
}
const at = (file, position) => ({ textDocument: { uri: uriOf(file) }, position });

try {
  const init = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: uriOf(work),
    capabilities: { general: { positionEncodings: ['utf-16'] } },
  });
  const caps = init.capabilities;
  check(caps.positionEncoding === 'utf-16' && caps.textDocumentSync.change === 2 && caps.hoverProvider &&
        caps.definitionProvider && caps.referencesProvider && caps.renameProvider.prepareProvider &&
        caps.documentFormattingProvider && caps.completionProvider.triggerCharacters.includes('.'),
        'initialize: capabilities', show(caps));
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: uriOf(employment), languageId: 'policy', version, text: original },
  });
  const clean = await diagnosticsFor(uriOf(employment), () => true, 'the first diagnostics');
  check(clean.length === 0, 'the bundled employment.policy has no diagnostics', show(clean));

  // ---- a typo: E0203 at the CLI's range, with the record's declaration as related information
  const relaxation = original.indexOf('rule relaxation_2014');
  const levelAt = original.indexOf('c.programme.level', relaxation) + 'c.programme.'.length;
  const typo = original.slice(0, levelAt) + 'levle' + original.slice(levelAt + 'level'.length);
  const t0 = performance.now();
  await changeWhole(employment, typo);
  const withTypo = await diagnosticsFor(uriOf(employment), (d) => d.length > 0, 'E0203');
  const latency = performance.now() - t0;
  const cli = cliDiagnostics(typo);
  check(same(withTypo.map((d) => ({ code: d.code, range: d.range })), cli),
        'a typo: the same code and range as `policy check`', `lsp ${show(withTypo)}\n     cli ${show(cli)}`);
  check(withTypo[0].code === 'E0203' && same(withTypo[0].range, rangeOf(typo, levelAt, 5)) &&
        withTypo[0].severity === 1 && withTypo[0].message.includes('did you mean `level`?') &&
        withTypo[0].relatedInformation?.[0]?.location.uri === uriOf(path.join(root, 'hk', 'case.policy')),
        'a typo: E0203 under `levle`, with help and the record as related information', show(withTypo[0]));
  console.log(`     (diagnostics ${latency.toFixed(1)} ms after the edit)`);
  // The help as a quick fix: the code action for the diagnostic the client holds writes `level`
  // in place of `levle` (issue 34).
  const actions = await connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uriOf(employment) }, range: withTypo[0].range,
    context: { diagnostics: [withTypo[0]] },
  });
  const fix = actions?.[0]?.edit?.changes?.[uriOf(employment)]?.[0];
  check(actions?.length === 1 && actions[0].kind === 'quickfix' && fix?.newText === 'level' &&
        same(fix.range, rangeOf(typo, levelAt, 5)),
        'a typo: the quick fix writes `level` in its place', show(actions));

  // ---- a type error, sent as an incremental change; then fixed
  const thenAt = original.indexOf('then true', relaxation) + 'then '.length;
  const start = offsetToPosition(original, thenAt);
  version += 1;
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: uriOf(employment), version },
    contentChanges: [
      { range: rangeOf(typo, levelAt, 5), text: 'level' },  // the typo fixed
      { range: { start, end: { line: start.line, character: start.character + 4 } }, text: '20' },
    ],
  });
  const typeError = original.slice(0, thenAt) + '20' + original.slice(thenAt + 4);
  const withTypeError = await diagnosticsFor(uriOf(employment), (d) => d.some((x) => x.code === 'E0301'), 'E0301');
  const cliTypeError = cliDiagnostics(typeError);
  check(same(withTypeError.map((d) => ({ code: d.code, range: d.range })), cliTypeError) &&
        same(withTypeError[0].range, rangeOf(typeError, thenAt, 2)),
        'a type error by an incremental edit: E0301 under `20`, as `policy check` says', show(withTypeError));
  await changeWhole(employment, original);
  const cleared = await diagnosticsFor(uriOf(employment), (d) => d.length === 0, 'the cleared diagnostics');
  check(cleared.length === 0, 'fixed: the diagnostics are cleared');

  // ---- lint after a pause: an unused function is W0101, faded as unnecessary
  const unused = original + '\ndef unused_helper(x: Int) -> Int = x + 1\n';
  await changeWhole(employment, unused);
  const lint = await diagnosticsFor(uriOf(employment), (d) => d.some((x) => x.code === 'W0101'), 'W0101');
  const w = lint.find((x) => x.code === 'W0101');
  check(w.severity === 2 && same(w.tags, [1]) && same(w.range, rangeOf(unused, unused.indexOf('unused_helper'), 13)),
        'lint after a pause: W0101 on the unused function, tagged unnecessary', show(w));
  await changeWhole(employment, original);
  await diagnosticsFor(uriOf(employment), (d) => d.length === 0, 'no warnings after removing it');
  check(true, 'removing it clears the warning');

  // ---- hover: the rule's source, dates and quoted law; a field's JSON path; a parameter's value
  const hoverRule = await connection.sendRequest('textDocument/hover',
    at(employment, positionOf(original, 'rule relaxation_2014', { offsetInNeedle: 8 })));
  const ruleDoc = original.slice(original.lastIndexOf('/// "Moreover', relaxation), relaxation)
    .split('\n').map((l) => l.trim().replace(/^\/\/\/ ?/, '')).filter((l) => l).join('  \n');
  check(hoverRule.contents.kind === 'markdown' &&
        hoverRule.contents.value === '```policy\nrule relaxation_2014\n```\n\n' +
          'rule of decision `hk.employment.part_time_on_campus_allowed`\n\n' + ruleDoc + '\n\n' +
          '**Source:** ImmD FAQ Q20  \n**In force:** effective from 2014-03-17  \n' &&
        same(hoverRule.range, rangeOf(original, relaxation + 5, 'relaxation_2014'.length)),
        'hover on a rule: signature, decision, quoted law, source and dates', show(hoverRule));
  const hoverField = await connection.sendRequest('textDocument/hover',
    at(employment, positionOf(original, 'c.programme.level', { offsetInNeedle: 13, after: relaxation })));
  check(hoverField.contents.value === '```policy\nlevel: Level\n```\n\nfield in `hk.case.Programme`\n\n' +
          '**JSON path:** `$.programme.level` of the case record  \n',
        'hover on a field read from the case: its type and JSON path', show(hoverField));
  const paramAt = original.indexOf('parameter part_time_hours_per_week') + 'parameter '.length;
  const hoverParam = await connection.sendRequest('textDocument/hover', at(employment, offsetToPosition(original, paramAt)));
  check(hoverParam.contents.value.includes('**Value on 2025-09-01:** `20`'),
        'hover on a parameter: its value in effect on the date', show(hoverParam));

  // ---- definition and references of a function declared in another file
  const commonText = fs.readFileSync(common, 'utf8');
  const ftla = await connection.sendRequest('textDocument/definition',
    at(employment, positionOf(original, 'ft_la(c.programme)', { offsetInNeedle: 2 })));
  check(same(ftla, { uri: uriOf(common), range: rangeOf(commonText, commonText.indexOf('def ft_la') + 4, 5) }),
        'definition: `ft_la` in common.policy', show(ftla));
  const refs = await connection.sendRequest('textDocument/references', {
    ...at(employment, positionOf(original, 'ft_la(c.programme)', { offsetInNeedle: 2 })),
    context: { includeDeclaration: true },
  });
  const expectedRefs = policyFiles(root).flatMap((f) =>
    nameOccurrences(fs.readFileSync(f, 'utf8'), 'ft_la').map((range) => ({ uri: uriOf(f), range })));
  check(expectedRefs.length > 5 && same(sortLocations(refs), sortLocations(expectedRefs)),
        `references: every use of \`ft_la\` in every file (${expectedRefs.length})`,
        `got ${show(sortLocations(refs))}\n     want ${show(sortLocations(expectedRefs))}`);

  // ---- completion: the fields of Programme after `c.programme.`; an enum's values after `==`
  const caseText = fs.readFileSync(path.join(root, 'hk', 'case.policy'), 'utf8');
  const fieldsOf = (record) => {
    const body = caseText.slice(caseText.indexOf(`record ${record} {`), caseText.indexOf('}', caseText.indexOf(`record ${record} {`)));
    return [...body.matchAll(/^\s+(?:fixed\s+)?(\w+)\??:/gm)].map((m) => m[1]);
  };
  const dotAt = original.indexOf('c.programme.level', relaxation) + 'c.programme.'.length;
  const completed = original.slice(0, dotAt) + original.slice(dotAt + 'level'.length);
  await changeWhole(employment, completed);
  const fields = await connection.sendRequest('textDocument/completion',
    at(employment, offsetToPosition(completed, dotAt)));
  check(same(fields.items.map((i) => i.label), fieldsOf('Programme')) && fields.items.every((i) => i.kind === 5),
        'completion after `c.programme.` in a half-typed file: the fields of Programme', show(fields.items.map((i) => i.label)));
  const originAt = original.indexOf('c.programme.origin == local', relaxation) + 'c.programme.origin == '.length;
  const comparing = original.slice(0, originAt) + original.slice(originAt + 'local'.length);
  await changeWhole(employment, comparing);
  const values = await connection.sendRequest('textDocument/completion',
    at(employment, offsetToPosition(comparing, originAt)));
  const originValues = caseText.match(/enum Origin \{([^}]*)\}/)[1].split(/[\s,]+/).filter((v) => v && !v.startsWith('"'));
  check(same(values.items.slice(0, originValues.length).map((i) => i.label), originValues) && values.items[0].preselect,
        'completion after `c.programme.origin ==`: the values of Origin first', show(values.items.slice(0, 6).map((i) => i.label)));
  await changeWhole(employment, original);
  await diagnosticsFor(uriOf(employment), (d) => d.length === 0, 'clean again');

  // ---- rename across files, applied, and the set still checks
  const renamePosition = positionOf(original, 'def part_time_route', { offsetInNeedle: 4 });
  const prepared = await connection.sendRequest('textDocument/prepareRename', at(employment, renamePosition));
  check(prepared.placeholder === 'part_time_route', 'prepareRename: the name under the cursor', show(prepared));
  const edit = await connection.sendRequest('textDocument/rename', { ...at(employment, renamePosition), newName: 'part_time_work_route' });
  const expectedEdits = {};
  for (const f of policyFiles(root)) {
    const occurrences = nameOccurrences(fs.readFileSync(f, 'utf8'), 'part_time_route');
    if (occurrences.length) expectedEdits[uriOf(f)] = occurrences.map((range) => ({ range, newText: 'part_time_work_route' }));
  }
  const sortEdits = (changes) => Object.fromEntries(Object.entries(changes).sort().map(([u, e]) =>
    [u, [...e].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character)]));
  check(same(sortEdits(edit.changes), sortEdits(expectedEdits)), 'rename: every use in every file',
        `got ${show(sortEdits(edit.changes))}\n     want ${show(sortEdits(expectedEdits))}`);
  let badName = null;
  try {
    await connection.sendRequest('textDocument/rename', { ...at(employment, renamePosition), newName: 'not valid' });
  } catch (e) {
    badName = e;
  }
  check(badName && badName.code === -32602 && /not a name/.test(badName.message), 'rename to `not valid`: an error', show(badName));
  // Apply the edit as an editor would, to every file, and see the set still check.
  for (const [uri, edits] of Object.entries(edit.changes)) {
    const file = uri.slice('file://'.length);
    let text = fs.readFileSync(file, 'utf8');
    const lineStarts = [0];
    for (let i = 0; i < text.length; i += 1) if (text[i] === '\n') lineStarts.push(i + 1);
    for (const e of [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)) {
      const s = lineStarts[e.range.start.line] + e.range.start.character;
      const t = lineStarts[e.range.end.line] + e.range.end.character;
      text = text.slice(0, s) + e.newText + text.slice(t);
    }
    if (file === employment) {
      await changeWhole(employment, text);
    } else {
      fs.writeFileSync(file, text);
      await connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 2 }] });
    }
  }
  const afterRename = await connection.sendRequest('workspace/symbol', { query: 'part_time_work_route' });
  const renamedClean = await diagnosticsFor(uriOf(employment), (d) => d.length === 0, 'no errors after the rename');
  check(afterRename.length === 1 && afterRename[0].name === 'part_time_work_route' && renamedClean.length === 0,
        'the renamed set checks, and the new name is found', show(afterRename));

  // ---- formatting gives the canonical layout back
  const messy = original.replace('decision part_time_on_campus_allowed(c: Case) -> Bool',
    'decision   part_time_on_campus_allowed( c :Case )->Bool');
  await changeWhole(employment, messy);
  const formatted = await connection.sendRequest('textDocument/formatting',
    { textDocument: { uri: uriOf(employment) }, options: { tabSize: 2, insertSpaces: true } });
  const canonical = spawnSync(policy, ['fmt', '-'], { input: messy, encoding: 'utf8' }).stdout;
  check(formatted.length === 1 && formatted[0].newText === canonical && canonical.includes('decision part_time_on_campus_allowed(c: Case) -> Bool'),
        'formatting: the layout of `policy fmt`', show(formatted).slice(0, 300));

  // ---- symbols
  const symbols = await connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uriOf(employment) } });
  const decision = symbols.find((s) => s.name === 'part_time_on_campus_allowed');
  check(decision && same(decision.children.map((c) => c.name), ['relaxation_2014', 'exchange_students']) && decision.kind === 12,
        'document symbols: the decision with its rule and exception', show(decision));
  const picked = await connection.sendRequest('workspace/symbol', { query: 'ptoca' });
  check(picked[0]?.name === 'part_time_on_campus_allowed', 'workspace symbols: `ptoca` finds it first', show(picked.slice(0, 3)));

  // ---- semantic tokens: names coloured by what the checker decided they are
  await changeWhole(employment, original);
  await diagnosticsFor(uriOf(employment), (d) => d.length === 0, 'clean before the tokens');
  const legend = caps.semanticTokensProvider.legend;
  const tokens = await connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri: uriOf(employment) } });
  const decoded = new Map();  // "line:character" -> [type, modifiers]
  let line = 0;
  let character = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    const [dl, dc, , type, mods] = tokens.data.slice(i, i + 5);
    line += dl;
    character = dl === 0 ? character + dc : dc;
    decoded.set(`${line}:${character}`, [legend.tokenTypes[type],
      legend.tokenModifiers.filter((_, bit) => mods & (1 << bit))]);
  }
  const tokenAt = (offset) => { const p = offsetToPosition(original, offset); return decoded.get(`${p.line}:${p.character}`); };
  const decisionAt = original.indexOf('decision part_time_on_campus_allowed') + 'decision '.length;
  check(same(tokenAt(decisionAt), ['function', ['declaration']]) &&
        same(tokenAt(levelAt), ['property', []]) &&
        same(tokenAt(original.indexOf('== local', relaxation) + 3), ['enumMember', []]) &&
        same(tokenAt(relaxation + 5), ['method', ['declaration']]) &&
        same(tokenAt(original.indexOf('to relaxation_2014') + 3), ['method', []]) &&
        same(tokenAt(original.indexOf('ft_la(c.programme)', relaxation) + 6), ['parameter', []]),
        'semantic tokens: decision, field, enum value, rule (declared and as a target), local',
        show([tokenAt(decisionAt), tokenAt(levelAt), tokenAt(relaxation + 5)]));

  // ---- inlay hints: a parameter's value in effect after each use
  const paramUse = original.indexOf('part_time_hours_per_week', original.indexOf('parameter part_time_hours_per_week') + 30);
  const hints = await connection.sendRequest('textDocument/inlayHint', {
    textDocument: { uri: uriOf(employment) },
    range: { start: { line: 0, character: 0 }, end: offsetToPosition(original, original.length) },
  });
  const hint = hints.find((h) => same(h.position, offsetToPosition(original, paramUse + 'part_time_hours_per_week'.length)));
  check(hint && hint.label === '= 20' && /2025-09-01/.test(hint.tooltip), 'inlay hint: `= 20` after a use of the parameter', show(hints.slice(0, 3)));

  // ---- code lenses and the commands they run
  const lenses = await connection.sendRequest('textDocument/codeLens', { textDocument: { uri: uriOf(employment) } });
  const testName = original.match(/^test "([^"]+)"/m)[1];
  const runLens = lenses.find((l) => l.command.command === 'policy.runTest' && l.command.arguments[1] === testName);
  const evalLens = lenses.find((l) => l.command.command === 'policy.evaluate' &&
    l.command.arguments[0] === 'hk.employment.part_time_on_campus_allowed');
  const caseFiles = fs.readdirSync(path.join(repo, 'examples', 'cases')).filter((f) => f.endsWith('.json'));
  check(runLens && runLens.command.title === '▶ run test' && evalLens &&
        evalLens.command.title === `▶ evaluate on the example cases (${caseFiles.length})`,
        'code lenses: run a test, evaluate a decision', show(lenses.slice(0, 2)));
  const ran = await connection.sendRequest('workspace/executeCommand', runLens.command);
  check(ran.ok && ran.summary === `PASS test "${testName}"`, 'run test: PASS', show(ran));
  const evaluated = await connection.sendRequest('workspace/executeCommand', evalLens.command);
  const cliValues = caseFiles.map((f) => spawnSync(policy, ['eval', '-d', 'hk.employment.part_time_on_campus_allowed',
    '--input', path.join(repo, 'examples', 'cases', f), '--as-of', '2025-09-01', '--format', 'json', root], { encoding: 'utf8' }))
    .filter((r) => r.status === 0).map((r) => JSON.stringify(JSON.parse(r.stdout).value));
  const lspValues = evaluated.details.trim().split('\n').map((l) => l.split(': ')[1].split(' (')[0]);
  check(evaluated.ok && same(lspValues, cliValues), 'evaluate on the example cases: the values `policy eval` gives',
        `lsp ${show(evaluated)}\n     cli ${show(cliValues)}`);

  // ---- requests the server does not know, and bad params, are errors, not crashes
  let unknown = null;
  try { await connection.sendRequest('textDocument/noSuchThing', {}); } catch (e) { unknown = e; }
  check(unknown?.code === -32601, 'an unknown request: MethodNotFound', show(unknown));
  let badParams = null;
  try { await connection.sendRequest('textDocument/hover', { textDocument: 42 }); } catch (e) { badParams = e; }
  check(badParams?.code === -32602, 'hover with malformed params: InvalidParams', show(badParams));

  // ---- shutdown and exit
  await connection.sendRequest('shutdown');
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  await connection.sendNotification('exit');
  const status = await exited;
  check(status.code === 0 && status.signal === null, 'shutdown then exit: exit code 0', show(status));
} catch (e) {
  failures += 1;
  console.log(`FAIL ${e.stack || e}`);
  server.kill();
} finally {
  connection.dispose();
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`${checks - failures}/${checks} checks passed`);
process.exit(failures === 0 ? 0 : 1);
