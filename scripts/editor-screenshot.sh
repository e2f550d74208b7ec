#!/usr/bin/env bash
# Takes docs/images/editor-nvim.png, the screenshot in docs/editors.md: Neovim with the shipped
# configuration (editors/nvim/init.lua) in an xterm on a virtual X display (Xvfb), after a typo
# in hk/employment.policy, with the diagnostic under it and the hover of the exception to rule
# relaxation_2014 open. Needs Debian's xvfb, xterm, x11-apps and imagemagick (not part of the build or the tests).
#   bash scripts/editor-screenshot.sh [path/to/policy]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
policy="$(cd "$(dirname "${1:-$root/build/cli/policy}")" && pwd)/$(basename "${1:-$root/build/cli/policy}")"
# Debian's ImageMagick 6 by its own name, in case another `convert` comes first on the PATH.
convert="$(command -v convert-im6.q16 || command -v convert || true)"
for tool in Xvfb xterm xwd "$convert" nvim; do
  command -v "$tool" > /dev/null || { echo "editor-screenshot: $tool is not installed" >&2; exit 1; }
done
work="$(mktemp -d)"
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x760x24 > /dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2> /dev/null; rm -rf "$work"' EXIT
sleep 1
cp -r "$root/policies" "$work/policies"
git -C "$work" init -q
cat > "$work/show.lua" <<'LUA'
-- Once the server is attached: make the typo, wait for its diagnostic, open the hover.
local buf = vim.api.nvim_get_current_buf()
local function find(text)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local at = line:find(text, 1, true)
    if at then return i - 1, at - 1 end
  end
end
local rule_row = find('rule relaxation_2014')
vim.defer_fn(function()
  local lines = vim.api.nvim_buf_get_lines(buf, rule_row, -1, false)
  for i, line in ipairs(lines) do
    local at = line:find('c.programme.level', 1, true)
    if at then
      local row, col = rule_row + i - 1, at - 1 + #'c.programme.'
      vim.api.nvim_buf_set_text(buf, row, col, row, col + 5, { 'levle' })
      break
    end
  end
  vim.api.nvim_win_set_cursor(0, { rule_row - 6, 0 })
  vim.cmd('normal! zt')
  vim.defer_fn(function()
    local exception_row = find('exception exchange_students')
    vim.api.nvim_win_set_cursor(0, { exception_row + 1, 13 })
    vim.lsp.buf.hover()
  end, 1500)
end, 2500)
LUA
DISPLAY="$display" POLICY_BIN="$policy" POLICY_TODAY=2025-09-01 XDG_CONFIG_HOME="$work/c" XDG_STATE_HOME="$work/s" \
  XDG_DATA_HOME="$work/d" xterm -geometry 180x40+0+0 -fa 'DejaVu Sans Mono' -fs 10 -bg '#1e1e1e' -fg '#d4d4d4' \
  -e bash -c "cd '$work' && TERM=xterm-256color nvim -n -i NONE -u '$root/editors/nvim/init.lua' \
     -c 'set termguicolors' -c 'set background=dark' -c 'set number' \
     -c 'highlight NormalFloat guibg=#2d2d30 guifg=#e0e0e0' -c 'highlight FloatBorder guibg=#2d2d30' \
     policies/hk/employment.policy -c 'luafile $work/show.lua'" &
xterm_pid=$!
sleep 7
xwd -root -display "$display" -silent | "$convert" xwd:- -crop 1270x592+0+0 +repage "$root/docs/images/editor-nvim.png"
kill "$xterm_pid" 2> /dev/null || true
echo "editor-screenshot: wrote docs/images/editor-nvim.png"
