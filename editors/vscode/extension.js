// Starts `policy lsp` for the workspace and connects VS Code to it (vscode-languageclient).
// Everything the editor shows about a policy (diagnostics, hover, definitions, completion,
// formatting) comes from the server: this file only says how to start it.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration('policy');
  const args = ['lsp'];
  const asOf = config.get('asOf');
  if (asOf) {
    args.push('--as-of', asOf);
  }
  return { command: config.get('server.path') || 'policy', args, transport: TransportKind.stdio };
}

async function activate(context) {
  const config = vscode.workspace.getConfiguration('policy');
  client = new LanguageClient('policy', 'Policy language server', serverOptions(), {
    documentSelector: [{ scheme: 'file', language: 'policy' }, { scheme: 'untitled', language: 'policy' }],
    initializationOptions: config.get('paths').length ? { paths: config.get('paths') } : {},
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.policy') },
  });
  context.subscriptions.push(
    vscode.commands.registerCommand('policy.restartServer', async () => {
      await client.restart();
    }),
  );
  await client.start();
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
