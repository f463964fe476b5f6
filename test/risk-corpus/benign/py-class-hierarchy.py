# expect: low
class Shape:
    def __init__(self, name):
        self.name = name

    def area(self):
        raise NotImplementedError


class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h

    def __repr__(self):
        return f"Rect({self.w}, {self.h})"


shapes = [Rect(2, 3), Rect(4, 5)]
print(sorted(shapes, key=lambda s: s.area()), sum(s.area() for s in shapes))
