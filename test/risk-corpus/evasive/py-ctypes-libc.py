# expect: not-low
import ctypes
libc = ctypes.CDLL(None)
libc.system(b'id')
