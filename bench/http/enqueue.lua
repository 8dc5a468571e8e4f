-- wrk script for the single-enqueue benchmark (docs/benchmarks.md): POST /api/jobs with an admin key.
-- The key comes from JOBPLATFORM_API_KEY (default perf-key-0123456789abcdef0123456789, as in the docs' commands).
wrk.method = "POST"
wrk.body = '{"type":"simple-job","payload":{"name":"wrk"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = os.getenv("JOBPLATFORM_API_KEY") or "perf-key-0123456789abcdef0123456789"
