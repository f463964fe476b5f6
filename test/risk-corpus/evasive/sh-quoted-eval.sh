# expect: not-low
"ev"al 'id'
