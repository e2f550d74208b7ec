-- A complete Neovim configuration for policy files, for trying the editor support without
-- touching your own: `nvim -u editors/nvim/init.lua policies/hk/employment.policy`.
-- In your own configuration, add editors/nvim to 'runtimepath' and call the setup below.
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
vim.opt.runtimepath:prepend(here)
vim.cmd('filetype plugin on')
vim.cmd('syntax on')

local policy = vim.env.POLICY_BIN or 'policy'
local cmd = { policy, 'lsp' }
if vim.env.POLICY_TODAY then
  table.insert(cmd, '--as-of')
  table.insert(cmd, vim.env.POLICY_TODAY)
end
require('policy_lsp').setup({ cmd = cmd, paths = vim.env.POLICY_PATHS and vim.split(vim.env.POLICY_PATHS, ':') or nil })

vim.diagnostic.config({ virtual_text = true, signs = true, underline = true })
