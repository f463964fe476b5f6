# expect: low
from decimal import Decimal, ROUND_HALF_UP

items = [("widget", Decimal("3.10"), 3), ("gadget", Decimal("12.99"), 1)]
subtotal = sum(price * qty for _, price, qty in items)
tax = (subtotal * Decimal("0.2")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
print(f"subtotal {subtotal} tax {tax} total {subtotal + tax}")
