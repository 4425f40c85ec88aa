"""Benchmark: the contest's home page and a paper on a phone's network, in Chromium.

Chromium (Debian's, driven by Playwright) loads the home page and a contestant's paper against
gunicorn and PostgreSQL holding the demo contest, with the network throttled by the DevTools
protocol (Network.emulateNetworkConditions, the presets of Chrome's DevTools):

  Slow 3G: 2,000 ms round trip, 400 kbit/s down and up
  Fast 3G: 562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up

Cold: a fresh browser profile (empty cache, the session cookie only). Warm: the same profile a
second time, as after any earlier visit. The time is from the navigation's start to the page's load
event (every script run: the paper's timer and saving work from then on). Transferred bytes are
what crossed the network (compressed bodies and headers), from the protocol's loadingFinished
events; requests served from the browser's cache are counted apart. Each figure is the median of
--runs loads.

Run: .venv/bin/python bench/network.py [--runs 5] [--contestants 100]
"""
import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, fresh_postgres, gunicorn  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PROFILES = {
    "Slow 3G": {"latency": 2000, "downloadThroughput": 500_000 / 8 * 0.8, "uploadThroughput": 500_000 / 8 * 0.8},
    "Fast 3G": {"latency": 562.5, "downloadThroughput": 1_600_000 / 8 * 0.9, "uploadThroughput": 750_000 / 8 * 0.9},
}
TARGETS = {("Slow 3G", "paper", "warm"): 2.5, ("Slow 3G", "paper", "cold"): 4.5}
PASSWORD = "demo12345"


def load_demo(database_url: str, contestants: int) -> None:
    """The demo contest in the benchmark's database, by the real command."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "contest", "demo", "load", "--contestants",
                    str(contestants)], cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "DATABASE_URL": database_url})


def signed_in_state(browser, base: str) -> tuple[dict, str]:
    """A contestant's session (log in, start a paper in the open week); the storage state and paper URL."""
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", "thisinh1@demo.vn")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")
    page.click("a.button.primary")  # "Vào thi": the open week's page
    page.click("form.start button[type=submit]")  # "Bắt đầu thi"
    page.wait_for_url("**/attempts/*")
    paper, state = page.url, context.storage_state()
    context.close()
    return state, paper


def measure(context, url: str, profile: dict) -> tuple[float, int, int, int]:
    """Load `url` in a new page of `context` on the throttled network: (seconds to the load event,
    bytes transferred, requests over the network, requests from the cache)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "connectionType": "cellular3g", **profile})
    transferred, from_cache = {}, set()
    cdp.on("Network.loadingFinished", lambda event: transferred.update({event["requestId"]: event["encodedDataLength"]}))
    cdp.on("Network.requestServedFromCache", lambda event: from_cache.add(event["requestId"]))
    cdp.on("Network.responseReceived", lambda event: from_cache.add(event["requestId"])
           if event["response"].get("fromDiskCache") or event["response"].get("fromMemoryCache") else None)
    started = time.perf_counter()
    response = page.goto(url, wait_until="load", timeout=60_000)
    seconds = time.perf_counter() - started
    if response is None or response.status != 200:
        raise SystemExit(f"{url} answered {response.status if response else 'nothing'}")
    network = {request_id: size for request_id, size in transferred.items() if request_id not in from_cache}
    page.close()
    return seconds, sum(network.values()), len(network), len(from_cache)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="loads per figure (the median is shown)")
    parser.add_argument("--contestants", type=int, default=100, help="simulated contestants in the demo")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with fresh_postgres() as database_url:
        load_demo(database_url, args.contestants)
        with gunicorn(database_url, secrets.token_hex(16), args.workers) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu", "--disable-quic"])
            state, paper = signed_in_state(browser, base)
            pages = {"home": base + "/", "paper": paper}
            print(f"gunicorn ({args.workers} sync workers), PostgreSQL, the demo with {args.contestants} simulated "
                  f"contestants; Chromium throttled by the DevTools protocol; median of {args.runs} loads")
            print(f"{'network':8} {'page':6} {'cache':5} {'to load':>9} {'transferred':>12} {'requests':>9} {'cached':>7}")
            results = {}
            for profile_name, profile in PROFILES.items():
                for page_name, url in pages.items():
                    runs = {"cold": [], "warm": []}
                    for _ in range(args.runs):
                        context = browser.new_context(locale="vi-VN", storage_state=state,
                                                      viewport={"width": 360, "height": 740}, is_mobile=True)
                        runs["cold"].append(measure(context, url, profile))
                        runs["warm"].append(measure(context, url, profile))
                        context.close()
                    for cache, measured in runs.items():
                        seconds = statistics.median(m[0] for m in measured)
                        size = statistics.median(m[1] for m in measured)
                        requests = statistics.median(m[2] for m in measured)
                        cached = statistics.median(m[3] for m in measured)
                        results[(profile_name, page_name, cache)] = seconds
                        print(f"{profile_name:8} {page_name:6} {cache:5} {seconds:8.2f}s {size / 1024:9.1f} kB "
                              f"{requests:9.0f} {cached:7.0f}")
            browser.close()
    print("\nTargets")
    for key, limit in TARGETS.items():
        verdict = "met" if results[key] <= limit else "MISSED"
        print(f"  {key[0]}, {key[2]} load of a working paper ≤ {limit} s: {results[key]:.2f} s — {verdict}")


if __name__ == "__main__":
    main()
