# expect: not-low
source = 'print(40 + 2)'
code = compile(source, '<x>', 'exec')
exec(code)
