#!/usr/bin/env python3
"""Chaos suite: runs barnnd under a QoS 1 flood with faults and checks that no acknowledged reading is lost.

Started by Scripts/chaos.sh (which provides paho-mqtt in a virtual environment). Everything runs on loopback in a
temporary folder: a private mosquitto (persistence on, unlimited queue for offline sessions), barnnd on a copy of
config/barnnd.toml, and a publisher that sends SenML readings with their own timestamps at QoS 1.

An *acknowledged* reading is one whose PUBACK the publisher received from the broker. Mosquitto itself keeps
messages in memory between autosaves (here every second), so a SIGKILL of the broker can lose what it had
acknowledged and not yet written to its persistence file; that loss would be the broker's, not barnnd's. So before
each broker kill the publisher pauses until all its messages are acknowledged and the broker has autosaved; whatever
the broker still queues for barnnd then survives the kill, and barnnd's in-flight messages are cut mid-delivery.
(Re-sending what the broker may have lost would not do: the re-sent readings arrive after newer ones, and barnnd
rejects a reading older than its stream's last as out_of_order, by design.)

Faults: broker SIGKILL, barnnd SIGKILL, barnnd SIGTERM (each followed by a restart), a full disk under the database
and its inbox (a small tmpfs filled to the last byte; skipped with a message where mounting is not permitted), and a
burst of many streams publishing as fast as PUBACKs come with a small storage.max_pending_rows, so the writer's bound
is hit and intake must stall instead of dropping.

The verdict line is machine-readable JSON; the exit status is 0 only if nothing acknowledged is missing, no reading is
stored twice or with another value, and barnnd exited 0 at its final SIGTERM.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import paho.mqtt.client as mqtt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(message):
    print(f"chaos: {time.strftime('%H:%M:%S')} {message}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


class Broker:
    """A private mosquitto whose persistence lives outside the disk that is filled."""

    def __init__(self, directory, port):
        self.directory = directory
        self.port = port
        self.process = None
        os.makedirs(os.path.join(directory, "persistence"), exist_ok=True)
        self.config = os.path.join(directory, "mosquitto.conf")
        user = "root" if os.geteuid() == 0 else os.environ.get("USER", "nobody")
        with open(self.config, "w") as conf:
            conf.write(
                "\n".join(
                    [
                        "per_listener_settings false",
                        f"user {user}",
                        f"log_dest file {directory}/mosquitto.log",
                        "log_type error",
                        "log_type warning",
                        "log_type notice",
                        "max_queued_messages 0",
                        "max_inflight_messages 100",
                        "persistence true",
                        f"persistence_location {directory}/persistence/",
                        "autosave_interval 1",
                        f"listener {port} 127.0.0.1",
                        "allow_anonymous true",
                        "",
                    ]
                )
            )

    def start(self):
        self.process = subprocess.Popen(["mosquitto", "-c", self.config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Daemon:
    """barnnd run on the bundled config with the broker port, database and a few limits changed."""

    def __init__(self, binary, directory, database_dir, port, max_pending_rows):
        self.binary = binary
        self.database = os.path.join(database_dir, "barnnd.sqlite")
        self.config = os.path.join(directory, "barnnd.toml")
        self.log_path = os.path.join(directory, "barnnd.log")
        self.process = None
        self.starts = 0
        self.stop_seconds = []
        with open(os.path.join(ROOT, "config", "barnnd.toml")) as bundled:
            text = bundled.read()
        text = re.sub(r"(?m)^port = 1883$", f"port = {port}", text)
        text = re.sub(r"(?m)^max_pending_rows = \d+$", f"max_pending_rows = {max_pending_rows}", text)
        text = re.sub(r'(?m)^health_interval = "60s"$', 'health_interval = "5s"', text)
        # No HTTP server: a barnnd already running here may hold its default port.
        text = re.sub(r'(?m)^listen = "127.0.0.1:9464"$', 'listen = ""', text)
        with open(self.config, "w") as conf:
            conf.write(text)

    def start(self):
        self.starts += 1
        logfile = open(self.log_path, "a")
        logfile.write(f"---- start {self.starts} ----\n")
        logfile.flush()
        self.process = subprocess.Popen(
            [self.binary, "run", "--config", self.config, "--database", self.database],
            stdout=logfile, stderr=logfile)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self, timeout=60):
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self.stop_seconds.append(time.monotonic() - started)
        return code


class Publisher:
    """Publishes SenML readings at QoS 1 and remembers which ones the broker acknowledged, and when."""

    def __init__(self, port, base_time):
        self.base_time = base_time
        self.lock = threading.Lock()
        self.pending = {}
        self.early = set()
        self.acked = {}  # (stream, t) -> (value, acknowledged at, monotonic)
        self.sent = 0
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id="chaos-publisher",
            clean_session=False, protocol=mqtt.MQTTv311)
        self.client.max_inflight_messages_set(100)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.on_publish = self._on_publish
        self.client.connect_async("127.0.0.1", port, keepalive=30)
        self.client.loop_start()

    def _on_publish(self, client, userdata, mid, reason_code, properties):
        with self.lock:
            reading = self.pending.pop(mid, None)
            if reading is None:
                self.early.add(mid)
            else:
                self.acked[reading[0]] = (reading[1], time.monotonic())

    def publish(self, name, index, value):
        """Publishes reading `index` of the SenML name `name`; barnnd's senml rule makes it stream chaos/<name>."""
        # paho sends what was queued while disconnected from its network thread after a reconnect, and a publish
        # from this thread at that moment can overtake it: a sensor's readings would reach barnnd out of order (and
        # be rejected as out_of_order, by design). So publish only while connected.
        while not self.client.is_connected():
            time.sleep(0.005)
        t = self.base_time + index
        stream = "chaos/" + name
        payload = json.dumps([{"n": name, "v": value, "t": t}])
        info = self.client.publish("senml/chaos", payload, qos=1)
        with self.lock:
            self.sent += 1
            if info.mid in self.early:
                self.early.discard(info.mid)
                self.acked[(stream, t)] = (value, time.monotonic())
            else:
                self.pending[info.mid] = ((stream, t), value)

    def unacknowledged(self):
        with self.lock:
            return len(self.pending)

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


def value_of(stream_index, index):
    # Exactly representable, distinct per reading, so a stored value can be compared bit for bit.
    return float(stream_index * 100000 + index) / 4.0


class FullDisk:
    """A small tmpfs for the database and inbox, and a filler file that takes its last byte."""

    def __init__(self, path, size_mb):
        self.path = path
        self.mounted = False
        os.makedirs(path, exist_ok=True)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", path],
                                capture_output=True, text=True)
        if result.returncode == 0:
            self.mounted = True
        else:
            self.reason = (result.stderr or result.stdout).strip()
        self.filler = os.path.join(path, "filler")

    def fill(self):
        descriptor = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            for size in (1 << 20, 4096, 1):
                chunk = b"\0" * size
                try:
                    while True:
                        os.write(descriptor, chunk)
                except OSError:
                    pass
        finally:
            os.close(descriptor)

    def free(self):
        os.remove(self.filler)

    def unmount(self):
        if self.mounted:
            subprocess.run(["umount", "-l", self.path], capture_output=True)


def stored_readings(database):
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(observations)")]
        if "t_us" in columns:
            column, scale = "t_us", 1e6
        else:
            column, scale = "t_ms", 1e3
        rows = connection.execute(
            f"SELECT s.name, o.{column}, o.value FROM observations o JOIN streams s ON s.id = o.stream_id"
        ).fetchall()
    finally:
        connection.close()
    return [(name, t / scale, value) for name, t, value in rows]


def verify(publisher, database):
    rows = stored_readings(database)
    stored = {}
    duplicates = 0
    for name, t, value in rows:
        key = (name, round(t, 6))
        if key in stored:
            duplicates += 1
        stored[key] = value
    with publisher.lock:
        acked = dict(publisher.acked)
    missing = [key for key in acked if (key[0], round(key[1], 6)) not in stored]
    wrong = [key for key, (value, _) in acked.items()
             if (key[0], round(key[1], 6)) in stored and stored[(key[0], round(key[1], 6))] != value]
    return {"acknowledged": len(acked), "stored": len(rows), "missing": len(missing), "duplicates": duplicates,
            "wrong_values": len(wrong), "missing_examples": [list(key) for key in missing[:5]]}


def wait_until_stored(publisher, database, timeout):
    """Waits until every acknowledged reading is in the database (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    result = None
    while time.monotonic() < deadline:
        if publisher.unacknowledged() == 0:
            try:
                result = verify(publisher, database)
            except sqlite3.Error:
                result = None
            if result and result["missing"] == 0:
                return result
        time.sleep(1)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seconds", type=float, default=60, help="length of the flood")
    parser.add_argument("--rate", type=float, default=500, help="readings per second in the flood")
    parser.add_argument("--streams", type=int, default=200, help="streams in the flood")
    parser.add_argument("--faults", type=int, default=1, help="rounds of broker kill, daemon kill, SIGTERM")
    parser.add_argument("--disk-full-seconds", type=float, default=10)
    parser.add_argument("--burst-streams", type=int, default=300)
    parser.add_argument("--burst-readings", type=int, default=100)
    parser.add_argument("--max-pending-rows", type=int, default=2000)
    parser.add_argument("--burst-after-model", type=float, default=0,
                        help="wait up to this many seconds for an active BARNN checkpoint before the burst")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (and the tmpfs under db/ mounted: umount it afterwards)")
    parser.add_argument("--disk-mb", type=int, default=4096,
                        help="size of the tmpfs under the database; it only fills up when the test fills it")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="barnnd-chaos-")
    log(f"working in {work}")
    disk = FullDisk(os.path.join(work, "db"), args.disk_mb)
    if not disk.mounted:
        log(f"SKIP full disk: cannot mount a tmpfs ({disk.reason}); the database goes on the normal disk")
    port = free_port()
    broker = Broker(os.path.join(work, "broker"), port)
    daemon = Daemon(args.binary, work, disk.path, port, args.max_pending_rows)
    broker.start()
    daemon.start()
    time.sleep(2)
    publisher = Publisher(port, base_time=int(time.time()) - 7 * 86400)
    faults = {"broker_kills": 0, "daemon_kills": 0, "sigterms": 0, "disk_full_s": 0.0}
    ok = True
    try:
        # Fault times spread over the flood: each round is broker kill, daemon kill, SIGTERM; the disk fills once.
        plan = []
        rounds = max(args.faults, 0)
        for round_index in range(rounds):
            base = args.seconds * (round_index + 0.15) / max(rounds, 1) * 0.8
            span = args.seconds * 0.8 / max(rounds, 1)
            plan += [(base, "broker_kill"), (base + span * 0.3, "daemon_kill"), (base + span * 0.6, "sigterm")]
        if disk.mounted and args.disk_full_seconds > 0:
            plan.append((args.seconds * 0.82, "disk_full"))
        plan.sort()
        log(f"flood: {args.streams} streams, {args.rate:.0f} readings/s for {args.seconds:.0f} s; faults {plan}")

        index = [0] * args.streams
        started = time.monotonic()
        sent = 0
        disk_full_until = None
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= args.seconds and disk_full_until is None:
                break
            while plan and plan[0][0] <= elapsed:
                _, fault = plan.pop(0)
                if fault == "broker_kill":
                    pause_until = time.monotonic() + 30
                    while publisher.unacknowledged() > 0 and time.monotonic() < pause_until:
                        time.sleep(0.01)
                    time.sleep(2.5)  # past one autosave_interval: the broker's file holds everything it acknowledged
                    broker.kill()
                    time.sleep(1)
                    broker.start()
                    faults["broker_kills"] += 1
                    # The flood catches up the paused seconds at full speed, so the same readings are sent.
                    log("broker SIGKILLed and restarted")
                elif fault == "daemon_kill":
                    daemon.kill()
                    time.sleep(0.5)
                    daemon.start()
                    faults["daemon_kills"] += 1
                    log("barnnd SIGKILLed and restarted")
                elif fault == "sigterm":
                    code = daemon.terminate()
                    faults["sigterms"] += 1
                    log(f"barnnd stopped by SIGTERM (exit {code}, {daemon.stop_seconds[-1]:.1f} s); restarting")
                    if code != 0:
                        ok = False
                    daemon.start()
                elif fault == "disk_full":
                    disk.fill()
                    disk_full_until = time.monotonic() + args.disk_full_seconds
                    log(f"disk under the database full for {args.disk_full_seconds:.0f} s")
            if disk_full_until is not None and time.monotonic() >= disk_full_until:
                disk.free()
                faults["disk_full_s"] = args.disk_full_seconds
                disk_full_until = None
                log("disk space back")
            if not daemon.alive():
                log("barnnd died on its own; see the log")
                ok = False
                daemon.start()
            stream = sent % args.streams
            publisher.publish(f"s{stream}", index[stream], value_of(stream, index[stream]))
            index[stream] += 1
            sent += 1
            delay = started + sent / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)

        if args.burst_after_model > 0:
            deadline = time.monotonic() + args.burst_after_model
            active = 0
            while time.monotonic() < deadline and not active:
                try:
                    connection = sqlite3.connect(f"file:{daemon.database}?mode=ro", uri=True, timeout=30)
                    active = connection.execute(
                        "SELECT count(*) FROM checkpoints WHERE active = 1 AND kind = 'barnn'").fetchone()[0]
                    connection.close()
                except sqlite3.Error:
                    pass
                time.sleep(2)
            log("a BARNN model is active" if active else "no BARNN model became active; bursting anyway")
        if args.burst_streams > 0 and args.burst_readings > 0:
            log(f"burst: {args.burst_streams} streams x {args.burst_readings} readings as fast as PUBACKs come")
            burst_started = time.monotonic()
            for reading in range(args.burst_readings):
                for stream in range(args.burst_streams):
                    while publisher.unacknowledged() > 2000:
                        time.sleep(0.001)
                    publisher.publish(f"b{stream}", reading, value_of(stream + 10000, reading))
            log(f"burst published in {time.monotonic() - burst_started:.1f} s")

        result = wait_until_stored(publisher, daemon.database, timeout=180)
        code = daemon.terminate()
        if code != 0:
            ok = False
        log(f"final SIGTERM: exit {code} after {daemon.stop_seconds[-1]:.1f} s")
        result = verify(publisher, daemon.database)
        connection = sqlite3.connect(f"file:{daemon.database}?mode=ro", uri=True, timeout=30)
        result["rejects"] = connection.execute("SELECT count(*) FROM rejects").fetchone()[0]
        connection.close()
        with open(daemon.log_path) as daemon_log:
            text = daemon_log.read()
        result.update(faults)
        result["published"] = publisher.sent
        result["stalls_logged"] = text.count("intake stalled")
        result["stop_seconds_max"] = round(max(daemon.stop_seconds), 2)
        result["crashes"] = text.count("Fatal error") + text.count("Program crashed") + text.count("Illegal instruction")
        ok = ok and result["missing"] == 0 and result["duplicates"] == 0 and result["wrong_values"] == 0
        ok = ok and result["crashes"] == 0
        result["ok"] = ok
        print("chaos-result " + json.dumps(result, sort_keys=True), flush=True)
        if not ok:
            print("---- barnnd log (tail) ----")
            print(text[-6000:])
    finally:
        publisher.close()
        if daemon.alive():
            daemon.kill()
        broker.stop()
        if not args.keep:
            disk.unmount()
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
