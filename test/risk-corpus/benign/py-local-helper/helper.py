import statistics


def mean(xs):
    return statistics.mean(xs)
