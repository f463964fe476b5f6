# expect: not-low
class Row:
    pass

print('{0.__class__.__init__.__globals__}'.format(Row()))
