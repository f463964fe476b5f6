# expect: not-low
import os
vars(os)['system']('id')
