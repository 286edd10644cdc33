"""Load test of casting: locust against gunicorn and a private PostgreSQL on loopback.

``python -m benchmarks.load --json`` runs it; ``stack`` and ``seed`` are shared with the fault tests.
"""
