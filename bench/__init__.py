"""Benchmarks of the portal's heavy paths, run against real services (see
docs/performance.md). Nothing here is imported by the application."""
