" .policy files are the policy language.
autocmd BufRead,BufNewFile *.policy setfiletype policy
