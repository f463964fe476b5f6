# expect: low
from enum import Enum


class Status(Enum):
    OPEN = "open"
    DONE = "done"


tasks = [("write", Status.OPEN), ("test", Status.DONE)]
done = [name for name, status in tasks if status is Status.DONE]
print(", ".join(done), Status("open").name)
