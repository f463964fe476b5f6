# expect: low
from dataclasses import dataclass, field
from typing import List


@dataclass
class Order:
    sku: str
    qty: int
    price: float
    tags: List[str] = field(default_factory=list)

    def total(self) -> float:
        return self.qty * self.price


orders = [Order("A1", 2, 9.5), Order("B2", 1, 20.0, ["gift"])]
print(sum(o.total() for o in orders))
