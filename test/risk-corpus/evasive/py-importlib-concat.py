# expect: not-low
import importlib
mod = importlib.import_module('o' + 's')
mod.system('id')
