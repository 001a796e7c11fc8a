"""Scripts that print numbers (never pass/fail), and the judged-query harness they and the tests share.

Run each as a module from the checkout, e.g. `.venv/bin/python -m benchmarks.search_quality`.
"""
