"""Benchmarks: requests and capacity per operation, CPU overhead, latency over real
protocol servers, cold start, cleanup scaling. Run with ``make bench`` or
``python -m bench``; figures are medians of repetitions, measured side by side."""
