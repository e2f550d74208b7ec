-- Starts `policy lsp` for policy files in Neovim 0.7 or later, with the built-in LSP client.
--
--   require('policy_lsp').setup({
--     cmd = { 'policy', 'lsp' },      -- the server; add '--as-of', 'YYYY-MM-DD' to fix the date
--     paths = { 'policies' },         -- the policy set, relative to the root (default: the root)
--     root_markers = { '.git' },      -- the root is the nearest directory holding one of these
--     on_attach = function(client, bufnr) end,  -- your key maps
--   })
--
-- One server runs per root; every policy buffer under that root attaches to it.
local M = {}

local defaults = {
  cmd = { 'policy', 'lsp' },
  paths = nil,
  root_markers = { '.git' },
  on_attach = nil,
}

local clients = {} -- root -> client id

local function find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  while true do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return vim.fn.fnamemodify(path, ':p:h')
    end
    dir = parent
  end
end

local function default_on_attach(_, bufnr)
  local map = function(keys, fn)
    vim.api.nvim_buf_set_keymap(bufnr, 'n', keys, '', { noremap = true, silent = true, callback = fn })
  end
  map('K', vim.lsp.buf.hover)
  map('gd', vim.lsp.buf.definition)
  map('gr', vim.lsp.buf.references)
  map('<leader>rn', vim.lsp.buf.rename)
  map('<leader>f', vim.lsp.buf.formatting)
  map('<leader>e', vim.diagnostic.open_float)
  vim.api.nvim_buf_set_option(bufnr, 'omnifunc', 'v:lua.vim.lsp.omnifunc')
end

function M.attach(bufnr, opts)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == '' then
    return
  end
  local root = find_root(path, opts.root_markers)
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client({
      name = 'policy',
      cmd = opts.cmd,
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      init_options = opts.paths and { paths = opts.paths } or vim.empty_dict(),
      on_attach = opts.on_attach or default_on_attach,
    })
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

function M.setup(user)
  local opts = vim.tbl_deep_extend('force', defaults, user or {})
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'policy',
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
end

return M
