"""Where calls end up when Kamailio's routing service is healthy, stopped or hung.

The rig of tests/telephony (sipp callers -> Kamailio -> the real `servicecenter serve` -> sipp
targets, all on 127.0.0.1) with N calls at R calls per second, one caller number per call:
- `healthy`: the service answers; counts calls at the decided target;
- `stopped`: the service process is gone (connection refused);
- `hung`: the service is stopped with SIGSTOP (TCP connections accepted, never answered), resumed
  with SIGCONT afterwards.
Prints how many calls reached the decided target, the static fallback, or nowhere, sipp's own count
and the wall time. `--cfg` takes another Kamailio config, e.g. an older one from git history:

    .venv/bin/python benchmarks/kamailio_outage.py hung --calls 60 --rate 20
    git show bff63e6:config/telephony/kamailio.cfg > /tmp/before.cfg
    .venv/bin/python benchmarks/kamailio_outage.py hung --calls 60 --rate 20 --cfg /tmp/before.cfg
    .venv/bin/python benchmarks/kamailio_outage.py healthy --calls 1000 --rate 200 -D ROUTE_TIMEOUT_S=5

Needs kamailio and sipp (Debian packages kamailio, kamailio-utils-modules, sip-tester).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("telephony_rig", ROOT / "tests" / "telephony" / "conftest.py")
rig = sys.modules["telephony_rig"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rig)


def _start_service(data_dir: Path, rules_file: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "SERVICECENTER_DATA_DIR": str(data_dir),
        "SERVICECENTER_LOG_FORMAT": "json",
        "SERVICECENTER_RULES_FILE": str(rules_file),
    }
    env.pop("SERVICECENTER_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "servicecenter", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the service exited during start-up")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2).close()
            return process
        except OSError:
            time.sleep(0.2)
    rig.stop(process)
    raise SystemExit("the service did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("state", choices=["healthy", "stopped", "hung"])
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--rate", type=int, default=20)
    parser.add_argument(
        "--limit", type=int, default=None, help="sipp -l: calls open at a time (default: all)"
    )
    parser.add_argument("--cfg", type=Path, default=rig.KAMAILIO_CFG)
    parser.add_argument("--keep", action="store_true", help="keep the logs (the directory is printed)")
    parser.add_argument(
        "-D",
        dest="defines",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one of the config's defines (repeatable)",
    )
    args = parser.parse_args()
    sipp, kamailio = shutil.which("sipp"), shutil.which("kamailio") or "/usr/sbin/kamailio"
    defines = dict(item.split("=", 1) for item in args.defines)
    callers = [f"02671{7000000 + i:07d}" for i in range(args.calls)]  # Cochem-Zell area code
    tmp = Path(tempfile.mkdtemp(prefix="kamailio-outage-"))
    try:
        ports = {endpoint: rig.free_udp_port() for endpoint in rig.ENDPOINTS}
        rules_file = tmp / "rules.yaml"
        rules_file.write_text(rig.rules_yaml(ports, open_all_week=True), encoding="utf-8")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            service_port = s.getsockname()[1]
        service = _start_service(tmp / "data", rules_file, service_port)
        base = f"http://127.0.0.1:{service_port}"
        try:
            decision_url = f"{base}/api/v1/route?called=115&caller={callers[0]}"
            with urllib.request.urlopen(decision_url, timeout=5) as answer:
                target = json.load(answer)["target"]["id"]
            with rig.running_rig(
                sipp,
                kamailio,
                tmp,
                ports,
                f"{base}/api/v1/route?format=rtjson",
                cfg=args.cfg,
                defines=defines,
            ) as sip:
                if args.state == "stopped":
                    rig.stop(service)
                elif args.state == "hung":
                    service.send_signal(signal.SIGSTOP)
                started = time.monotonic()
                try:
                    calls = sip.calls(
                        "115",
                        callers,
                        rate=args.rate,
                        limit=args.limit,
                        timeout_s=max(120, 3 * args.calls // args.rate),
                    )
                    wall = time.monotonic() - started
                    # Counted before a hung service resumes: what the callers got while it hung.
                    where = Counter()
                    for caller in callers:
                        users = {arrival.user for arrival in sip.arrivals_of(caller)}
                        where[
                            "the static fallback"
                            if users == {"static-fallback"}
                            else f"the decided target ({target})"
                            if users == {target}
                            else "no target"
                            if not users
                            else "several targets: " + ", ".join(sorted(users))
                        ] += 1
                    log = sip.log()
                    timeouts, late = log.count("timed out on request"), log.count("(status lookup late)")
                    skipped = log.count("(status breaker open)")
                finally:
                    if args.state == "hung":
                        service.send_signal(signal.SIGCONT)
        finally:
            rig.stop(service)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    name = args.cfg if args.cfg != rig.KAMAILIO_CFG else "config/telephony/kamailio.cfg"
    print(f"{args.state}: {args.calls} calls at {args.rate}/s through {name} {' '.join(args.defines)}")
    for outcome, count in where.most_common():
        print(f"  {count:5d} reached {outcome}")
    print(
        f"  sipp: {calls.successful} answered, {calls.failed} failed (exit {calls.returncode}), "
        f"mean time to answer {calls.mean_answer_s * 1000:.0f} ms; {wall:.1f} s"
    )
    print(f"  lookups: {timeouts} timed out, {late} not started in time, {skipped} skipped by the breaker")
    if calls.returncode:
        print(
            "  sipp's first errors:\n" + "\n".join("    " + line for line in calls.errors.splitlines()[:12])
        )
    if args.keep:
        print(f"  logs in {tmp}")


if __name__ == "__main__":
    main()
