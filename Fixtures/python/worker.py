#!/usr/bin/env python3
"""A jobledger worker in Python, using only the standard library.

It claims jobs from a `jobledger serve` server with a long poll, renews the
lease while a job runs, completes or fails it, and when a renewal answers
that a cancel was requested it stops the job and acknowledges the cancel.
Then it goes on with the next job: a cancelled job never stops the worker.

    python3 worker.py --url http://127.0.0.1:8080 --token jl_... --type email

The token must be a worker token (`jobledger token create --role worker`);
the server takes the worker's id from it. Each job's "work" here is a sleep
of --work-ms milliseconds in small steps, to show where real work checks
for a cancel; its result echoes the job's input (its "payload") as "input".

Output, one line per fact: `ready`, `claimed ID ATTEMPT`,
`settled completed|failed|cancelAcknowledged|stopped ID ATTEMPT acknowledged|refused`,
and `summary {JSON}` at the end (after --max-jobs jobs, or with --until-idle
when a claim finds nothing).
"""

import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse


class Problem(Exception):
    """An error answer of the server (application/problem+json)."""

    def __init__(self, status, body):
        self.status = status
        try:
            fields = json.loads(body)
        except ValueError:
            fields = {}
        self.kind = fields.get("type", "").rsplit("/", 1)[-1] or str(status)
        self.detail = fields.get("detail", body[:200] if isinstance(body, str) else "")
        self.outcome = fields.get("outcome")
        super().__init__(f"{status} {self.kind}: {self.detail}")


class Client:
    """One keep-alive connection to the server, for one thread."""

    def __init__(self, url, token, timeout):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--url: '{url}' is not http://HOST:PORT")
        self.parts = parts
        self.token = token
        self.timeout = timeout
        self.connection = None

    def _connect(self):
        kind = http.client.HTTPSConnection if self.parts.scheme == "https" else http.client.HTTPConnection
        self.connection = kind(self.parts.hostname, self.parts.port, timeout=self.timeout)

    def call(self, method, path, body=None, extra_timeout=0):
        """Sends a request; returns (status, parsed JSON or None); raises Problem on an error status."""
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self.connection is None:
                self._connect()
            self.connection.timeout = self.timeout + extra_timeout
            if self.connection.sock is not None:
                self.connection.sock.settimeout(self.timeout + extra_timeout)
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.HTTPException, ConnectionError, TimeoutError, OSError):
                # A kept-alive connection the server closed: one new connection.
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise
                continue
            if response.status >= 400:
                raise Problem(response.status, data.decode("utf-8", "replace"))
            return response.status, (json.loads(data) if data else None)

    def close(self):
        if self.connection is not None:
            self.connection.close()


def job_path(job_id, action):
    return f"/v1/jobs/{urllib.parse.quote(job_id, safe='')}/{action}"


class Renewer(threading.Thread):
    """Renews one job's lease until stopped; notes a requested cancel or a refusal."""

    def __init__(self, args, job):
        super().__init__(daemon=True)
        self.client = Client(args.url, args.token, timeout=10)
        self.job = job
        self.lease = args.lease
        self.interval = args.renew_interval or args.lease / 3
        self.stop_event = threading.Event()
        self.stopped_state = None  # "cancelRequested", or "lost" when a renewal was refused

    def run(self):
        try:
            while not self.stop_event.wait(self.interval):
                try:
                    _, answer = self.client.call(
                        "POST", job_path(self.job["id"], "renew"),
                        {"attempt": self.job["attempt"], "lease": self.lease})
                    if answer.get("cancelRequested"):
                        self.stopped_state = "cancelRequested"
                except Problem as problem:
                    if problem.status == 503:
                        continue
                    self.stopped_state = "lost"
                    return
                except OSError:
                    continue  # the server unreachable for now: try at the next interval
        finally:
            self.client.close()

    def stop(self):
        self.stop_event.set()


class Cancelled(Exception):
    pass


def work(renewer, milliseconds):
    """The job's work: small steps, a check for a cancel between each."""
    end = time.monotonic() + milliseconds / 1000
    while True:
        if renewer.stopped_state is not None:
            raise Cancelled(renewer.stopped_state)
        left = end - time.monotonic()
        if left <= 0:
            return {"worker": "python", "workedMs": milliseconds}
        time.sleep(min(0.01, left))


def say(text):
    print(text, flush=True)


def settle(client, job, action, body, kind, counts):
    try:
        client.call("POST", job_path(job["id"], action), dict(body, attempt=job["attempt"]))
        counts[kind] += 1
        say(f"settled {kind} {job['id']} {job['attempt']} acknowledged")
    except Problem as problem:
        counts["refused"] += 1
        say(f"settled {kind} {job['id']} {job['attempt']} refused")


def main():
    parser = argparse.ArgumentParser(description="A jobledger worker using only the Python standard library.")
    parser.add_argument("--url", required=True, help="the server, such as http://127.0.0.1:8080")
    parser.add_argument("--token", required=True, help="a worker token")
    parser.add_argument("--type", action="append", dest="types", help="a job type to claim (repeatable; default any)")
    parser.add_argument("--lease", type=float, default=30, help="seconds each claim and renewal holds a job")
    parser.add_argument("--renew-interval", type=float, default=None, help="seconds between renewals (lease/3)")
    parser.add_argument("--wait", type=float, default=20, help="seconds the server may hold a claim (long poll)")
    parser.add_argument("--work-ms", type=int, default=0, help="milliseconds each job takes")
    parser.add_argument("--fail-type", default=None, help="jobs of this type fail (retryable) instead")
    parser.add_argument("--hang-type", default=None, help="jobs of this type work until cancelled (at most a minute)")
    parser.add_argument("--max-jobs", type=int, default=0, help="stop after this many jobs (0: no limit)")
    parser.add_argument("--until-idle", action="store_true", help="stop when a claim finds nothing")
    args = parser.parse_args()

    client = Client(args.url, args.token, timeout=10)
    counts = {"completed": 0, "failed": 0, "cancelAcknowledged": 0, "stopped": 0, "refused": 0, "errors": 0}
    handled = 0
    say("ready")
    while args.max_jobs == 0 or handled < args.max_jobs:
        wait = 0 if args.until_idle else args.wait
        body = {"lease": args.lease, "wait": wait}
        if args.types:
            body["types"] = args.types
        asked = time.monotonic()
        try:
            status, answer = client.call("POST", "/v1/claims", body, extra_timeout=wait)
        except (Problem, OSError) as error:
            counts["errors"] += 1
            print(f"claim: {error}", file=sys.stderr, flush=True)
            time.sleep(0.2)
            continue
        if status == 204:
            if args.until_idle:
                break
            if time.monotonic() - asked < wait / 2:
                time.sleep(0.2)  # answered empty long before the wait ended: the server is stopping
            continue
        job = answer["job"]
        handled += 1
        say(f"claimed {job['id']} {job['attempt']}")
        renewer = Renewer(args, job)
        renewer.start()
        try:
            if args.fail_type is not None and job["type"] == args.fail_type:
                work(renewer, args.work_ms)
                raise RuntimeError(f"jobs of type {job['type']} fail in this worker")
            hangs = args.hang_type is not None and job["type"] == args.hang_type
            result = work(renewer, 60_000 if hangs else args.work_ms)
            # The job's input is its payload, as it was submitted.
            result["input"] = job.get("payload")
            renewer.stop()
            settle(client, job, "complete", {"result": result}, "completed", counts)
        except Cancelled as stop:
            renewer.stop()
            if str(stop) == "cancelRequested":
                settle(client, job, "ack-cancel", {}, "cancelAcknowledged", counts)
            else:
                counts["stopped"] += 1
                say(f"settled stopped {job['id']} {job['attempt']} refused")
        except Exception as error:  # the work failed: report it, then go on
            renewer.stop()
            settle(client, job, "fail", {"error": str(error), "retryable": True}, "failed", counts)
        renewer.join()
    client.close()
    say("summary " + json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main()
