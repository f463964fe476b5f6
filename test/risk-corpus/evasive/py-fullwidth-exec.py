# expect: not-low
ｅｘｅｃ('print(1)')
