# expect: not-low
getattr(__import__('o' + 's'), 'sys' + 'tem')('id')
