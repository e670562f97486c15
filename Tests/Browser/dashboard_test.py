#!/usr/bin/env python3
"""The dashboard in a real browser: headless Chromium driven by Selenium
against a live `jobledger serve` with the Python worker of Fixtures/python
running as a separate process.

    python3 Tests/Browser/dashboard_test.py --jobledger .build/debug/jobledger

It signs in, filters, opens a job, reads its timeline, moves the
time-travel control, cancels a running job and watches it become cancelled
when the worker acknowledges (without reloading), checks that a user sees
no kill button and that a forged kill is refused by the ledger, writes
`<script>` and `"onmouseover=` into every writable field and checks that
nothing runs, cancels two jobs at once from the jobs table, watches a new
event appear on the events page without a reload, compares the events
export with `jobledger export`, and takes a screenshot of each page (--screenshots, default
.build/screenshots). Prints one line per check and `browser: N passed, N
failed` at the end; exits 1 when a check failed.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSTILE = '<script>window.pwned=1</script>"onmouseover="window.pwned=1'


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name} {detail}", flush=True)
        return condition


class Ledger:
    """A temporary ledger with tokens, a server over it and a worker process."""

    def __init__(self, jobledger):
        self.jobledger = jobledger
        self.directory = tempfile.mkdtemp(prefix="jobledger-browser-")
        self.path = os.path.join(self.directory, "ledger")
        self.processes = []
        self.tokens = {}
        for actor, role in [("alice", "user"), ("root", "admin"), ("ops", "system"), ("w-py", "worker"), ("w-script", "worker")]:
            out = subprocess.run(
                [jobledger, "token", "create", "--db", self.path, "--actor", actor, "--role", role, "--org", "acme", "--json"],
                check=True, capture_output=True, text=True).stdout
            self.tokens[actor] = json.loads(out)["token"]
        env = dict(os.environ, JOBLEDGER_NOSYNC="1")
        self.server = subprocess.Popen(
            [jobledger, "serve", "--db", self.path, "--listen", "127.0.0.1:0", "--log-level", "warning"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        self.processes.append(self.server)
        line = self.server.stdout.readline().strip()
        if not line.startswith("listening on "):
            raise RuntimeError(f"the server did not start: {line!r}")
        self.url = line[len("listening on "):]

    def start_worker(self):
        self.worker = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "Fixtures/python/worker.py"), "--url", self.url,
             "--token", self.tokens["w-py"], "--type", "email", "--type", "hang", "--hang-type", "hang",
             "--work-ms", "300", "--lease", "10", "--renew-interval", "2", "--wait", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.processes.append(self.worker)

    def api(self, method, path, token, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.tokens[token]}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read().decode() or "null")

    def wait_for_state(self, job_id, state, timeout=15):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            status, job = self.api("GET", f"/v1/jobs/{urllib.parse.quote(job_id, safe='')}", "ops")
            if status == 200 and job["state"] == state:
                return True
            time.sleep(0.05)
        return False

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--lang=en-GB"]:
        options.add_argument(argument)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(20)
    return driver


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobledger", required=True, help="the jobledger executable (jobledger-server beside it)")
    parser.add_argument("--screenshots", default=os.path.join(ROOT, ".build/screenshots"))
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    checks = Checks()
    ledger = Ledger(args.jobledger)
    try:
        run(ledger, args, checks)
    finally:
        ledger.stop()
    print(f"browser: {checks.passed} passed, {checks.failed} failed", flush=True)
    return 0 if checks.failed == 0 else 1


def run(ledger, args, checks):
    # Jobs: mail in a nightly batch the worker completes, one job the worker
    # holds until it is cancelled, one it never claims, and one written with
    # hostile text in its type and payload, failed with a hostile error.
    for index in range(6):
        ledger.api("POST", "/v1/jobs", "alice", {"id": f"mail-{index}", "type": "email", "batch": "nightly", "payload": {"to": f"user{index}@example.com"}})
    ledger.api("POST", "/v1/jobs", "alice", {"id": "later-1", "type": "report", "payload": {"month": 11}})
    ledger.api("POST", "/v1/jobs", "alice", {"id": "hostile-1", "type": HOSTILE, "payload": {"note": HOSTILE}, "maxAttempts": 1})
    status, claimed = ledger.api("POST", "/v1/claims", "w-script", {"types": [HOSTILE], "lease": 30})
    if status == 200:
        ledger.api("POST", "/v1/jobs/hostile-1/fail", "w-script", {"attempt": claimed["job"]["attempt"], "error": HOSTILE, "retryable": False})
    ledger.start_worker()
    ledger.api("POST", "/v1/jobs", "alice", {"id": "hang-1", "type": "hang", "payload": {"seconds": 60}})
    checks.check("the worker claims the hanging job", ledger.wait_for_state("hang-1", "running"))
    checks.check("the worker completes the mail", all(ledger.wait_for_state(f"mail-{i}", "completed") for i in range(6)))

    driver = browser(1280, 900)
    wait = WebDriverWait(driver, 15)
    shots = args.screenshots

    def shot(name):
        # The whole page, up to 2,400 pixels tall, then the window as it was.
        size = driver.get_window_size()
        height = driver.execute_script("return document.documentElement.scrollHeight")
        inner = driver.execute_script("return window.innerHeight")
        driver.set_window_size(size["width"], min(2400, size["height"] - inner + height))
        driver.save_screenshot(os.path.join(shots, name + ".png"))
        driver.set_window_size(size["width"], size["height"])

    def texts(selector):
        # Read in one script call: a live page may replace its elements between two calls.
        return driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim())", selector)

    def text(selector):
        found = texts(selector)
        return found[0] if found else None

    def act(step):
        # A live job page replaces its section when an event lands: find again and retry.
        for attempt in range(5):
            try:
                return step()
            except StaleElementReferenceException:
                time.sleep(0.1)
        return step()

    def nothing_ran(where):
        pwned = driver.execute_script("return typeof window.pwned")
        checks.check(f"no injected script ran ({where})", pwned == "undefined", pwned)

    def sign_in(token):
        driver.get(ledger.url + "/login")
        field = driver.find_element(By.ID, "token")
        field.send_keys(ledger.tokens[token])
        field.send_keys(Keys.ENTER)
        wait.until(lambda d: "/login" not in d.current_url)

    def sign_out():
        driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
        wait.until(lambda d: d.current_url.endswith("/login"))

    try:
        # Sign in.
        driver.get(ledger.url + "/jobs")
        checks.check("a page without a session leads to sign-in", driver.current_url.endswith("/login"))
        shot("signin")
        sign_in("alice")
        checks.check("signing in leads to the jobs", driver.current_url.endswith("/jobs"))
        cookie = driver.get_cookie("jl_session")
        checks.check("the session cookie is HttpOnly and SameSite=Strict",
                     cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict", cookie)
        checks.check("the cookie does not hold the token", cookie is not None and ledger.tokens["alice"] not in cookie["value"])
        rows = driver.find_elements(By.CSS_SELECTOR, "tr[data-job-id]")
        checks.check("the jobs table lists alice's jobs", len(rows) == 9, len(rows))
        shot("jobs")

        # Filter by state and batch.
        Select(driver.find_element(By.ID, "f-state")).select_by_value("completed")
        driver.find_element(By.ID, "f-batch").send_keys("nightly")
        driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
        wait.until(lambda d: "state=completed" in d.current_url)
        states = texts("tr[data-job-id] .job-state")
        checks.check("filtering shows only completed jobs of the batch", states == ["completed"] * 6, states)
        shot("jobs-filtered")

        # The jobs table follows the log live: a cancel made elsewhere changes the row.
        driver.get(ledger.url + "/jobs?type=report")
        wait.until(lambda d: (text(".live-status") or "").startswith("Live"))
        driver.execute_script("window.notReloaded = true")
        ledger.api("POST", "/v1/jobs/later-1/cancel", "alice", {"reason": "not this month"})
        try:
            wait.until(lambda d: text("tr[data-job-id='later-1'] .job-state") == "cancelled")
            live_row = driver.execute_script("return window.notReloaded === true")
        except TimeoutException:
            live_row = False
        checks.check("a row changes state live, without a reload", live_row)

        # A new job that passes the page's filters is added to the table live;
        # one of another type is not.
        ledger.api("POST", "/v1/jobs", "alice", {"id": "live-new-email", "type": "email"})
        ledger.api("POST", "/v1/jobs", "alice", {"id": "live-new-1", "type": "report", "payload": {"note": HOSTILE}})
        try:
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr[data-job-id='live-new-1']") != [])
            live_new = driver.execute_script("return window.notReloaded === true")
        except TimeoutException:
            live_new = False
        checks.check("a new job that passes the filters appears in the table live, without a reload", live_new)
        checks.check("a new job of another type is not added",
                     driver.find_elements(By.CSS_SELECTOR, "tr[data-job-id='live-new-email']") == [])
        nothing_ran("the jobs table's live new row")
        shot("jobs-live-new")

        # Search by id and open the running job.
        driver.get(ledger.url + "/jobs")
        search = driver.find_element(By.ID, "search-id")
        search.send_keys("hang-1")
        search.send_keys(Keys.ENTER)
        wait.until(lambda d: d.current_url.endswith("/jobs/hang-1"))
        checks.check("searching by id opens the job", text("h1 .job-id") == "hang-1")
        state = text("dd.job-state")
        checks.check("the job page shows the running job", state == "running", state)
        timeline = texts("#timeline tbody tr td:nth-child(3)")
        checks.check("the timeline lists the submission and the claim, each with its audit entry",
                     timeline[:4] == ["JobSubmitted", "audit: submit", "JobClaimed", "audit: claim"], timeline)
        checks.check("a user sees a cancel button but no kill button",
                     driver.find_elements(By.ID, "action-cancel") != [] and driver.find_elements(By.ID, "action-kill") == [])
        shot("job")

        # Time travel: the slider moved to the first entry shows the job as submitted.
        act(lambda: driver.find_element(By.ID, "travel").send_keys(Keys.HOME))
        wait.until(lambda d: "at=1" in d.current_url)
        banner = text("#travel-banner")
        past_state = text("dd.job-state")
        checks.check("time travel shows the job as it stood after its first entry",
                     "entry 1 of" in banner and past_state == "pending", (banner, past_state))
        shot("job-time-travel")
        act(lambda: driver.find_element(By.LINK_TEXT, "Back to now").click())
        wait.until(lambda d: d.current_url.endswith("/jobs/hang-1"))

        # Cancel with a confirmation; the worker is paused until the page is
        # shown, then acknowledges, and the page turns to cancelled by itself.
        act(lambda: driver.find_element(By.ID, "action-cancel").click())
        wait.until(lambda d: d.current_url.endswith("/jobs/hang-1/cancel"))
        driver.find_element(By.ID, "reason").send_keys(HOSTILE)
        shot("confirm-cancel")
        ledger.worker.send_signal(signal.SIGSTOP)
        driver.find_element(By.ID, "confirm").click()
        wait.until(lambda d: d.current_url.endswith("/jobs/hang-1"))
        notice = text("#notice")
        checks.check("the ledger's answer is shown as it gives it", "cancel_requested" in notice, notice)
        before = text("dd.job-state")
        checks.check("the job waits for its worker", before == "cancelRequested", before)
        wait.until(lambda d: (text(".live-status") or "").startswith("Live"))
        driver.execute_script("window.notReloaded = true")
        ledger.worker.send_signal(signal.SIGCONT)
        try:
            wait.until(lambda d: text("dd.job-state") == "cancelled")
            became = driver.execute_script("return window.notReloaded === true")
        except TimeoutException:
            became = False
        checks.check("the job becomes cancelled when the worker acknowledges, without a reload", became)
        rows = texts("#timeline tbody tr")
        acknowledged = [row for row in rows if "JobCancelled" in row]
        checks.check("the timeline gained the acknowledgement live", len(acknowledged) == 1 and "w-py" in acknowledged[0], rows[-3:])
        reasons = texts("#timeline td:nth-child(6)")
        checks.check("the hostile reason is shown as text", HOSTILE in reasons, reasons)
        nothing_ran("the reason")
        shot("job-cancelled")

        # A forged kill: a valid session and form token, a user's identity.
        csrf = driver.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")
        session = driver.get_cookie("jl_session")["value"]
        ledger.api("POST", "/v1/jobs", "alice", {"id": "kill-me", "type": "report"})
        body = urllib.parse.urlencode({"csrf": csrf, "reason": "forged"}).encode()
        request = urllib.request.Request(ledger.url + "/jobs/kill-me/kill", data=body, method="POST")
        request.add_header("Cookie", f"jl_session={session}")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            status = urllib.request.build_opener(NoRedirect).open(request, timeout=10).status
        except urllib.error.HTTPError as error:
            status = error.code
        checks.check("the forged kill is answered (303 to the job)", status == 303, status)
        _, history = ledger.api("GET", "/v1/jobs/kill-me/history", "ops")
        refused = [e for e in history["events"] if e["type"] == "AuditRecorded" and e["data"].get("action") == "kill"]
        checks.check("the ledger refused the forged kill as forbidden, as alice",
                     len(refused) == 1 and refused[0]["data"]["outcome"] == "forbidden" and refused[0]["actor"] == "alice", refused)
        driver.get(ledger.url + "/jobs/kill-me")
        checks.check("the refusal is shown", "forbidden" in (text("#notice") or ""))
        checks.check("the job is untouched", text("dd.job-state") == "pending")
        shot("job-refused-kill")

        # A form posted without the form token is refused before the ledger.
        request = urllib.request.Request(ledger.url + "/jobs/kill-me/cancel", data=b"reason=x", method="POST")
        request.add_header("Cookie", f"jl_session={session}")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            status = urllib.request.build_opener(NoRedirect).open(request, timeout=10).status
        except urllib.error.HTTPError as error:
            status = error.code
        checks.check("a post without the form token is refused with 403", status == 403, status)

        # Hostile text in the type, payload and error of a job, and in the id searched for.
        driver.get(ledger.url + "/jobs/hostile-1")
        payload = text("pre.payload")
        error = text("pre.job-error")
        # The payload is JSON, so its quotes are escaped there.
        shown = json.loads(payload or "{}").get("note") if payload else None
        checks.check("the hostile payload and error are shown as text", shown == HOSTILE and error == HOSTILE, (payload, error))
        checks.check("the hostile type is shown as text", HOSTILE in texts("dd"), texts("dd"))
        for element in driver.find_elements(By.CSS_SELECTOR, "dd, td, pre"):
            driver.execute_script(
                "arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))", element)
        nothing_ran("the job's type, payload and error, hovered")
        shot("job-hostile")
        driver.get(ledger.url + "/jobs")
        search = driver.find_element(By.ID, "search-id")
        search.send_keys(HOSTILE)
        search.send_keys(Keys.ENTER)
        wait.until(lambda d: "id=" in d.current_url)
        message = text(".message.error")
        checks.check("a hostile id searched for is shown as text", HOSTILE in message, message)
        nothing_ran("the searched id")
        driver.get(ledger.url + "/jobs")
        nothing_ran("the jobs table")
        try:
            alert = driver.switch_to.alert.text
        except Exception:
            alert = None
        checks.check("no alert was opened", alert is None, alert)

        # Bulk cancel: tick two rows, one confirmation, each job's outcome.
        for job_id in ["bulk-1", "bulk-2"]:
            ledger.api("POST", "/v1/jobs", "alice", {"id": job_id, "type": "bulk"})
        driver.get(ledger.url + "/jobs?type=bulk")
        for job_id in ["bulk-1", "bulk-2"]:
            driver.find_element(By.CSS_SELECTOR, f"tr[data-job-id='{job_id}'] input[type=checkbox]").click()
        checks.check("a user has no bulk kill button", driver.find_elements(By.ID, "bulk-kill") == [])
        driver.find_element(By.ID, "bulk-cancel").click()
        wait.until(lambda d: "/bulk?" in d.current_url)
        listed = texts("table.jobs tbody tr td:first-child")
        checks.check("the bulk confirmation lists the ticked jobs", sorted(listed) == ["bulk-1", "bulk-2"], listed)
        driver.find_element(By.ID, "reason").send_keys("bulk tidy-up")
        shot("bulk-confirm")
        driver.find_element(By.ID, "confirm").click()
        wait.until(lambda d: d.find_elements(By.ID, "outcomes") != [])
        outcomes = texts("#outcomes tbody td:nth-child(2)")
        checks.check("the bulk result shows each job's outcome", outcomes == ["cancelled", "cancelled"], outcomes)
        checks.check("the bulk cancel reached the ledger",
                     ledger.wait_for_state("bulk-1", "cancelled", 2) and ledger.wait_for_state("bulk-2", "cancelled", 2))
        shot("bulk-result")

        # Bulk on every job the filters match: counted, confirmed, run in parts.
        for job_id in ["every-1", "every-2", "every-3"]:
            ledger.api("POST", "/v1/jobs", "alice", {"id": job_id, "type": "every"})
        ledger.api("POST", "/v1/jobs", "alice", {"id": "not-every", "type": "other"})
        driver.get(ledger.url + "/jobs?type=every")
        driver.find_element(By.ID, "matching-cancel").click()
        wait.until(lambda d: d.find_elements(By.ID, "matching-count") != [])
        counted = driver.find_element(By.ID, "matching-count").text
        checks.check("the confirmation counts every matching job", counted.startswith("3 jobs"), counted)
        driver.find_element(By.ID, "reason").send_keys("every one of them")
        shot("bulk-matching-confirm")
        driver.find_element(By.ID, "confirm").click()
        wait.until(lambda d: d.find_elements(By.ID, "bulk-finished") != [])
        tally = texts("#outcome-counts li")
        checks.check("the matching run shows the ledger's outcomes", tally == ["cancelled 3"], tally)
        checks.check("every matching job was cancelled and no other",
                     all(ledger.wait_for_state(j, "cancelled", 2) for j in ["every-1", "every-2", "every-3"])
                     and ledger.wait_for_state("not-every", "pending", 2))
        shot("bulk-matching-result")

        # Labels: every visible field has one.
        for path in ["/jobs", "/jobs/hang-1", "/jobs/kill-me/cancel", "/bulk?action=cancel&job=kill-me", "/events"]:
            driver.get(ledger.url + path)
            unlabelled = driver.execute_script("""
                return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
                  .filter(e => !(e.id && document.querySelector('label[for="' + e.id + '"]')) && !e.getAttribute('aria-label'))
                  .map(e => e.name);""")
            checks.check(f"every field of {path} has a label", unlabelled == [], unlabelled)

        # An admin sees the kill button; the system sees the overview and the events.
        sign_out()
        sign_in("root")
        driver.get(ledger.url + "/jobs/kill-me")
        checks.check("an admin sees the kill button", driver.find_elements(By.ID, "action-kill") != [])
        shot("job-admin")
        sign_out()
        sign_in("w-py")
        checks.check("a worker token is told it lists no jobs here", "worker token" in (text(".message") or ""))
        sign_out()
        sign_in("ops")
        driver.get(ledger.url + "/overview")
        checks.check("the overview draws the last hour", driver.find_elements(By.CSS_SELECTOR, "figure.chart svg rect") != [])
        shot("overview")
        driver.get(ledger.url + "/events?type=AuditRecorded")
        types = set(texts("table.events td:nth-child(4)"))
        checks.check("the events page filters by type", types == {"AuditRecorded"}, types)
        shot("events")

        # The events page is live: a new matching event lands on top, no reload.
        driver.get(ledger.url + "/events?type=JobSubmitted&actor=alice")
        wait.until(lambda d: (text(".live-status") or "").startswith("Live"))
        driver.execute_script("window.notReloaded = true")
        ledger.api("POST", "/v1/jobs", "alice", {"id": "live-event-1", "type": HOSTILE, "payload": {"note": HOSTILE}})
        try:
            wait.until(lambda d: text("table.events tbody tr:first-child td:nth-child(3)") == "job-live-event-1")
            live_event = driver.execute_script("return window.notReloaded === true")
        except TimeoutException:
            live_event = False
        checks.check("a new event appears on top of the events page live, without a reload", live_event)
        first = texts("table.events tbody tr:first-child td")
        checks.check("the live row holds the event's actor and hostile data as text",
                     len(first) == 6 and first[4] == "alice" and "<script>" in first[5] and "pwned" in first[5], first)
        for element in driver.find_elements(By.CSS_SELECTOR, "table.events td"):
            driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))", element)
        nothing_ran("the events page's live row")
        shot("events-live")

        # The export link downloads what `jobledger export` writes for the same type.
        href = driver.find_element(By.ID, "export-jsonl").get_attribute("href")
        checks.check("the export link carries the filters", "type=JobSubmitted" in href and "actor=alice" in href, href)
        request = urllib.request.Request(ledger.url + "/events/export?type=JobSubmitted&format=csv")
        request.add_header("Cookie", f"jl_session={driver.get_cookie('jl_session')['value']}")
        with urllib.request.urlopen(request, timeout=10) as response:
            downloaded = response.read()
        expected = subprocess.run(
            [ledger.jobledger, "export", "--db", ledger.path, "--type", "JobSubmitted", "--format", "csv"],
            check=True, capture_output=True).stdout
        checks.check("the CSV export is the command line's export of the same type", downloaded == expected,
                     (len(downloaded), len(expected)))
        sign_out()

        # A narrow window: the pages fit without scrolling sideways.
        driver.quit()
        driver = browser(390, 844)
        wait = WebDriverWait(driver, 15)
        sign_in("alice")
        for path, name in [("/jobs", "jobs-narrow"), ("/jobs/hang-1", "job-narrow")]:
            driver.get(ledger.url + path)
            fits = driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
            checks.check(f"{path} fits a narrow window", fits)
            shot(name)
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())
