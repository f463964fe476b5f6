# expect: not-low
import typing

def f(x: "__import__('os').system('id')"):
    return x

typing.get_type_hints(f)
