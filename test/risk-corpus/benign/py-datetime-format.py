# expect: low
from datetime import datetime, timedelta, timezone

start = datetime(2024, 1, 31, 12, 0, tzinfo=timezone.utc)
for i in range(3):
    day = start + timedelta(days=i)
    print(day.strftime("%Y-%m-%d %a"), day.isoformat())
