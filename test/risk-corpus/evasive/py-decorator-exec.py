# expect: not-low
@exec
@input
class Payload:
    pass
