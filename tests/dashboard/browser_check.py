#!/usr/bin/env python3
"""End-to-end check of the dashboard in a real headless Chromium.

Runs a small tabular search into a temporary store with the real `nas`
binary, serves it with `nas dashboard`, opens the page through chromedriver
(the W3C WebDriver protocol, spoken over HTTP with the standard library only),
waits until the front table is drawn, checks its rows and values and the SVG
scatter against the JSON API (the front over the cloud of every candidate,
the hypervolume chart, a row's link to its architecture's values), and saves
a screenshot; then starts a run whose small supernet trains for minutes and
checks, while it trains, the training curves, ETA and wall time, and saves a
second screenshot (dashboard_training.png).

Exit status: 0 passed, 1 failed, 77 skipped (no chromium or chromedriver).
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(method, url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as e:
        raise CheckFailed(f"{method} {url}: HTTP {e.code}: {e.read().decode()[:500]}")


class WebDriver:
    """The few W3C WebDriver commands the check needs."""

    def __init__(self, chromedriver, chromium, log_path):
        self.port = free_port()
        self.log = open(log_path, "w")
        self.process = subprocess.Popen([chromedriver, f"--port={self.port}"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        self.session = None
        deadline = time.time() + 30
        while True:
            try:
                if http_json("GET", self.base + "/status", timeout=2)["value"]["ready"]:
                    break
            except (OSError, CheckFailed):
                pass
            check(time.time() < deadline and self.process.poll() is None,
                  "chromedriver did not start (see chromedriver.log)")
            time.sleep(0.1)
        options = {"binary": chromium,
                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--window-size=1280,1700",
                            "--hide-scrollbars"]}
        answer = http_json("POST", self.base + "/session", {
            "capabilities": {"alwaysMatch": {"browserName": "chrome",
                                             "goog:chromeOptions": options}}}, timeout=60)
        self.session = f"{self.base}/session/{answer['value']['sessionId']}"

    def command(self, method, path, body=None):
        return http_json(method, self.session + path, body)["value"]

    def open(self, url):
        self.command("POST", "/url", {"url": url})

    def find_all(self, css):
        return self.command("POST", "/elements", {"using": "css selector", "value": css})

    def run(self, script):
        return self.command("POST", "/execute/sync", {"script": script, "args": []})

    def screenshot(self):
        return base64.b64decode(self.command("GET", "/screenshot"))

    def close(self):
        try:
            if self.session:
                http_json("DELETE", self.session, timeout=10)
        except (OSError, CheckFailed):
            pass
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def start_dashboard(nas, db, folder):
    out = open(os.path.join(folder, "dashboard.out"), "w+")
    err = open(os.path.join(folder, "dashboard.err"), "w")
    process = subprocess.Popen([nas, "dashboard", db, "--port", "0"], stdout=out, stderr=err)
    deadline = time.time() + 30
    while time.time() < deadline and process.poll() is None:
        out.seek(0)
        line = out.readline()
        if line.startswith("http://") and line.endswith("\n"):
            return process, line.strip()
        time.sleep(0.05)
    process.kill()
    raise CheckFailed("nas dashboard did not print its URL: " +
                      open(os.path.join(folder, "dashboard.err")).read())


# What the page shows of the front: rows with their arch ids and every
# objective cell's metric and raw value, and the scatter's points.
READ_FRONT = """
return {
  rows: Array.from(document.querySelectorAll('#front-table tbody tr')).map(tr => ({
    arch_id: tr.getAttribute('data-arch-id'),
    cells: Array.from(tr.querySelectorAll('td[data-metric]')).map(td => ({
      metric: td.getAttribute('data-metric'), value: td.getAttribute('data-value'),
      text: td.textContent}))})),
  points: Array.from(document.querySelectorAll('#front-plot circle.point'))
      .map(c => c.getAttribute('data-arch-id')),
  title: document.getElementById('front-title').textContent,
  queries: document.getElementById('stat-queries').textContent,
  status: document.getElementById('run-status').textContent
};
"""


def check_page(driver, url, api):
    front = http_json("GET", api + "/api/runs/1/front")
    run = http_json("GET", api + "/api/runs/1")
    members = front["front"]
    check(len(members) >= 2, f"the stored front has {len(members)} member(s); expected several")
    driver.open(url)
    deadline = time.time() + 30
    while len(driver.find_all("#front-table tbody tr")) != len(members):
        check(time.time() < deadline,
              f"the page never showed {len(members)} front rows "
              f"(it shows {len(driver.find_all('#front-table tbody tr'))})")
        time.sleep(0.1)
    page = driver.run(READ_FRONT)
    check(len(page["rows"]) == len(members), "row count differs from the API")
    for row, member in zip(page["rows"], members):
        check(row["arch_id"] == member["arch_id"],
              f"row {member['position']}: arch {row['arch_id']}, API says {member['arch_id']}")
        check(len(row["cells"]) == len(front["objectives"]), "one cell per objective expected")
        for cell, objective in zip(row["cells"], front["objectives"]):
            expected = member["values"][objective["metric"]]
            check(cell["metric"] == objective["metric"], "objective columns out of order")
            check(float(cell["value"]) == expected["value"],
                  f"{member['arch_id']} {cell['metric']}: page {cell['value']}, "
                  f"API {expected['value']}")
            check(cell["text"].endswith("(" + expected["source"] + ")"),
                  f"the cell '{cell['text']}' does not name the source {expected['source']}")
    check(sorted(page["points"]) == sorted(m["arch_id"] for m in members),
          "the scatter's points are not the front's members")
    check(page["title"].startswith(f"Pareto front: {len(members)} architectures"),
          f"front title: {page['title']}")
    progress = run["progress"]
    check(page["queries"] == f"{progress['queries']} / {progress['budget']}",
          f"queries shown as '{page['queries']}'")
    check(page["status"] == run["status"], f"status shown as '{page['status']}'")
    return len(members)


# The search view: the cloud of candidates and the hypervolume chart.
READ_SEARCH = """
return {
  cloud: document.querySelectorAll('#front-plot circle.cloud[data-arch-id]').length,
  staircase: document.querySelectorAll('#front-plot path.link').length,
  hv: document.querySelectorAll('#hv-plot polyline[data-series="hypervolume"]').length,
  links: document.querySelectorAll('#front-table a[data-arch-link]').length
};
"""


def check_search_view(driver, api):
    candidates = http_json("GET", api + "/api/runs/1/candidates")
    feasible = [c for c in candidates["candidates"] if c["feasible"]]
    check(len(feasible) >= 10, f"only {len(feasible)} feasible candidates in the API")
    check(len(candidates["hypervolume"]["points"]) >= 2, "no hypervolume curve in the API")
    deadline = time.time() + 30
    while True:
        page = driver.run(READ_SEARCH)
        if page["cloud"] == len(feasible) and page["hv"] == 1:
            break
        check(time.time() < deadline, f"the page shows {page['cloud']} cloud points of "
              f"{len(feasible)} and {page['hv']} hypervolume curve(s)")
        time.sleep(0.1)
    check(page["staircase"] == 1, "no staircase through the front")
    check(page["links"] >= 2, "the front's rows do not link to their architectures")
    # A row's link shows that architecture's values.
    first = driver.find_all("#front-table a[data-arch-link]")[0]
    element = list(first.values())[0]
    driver.command("POST", f"/element/{element}/click", {})
    deadline = time.time() + 10
    while not driver.run("return document.querySelectorAll('#arch-values tbody tr').length"):
        check(time.time() < deadline, "clicking a front row showed no architecture values")
        time.sleep(0.1)


def tiny_supernet_config(db, checkpoints):
    """A small mbv3 supernet that trains for minutes: a run still training."""
    return {
        "name": "training-check", "seed": 5, "store": db,
        "space": {"type": "mbv3", "stem_width": 8, "stem_stride": 2,
                  "stages": [{"width": 16, "stride": 2, "depths": [1, 2]},
                             {"width": 24, "stride": 2, "depths": [1, 2], "se": True}],
                  "kernels": [3, 5], "expand_ratios": [3, 4], "resolutions": [28],
                  "head_width": 32},
        "supernet": {"data": {"dataset": "fashion-mnist", "validation": 200,
                              "train_limit": 600},
                     "training": {"epochs": 200, "batch_size": 64, "threads": 1,
                                  "checkpoint_dir": checkpoints}},
        "evaluator": {"type": "supernet", "bn_batches": 2, "bn_batch_size": 64,
                      "val_images": 200},
        "objectives": [{"metric": "val_acc", "goal": "maximize"},
                       {"metric": "params", "goal": "minimize"}],
        "search": {"strategy": "random", "budget": 4},
    }


READ_TRAINING = """
const t = document.getElementById('training');
return {
  state: t.hidden ? 'hidden' : t.getAttribute('data-training'),
  loss: document.querySelectorAll('#loss-plot polyline[data-series]').length,
  val: document.querySelectorAll('#val-plot circle').length,
  eta: document.getElementById('train-eta').textContent,
  rate: document.getElementById('train-rate').textContent,
  wall: document.getElementById('stat-wall').textContent
};
"""


def check_training(driver, nas, folder, out_dir):
    """A run whose supernet is still training: its curves, ETA and wall time."""
    if not os.path.exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"):
        print("SKIP (training part): Debian's dataset-fashion-mnist is not installed")
        return
    db = os.path.join(folder, "training.db")
    config_path = os.path.join(folder, "training.json")
    json.dump(tiny_supernet_config(db, os.path.join(folder, "checkpoints")), open(config_path, "w"))
    log = open(os.path.join(folder, "training.log"), "w")
    run = subprocess.Popen([nas, "run", config_path, "-q"], stdout=log, stderr=subprocess.STDOUT)
    dashboard = None
    try:
        import sqlite3
        deadline = time.time() + 120
        while True:
            check(run.poll() is None, "the training run ended early: " +
                  open(os.path.join(folder, "training.log")).read()[-2000:])
            check(time.time() < deadline, "the training run wrote no two epochs in 120 s")
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as c:
                    ends = c.execute("SELECT count(*) FROM training WHERE epoch_end = 1").fetchone()[0]
                if ends >= 3:
                    break
            except sqlite3.Error:
                pass
            time.sleep(0.2)
        dashboard, url = start_dashboard(nas, db, folder)
        driver.open(url + "?run=1")
        deadline = time.time() + 30
        while True:
            page = driver.run(READ_TRAINING)
            if page["state"] == "running" and page["loss"] == 2 and page["val"] >= 6:
                break
            check(time.time() < deadline, f"the page never showed the training: {page}")
            time.sleep(0.1)
        check(page["eta"] not in ("–", "done", ""), f"no ETA while training: {page['eta']}")
        check(float(page["rate"]) > 0, f"images/s shown as {page['rate']}")
        check(page["wall"] not in ("0.0 s", "–"), f"wall time shown as {page['wall']} while training")
        driver.run("document.getElementById('training').scrollIntoView();")
        png = driver.screenshot()
        with open(os.path.join(out_dir, "dashboard_training.png"), "wb") as f:
            f.write(png)
        print(f"PASS: a run still training shows its curves, ETA {page['eta']}, "
              f"{page['rate']} images/s, wall time {page['wall']}")
    finally:
        run.terminate()
        run.wait(30)
        if dashboard:
            dashboard.send_signal(signal.SIGTERM)
            dashboard.wait(10)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nas", required=True, help="the nas binary under test")
    parser.add_argument("--source-dir", required=True, help="the source tree (for configs/)")
    parser.add_argument("--out-dir", required=True, help="where the screenshot goes")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--chromedriver",
                        default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    args = parser.parse_args()
    for tool in (args.chromium, args.chromedriver):
        if not (os.path.isfile(tool) and os.access(tool, os.X_OK)):
            print(f"SKIP: {tool} not found; install the Debian packages chromium and "
                  "chromium-driver (scripts/bootstrap.sh does)")
            return SKIP
    os.makedirs(args.out_dir, exist_ok=True)
    screenshot = os.path.join(args.out_dir, "dashboard.png")
    for stale in (screenshot, os.path.join(args.out_dir, "dashboard_training.png")):
        if os.path.exists(stale):
            os.remove(stale)  # a stale one from an earlier run proves nothing

    with tempfile.TemporaryDirectory(prefix="nas-browser-") as folder:
        config = json.load(open(os.path.join(args.source_dir, "configs", "nb201-random.json")))
        db = os.path.join(folder, "run.db")
        config.update({"name": "browser-check", "store": db})
        config["search"]["budget"] = 80
        config_path = os.path.join(folder, "config.json")
        json.dump(config, open(config_path, "w"))
        ran = subprocess.run([args.nas, "run", config_path, "-q"], capture_output=True, text=True)
        check(ran.returncode == 0, "nas run failed: " + ran.stderr)

        dashboard, url = start_dashboard(args.nas, db, folder)
        driver = None
        try:
            api = url.rstrip("/")
            driver = WebDriver(args.chromedriver, args.chromium,
                               os.path.join(args.out_dir, "chromedriver.log"))
            count = check_page(driver, url, api)
            check_search_view(driver, api)
            png = driver.screenshot()
            check(png.startswith(b"\x89PNG\r\n\x1a\n"), "the screenshot is not a PNG")
            with open(screenshot, "wb") as f:
                f.write(png)
            print(f"PASS: {count} front rows and points match the API; screenshot {screenshot} "
                  f"({len(png)} bytes)")
            check_training(driver, args.nas, folder, args.out_dir)
        finally:
            if driver:
                driver.close()
            dashboard.send_signal(signal.SIGTERM)
            dashboard.wait(10)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckFailed as e:
        print(f"FAIL: {e}")
        sys.exit(1)
