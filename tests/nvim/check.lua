-- Run inside headless Neovim started with the shipped configuration (tests/nvim_lsp.sh):
-- waits for `policy lsp` to attach, makes a typo as a user would (an edit of the buffer, sent
-- to the server by Neovim's own client), waits for the diagnostic, asks for a hover, and writes
-- what it saw to $POLICY_NVIM_OUT for the shell to compare with the CLI.
local out = assert(io.open(vim.env.POLICY_NVIM_OUT, 'w'))
local function finish(code)
  out:close()
  vim.cmd(code == 0 and 'qall!' or 'cquit! ' .. code)
end
local function fail(message)
  out:write('FAIL ' .. message .. '\n')
  finish(1)
end

local bufnr = vim.api.nvim_get_current_buf()
if vim.bo[bufnr].filetype ~= 'policy' then
  return fail('the buffer is not of filetype policy: ' .. vim.bo[bufnr].filetype)
end
if not vim.wait(20000, function()
  local clients = vim.lsp.buf_get_clients(bufnr)
  for _, c in pairs(clients) do
    if c.initialized then
      return true
    end
  end
  return false
end, 20) then
  return fail('policy lsp did not attach within 20 s')
end
out:write('attached\n')

-- The typo: `level` -> `levle` in rule relaxation_2014.
local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
local row, col
local in_rule = false
for i, line in ipairs(lines) do
  if line:find('rule relaxation_2014', 1, true) then
    in_rule = true
  end
  local at = in_rule and line:find('c.programme.level', 1, true)
  if at then
    row, col = i - 1, at - 1 + #'c.programme.'
    break
  end
end
if not row then
  return fail('rule relaxation_2014 reads no c.programme.level')
end
vim.api.nvim_buf_set_text(bufnr, row, col, row, col + 5, { 'levle' })
if not vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20) then
  return fail('no diagnostic within 20 s of the edit')
end
local d = vim.diagnostic.get(bufnr)[1]
local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
out:write(string.format('diagnostic %s %d:%d-%d:%d\n', code, d.lnum + 1, d.col + 1, d.end_lnum + 1, d.end_col + 1))
vim.cmd('silent write! ' .. vim.fn.fnameescape(vim.env.POLICY_NVIM_EDITED))

-- Hover on the field typed right, one line up or down does not matter: the rule's name.
local rule_row
for i, line in ipairs(lines) do
  if line:find('rule relaxation_2014', 1, true) then
    rule_row = i - 1
  end
end
local results = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  position = { line = rule_row, character = 8 },
}, 10000)
local hover
for _, r in pairs(results or {}) do
  hover = r.result and r.result.contents and r.result.contents.value
end
if not hover then
  return fail('no hover on the rule')
end
out:write('hover-source ' .. (hover:match('%*%*Source:%*%* ([^\n]*)') or '?'):gsub('%s+$', '') .. '\n')

-- Fix it; the diagnostic goes away.
vim.api.nvim_buf_set_text(bufnr, row, col, row, col + 5, { 'level' })
if not vim.wait(20000, function() return #vim.diagnostic.get(bufnr) == 0 end, 20) then
  return fail('the diagnostic stayed after the fix')
end
out:write('cleared\n')
finish(0)
