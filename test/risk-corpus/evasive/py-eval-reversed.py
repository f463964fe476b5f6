# expect: not-low
eval("))'di'(metsys.)'so'(__tropmi__"[::-1])
